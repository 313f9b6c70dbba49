import * as pulumi from "@pulumi/pulumi";

/**
 * One run of the database bootstrap: a short-lived Azure container group (Microsoft.ContainerInstance/containerGroups)
 * that this step creates through Azure Resource Manager's REST API, waits for, reads the exit code and log of, and
 * deletes. The container group is never a Pulumi resource: azure-native's ContainerGroup would not report the
 * container's exit code, and a deployment script (Microsoft.Resources/deploymentScripts) deletes itself after its
 * retentionInterval (at most PT26H), so a refresh would drop it from the state and the next plan would create it again.
 *
 * A Pulumi dynamic resource (https://www.pulumi.com/docs/iac/concepts/providers/dynamic-providers/), like Settle:
 * - create and update run the container and fail when it exits non-zero, so a failing SQL fails `pulumi up`;
 * - diff compares only `key` (a hash of the SQL, the runner, the server and the identities), so the run repeats
 *   when the SQL or the server changes and never otherwise; the ARM token (a fresh secret on every run) is ignored;
 * - no `read`: a refresh keeps the state as it is (the drift check stays clean); no `delete`: teardown forgets it
 *   (the roles live in the database, which goes with the server).
 * ARM calls used, each a documented REST operation (Microsoft Learn, "Container Groups - Create Or Update", "Get",
 * "Delete"; "Containers - List Logs"): PUT/GET/DELETE {group}?api-version, GET {group}/containers/{name}/logs. The
 * group's instanceView carries the container's state and exit code (azure-rest-api-specs specification/
 * containerinstance/resource-manager/Microsoft.ContainerInstance/stable/2023-05-01/containerInstance.json,
 * ContainerState.exitCode).
 */
const methods = {
  async run(inputs: Record<string, any>) {
    const base = `${inputs.armEndpoint}${inputs.groupId}`;
    const api = `api-version=${inputs.apiVersion}`;
    const headers = { Authorization: `Bearer ${inputs.armToken}`, "Content-Type": "application/json" };
    const pause = (s: number) => new Promise((resolve) => setTimeout(resolve, s * 1000));
    const call = async (method: string, url: string, body?: unknown) => {
      const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await response.text();
      const parse = () => {
        try {
          return text ? JSON.parse(text) : {};
        } catch {
          return { text };
        }
      };
      return { status: response.status, json: parse() };
    };
    const deadline = Date.now() + Number(inputs.timeoutMinutes) * 60_000;
    const waitGone = async () => {
      while ((await call("GET", `${base}?${api}`)).status !== 404) {
        if (Date.now() > deadline) throw new Error(`database bootstrap: container group ${inputs.groupId} was not deleted in time`);
        await pause(inputs.pollSeconds);
      }
    };
    // A group left by an interrupted run: remove it, so this run starts from a clean container.
    const old = await call("DELETE", `${base}?${api}`);
    if (old.status >= 400 && old.status !== 404) throw new Error(`database bootstrap: DELETE ${inputs.groupId} answered ${old.status}: ${JSON.stringify(old.json)}`);
    if (old.status !== 404 && old.status !== 204) await waitGone();

    let put = await call("PUT", `${base}?${api}`, inputs.group);
    for (let attempt = 1; put.status === 409 && attempt < 10; attempt++) {
      await pause(inputs.pollSeconds * 3);
      put = await call("PUT", `${base}?${api}`, inputs.group);
    }
    if (put.status >= 400) throw new Error(`database bootstrap: PUT ${inputs.groupId} answered ${put.status}: ${JSON.stringify(put.json)}`);

    let exitCode: number | undefined;
    let events: unknown;
    for (;;) {
      const got = await call("GET", `${base}?${api}`);
      const props = got.json.properties ?? {};
      const container = (props.containers ?? [])[0]?.properties?.instanceView ?? {};
      events = container.events ?? props.instanceView?.events ?? [];
      if (container.currentState?.state === "Terminated") {
        exitCode = Number(container.currentState.exitCode);
        break;
      }
      if (props.provisioningState === "Failed") break;
      if (Date.now() > deadline) break;
      await pause(inputs.pollSeconds);
    }
    const logs = await call("GET", `${base}/containers/${inputs.containerName}/logs?${api}&tail=200`);
    const log = typeof logs.json.content === "string" ? logs.json.content : "";
    // Nothing stays behind (a terminated group costs nothing, but it is noise in the group's resource list).
    await call("DELETE", `${base}?${api}`);
    if (exitCode !== 0) {
      const why = exitCode === undefined ? "did not finish (provisioning failed or timed out)" : `exited with ${exitCode}`;
      throw new Error(`database bootstrap ${why}. Container events: ${JSON.stringify(events)}\n${log}`);
    }
    return { key: inputs.key, serverId: inputs.serverId, log };
  },
  async create(inputs: Record<string, any>) {
    // `this` is the provider object: the host calls provider.create(...).
    const outs = await (this as any).run(inputs);
    return { id: `bootstrap-${inputs.serverId}`, outs };
  },
  async diff(_id: string, olds: Record<string, any>, news: Record<string, any>) {
    return { changes: olds.key !== news.key, replaces: [] };
  },
  async update(_id: string, _olds: Record<string, any>, news: Record<string, any>) {
    return { outs: await (this as any).run(news) };
  },
};

/**
 * The provider text, built from the methods' own source as Settle's is (components/settle.ts): they use only
 * JavaScript globals (fetch, setTimeout, JSON), so their source is the whole closure. test/database-bootstrap.test.ts
 * runs it in Pulumi's own dynamic-provider host against a stand-in for ARM.
 */
export const BOOTSTRAP_RUN_PROVIDER = `exports.handler = () => ({\n${Object.values(methods).map((m) => m.toString()).join(",\n")}\n});\n`;

export interface BootstrapRunArgs {
  /** Hash of everything the run depends on: a new key runs it again. */
  key: pulumi.Input<string>;
  /** The server's ARM id: a restored or replaced server gets its own run. */
  serverId: pulumi.Input<string>;
  /** ARM id of the container group the run creates and deletes. */
  groupId: pulumi.Input<string>;
  containerName: string;
  /** The container group's request body (location, identity, containers, subnet). */
  group: pulumi.Input<Record<string, unknown>>;
  /** A bearer token for ARM (secret; never compared). */
  armToken: pulumi.Input<string>;
  armEndpoint: string;
  apiVersion: string;
  pollSeconds: number;
  timeoutMinutes: number;
}

/** Runs the bootstrap container once per key (type `pulumi-nodejs:dynamic/amplifier:BootstrapRun`). */
export class BootstrapRun extends pulumi.CustomResource {
  declare readonly key: pulumi.Output<string>;
  constructor(name: string, args: BootstrapRunArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "pulumi-nodejs:dynamic/amplifier:BootstrapRun",
      name,
      { ...args, armToken: pulumi.secret(args.armToken), __provider: BOOTSTRAP_RUN_PROVIDER },
      // The token changes on every run and is only used during create/update.
      { ...opts, additionalSecretOutputs: ["armToken"] },
    );
  }
}
