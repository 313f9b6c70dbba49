import * as pulumi from "@pulumi/pulumi";

/**
 * A wait after a resource is created, or after its scale changed, before what depends on this step. Azure answers
 * `ServerIsBusy` to a child written right after a flexible server is created (Azure/azure-postgresql#134: "even a 1sec
 * sleep works") and, the same way, right after a scale operation (a compute change restarts the server or fails it
 * over: Microsoft Learn, "High availability concepts", "Scale operations - Azure portal"), and azure-native retries a
 * 409 only for `AnotherOperationInProgress` (pulumi-azure-native provider/pkg/azure/client_azcore.go,
 * shouldRetryConflict; pulumi-azure-native#903), so the deploy would stop.
 *
 * A Pulumi dynamic resource (https://www.pulumi.com/docs/iac/concepts/providers/dynamic-providers/): no provider
 * plugin to download, no cloud call. The host (@pulumi/pulumi cmd/dynamic-provider) calls each method only if the
 * provider has it: with no `check` the inputs pass through, with no `read` a refresh keeps the state, with no
 * `delete` a destroy forgets it. A read-only preview only checks and diffs it.
 */
const methods = {
  async create(inputs: Record<string, any>) {
    await new Promise((resolve) => setTimeout(resolve, Number(inputs.seconds) * 1000));
    // No `shape: undefined`: the host cannot serialise it (a step stored before shapes existed has none).
    const shape = inputs.shape === undefined ? {} : { shape: inputs.shape };
    return { id: `settled-${inputs.targetId}`, outs: { targetId: inputs.targetId, seconds: inputs.seconds, ...shape } };
  },
  // A new target (a replaced server has a new id) replaces the step, so it waits again; a new shape (the server was
  // scaled in the same deploy, before this step) is an update that waits again; a new duration alone is an update that
  // does not wait; a new provider text (`__provider`, a new build of this file) alone is no change.
  async diff(_id: string, olds: Record<string, any>, news: Record<string, any>) {
    const replaced = olds.targetId !== news.targetId;
    return { changes: replaced || olds.seconds !== news.seconds || olds.shape !== news.shape, replaces: replaced ? ["targetId"] : [] };
  },
  // A step stored before shapes were recorded only records the shape: no scale happened.
  async update(_id: string, olds: Record<string, any>, news: Record<string, any>) {
    if (olds.shape !== undefined && olds.shape !== news.shape) await new Promise((resolve) => setTimeout(resolve, Number(news.seconds) * 1000));
    const shape = news.shape === undefined ? {} : { shape: news.shape };
    return { outs: { targetId: news.targetId, seconds: news.seconds, ...shape } };
  },
};

/**
 * The provider as Pulumi's dynamic-provider host loads it from the resource's `__provider` input: module text whose
 * `handler()` returns the provider (@pulumi/pulumi cmd/dynamic-provider: `requireFromString(text).handler()`).
 * `pulumi.dynamic.Resource` would build the same text with the closure serialiser, which costs about 0.2 s per run;
 * the methods above capture nothing (no imports, no module variables, only JavaScript globals), so their own source
 * is the whole closure (a compile target that rewrote them with module helpers would break it). test/lifecycle-server.test.ts
 * runs this text in Pulumi's own host process: check, create, diff, update, refresh and delete.
 */
export const SETTLE_PROVIDER = `exports.handler = () => ({\n${Object.values(methods).map((m) => m.toString()).join(",\n")}\n});\n`;

export interface SettleArgs {
  /** Id of the resource whose creation starts the wait. */
  targetId: pulumi.Input<string>;
  /** Seconds to wait once it exists. */
  seconds: number;
  /** The target's scale, as text: when it changes (the target was scaled first, in the same deploy) the step waits again. */
  shape?: string;
}

/** The type token pulumi.dynamic.Resource would register ("pulumi-nodejs:dynamic/<module>:<type>"). */
export const SETTLE_TYPE = "pulumi-nodejs:dynamic/amplifier:Settle";

/**
 * Waits `seconds` after its target is created or re-shaped (a dynamic resource, type
 * `pulumi-nodejs:dynamic/amplifier:Settle`).
 */
export class Settle extends pulumi.CustomResource {
  constructor(name: string, args: SettleArgs, opts?: pulumi.CustomResourceOptions) {
    // The type and `__provider` input are what pulumi.dynamic.Resource registers.
    super(SETTLE_TYPE, name, { ...args, __provider: SETTLE_PROVIDER }, opts);
  }
}
