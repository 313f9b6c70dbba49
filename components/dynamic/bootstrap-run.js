/* eslint-disable @typescript-eslint/no-require-imports -- a provider text: CommonJS, Node built-ins only */
/* global process, fetch, setTimeout, URLSearchParams */
"use strict";
/**
 * The provider of amplifier:BootstrapRun (components/bootstrap-run.ts), as Pulumi's dynamic-provider host runs it: the
 * resource's `__provider` input is this file's text, which the host loads with require-from-string and whose
 * `handler()` returns the provider (@pulumi/pulumi cmd/dynamic-provider). A plain file, not compiled: the text the
 * host runs (and the policy pack hashes) is exactly what is written here. Node built-ins only (fetch, child_process).
 *
 * The ARM token is never an input, an output or any other part of the state: the provider gets its own when a run is
 * due, from the deploying process's environment, as azure-native does (the Pulumi engine starts every provider plugin,
 * this host included, with its own environment: pulumi/pulumi sdk/go/common/resource/plugin/plugin.go, ExecPlugin):
 *  1. ARM_USE_OIDC=true (deploy.yml): GitHub's OIDC token for audience api://AzureADTokenExchange, requested from
 *     ACTIONS_ID_TOKEN_REQUEST_URL with ACTIONS_ID_TOKEN_REQUEST_TOKEN (GitHub sets both in a job with id-token: write;
 *     azure-native reads the same: pulumi/docs blog "Announcing OIDC Support for Pulumi Azure Providers"; or
 *     ARM_OIDC_REQUEST_URL/ARM_OIDC_REQUEST_TOKEN, or ARM_OIDC_TOKEN itself), exchanged at
 *     login.microsoftonline.com/{ARM_TENANT_ID} for ARM_CLIENT_ID (Microsoft identity platform, "OAuth 2.0 client
 *     credentials flow": access token request with a federated credential, client_assertion_type jwt-bearer). A new
 *     GitHub token each time: `az login --federated-token` could not renew its token once GitHub's expired
 *     (Azure/azure-cli#28708), and a run comes late in a long deploy.
 *  2. ARM_CLIENT_ID, ARM_CLIENT_SECRET, ARM_TENANT_ID: the same request with the client secret.
 *  3. Otherwise the Azure CLI's login (a laptop after `az login`): `az account get-access-token --resource
 *     https://management.azure.com/`.
 * A token is renewed five minutes before it expires, so a long run never calls ARM with an expired one.
 */
const ARM_RESOURCE = "https://management.azure.com/";
const GITHUB_AUDIENCE = "api://AzureADTokenExchange";
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

const pause = (s) => new Promise((resolve) => setTimeout(resolve, s * 1000));

/** Reads a response's JSON without failing on an empty or non-JSON body. */
async function readJson(response) {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return { text };
  }
}

/** The Azure CLI's token for ARM, for the subscription of the group (a laptop after `az login`). */
function azCliToken(subscription, env) {
  const { execFile } = require("child_process");
  const args = ["account", "get-access-token", "--resource", ARM_RESOURCE, "--output", "json", ...(subscription ? ["--subscription", subscription] : [])];
  return new Promise((resolve, reject) => {
    // `az` is a script (az.cmd on Windows), so Windows needs the shell to find it.
    execFile("az", args, { env, shell: process.platform === "win32", timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) {
        return reject(
          new Error(
            "database bootstrap: no ARM credential: set ARM_USE_OIDC with ARM_CLIENT_ID and ARM_TENANT_ID (CI), ARM_CLIENT_SECRET, or sign in with `az login` " +
              `(az account get-access-token failed: ${String(stderr || err.message).trim()})`,
          ),
        );
      }
      try {
        const out = JSON.parse(stdout);
        const expires = out.expires_on ? Number(out.expires_on) * 1000 : Date.parse(out.expiresOn);
        resolve({ token: out.accessToken, expires: Number.isFinite(expires) ? expires : Date.now() + 10 * 60_000 });
      } catch {
        reject(new Error("database bootstrap: az account get-access-token printed no token"));
      }
    });
  });
}

/** A token for ARM from the environment's credential (see the file comment), with its expiry time (ms). */
async function armToken(inputs, env) {
  const tenant = env.ARM_TENANT_ID;
  const client = env.ARM_CLIENT_ID;
  let credential;
  if (/^true$/i.test(env.ARM_USE_OIDC || "")) {
    let assertion = env.ARM_OIDC_TOKEN;
    const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL || env.ARM_OIDC_REQUEST_URL;
    const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN || env.ARM_OIDC_REQUEST_TOKEN;
    if (!assertion && requestUrl && requestToken) {
      const url = `${requestUrl}${requestUrl.includes("?") ? "&" : "?"}audience=${encodeURIComponent(GITHUB_AUDIENCE)}`;
      const response = await fetch(url, { headers: { Authorization: `bearer ${requestToken}` } });
      const body = await readJson(response);
      if (!response.ok || typeof body.value !== "string") throw new Error(`database bootstrap: GitHub's OIDC token request answered ${response.status}`);
      assertion = body.value;
    }
    if (!assertion || !tenant || !client) {
      throw new Error("database bootstrap: ARM_USE_OIDC is set but ARM_CLIENT_ID, ARM_TENANT_ID or the OIDC token (id-token: write, or ARM_OIDC_TOKEN) is missing");
    }
    credential = { client_assertion_type: JWT_BEARER, client_assertion: assertion };
  } else if (env.ARM_CLIENT_SECRET && tenant && client) {
    credential = { client_secret: env.ARM_CLIENT_SECRET };
  } else {
    return azCliToken(/^\/subscriptions\/([^/]+)\//.exec(inputs.groupId)?.[1], env);
  }
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: client, scope: `${ARM_RESOURCE}.default`, ...credential });
  const response = await fetch(`${inputs.loginEndpoint}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
  const body = await readJson(response);
  if (!response.ok || typeof body.access_token !== "string") {
    throw new Error(`database bootstrap: Microsoft Entra ID refused the token request (${response.status}): ${body.error_description || body.error || body.text || ""}`.trim());
  }
  return { token: body.access_token, expires: Date.now() + Number(body.expires_in || 3600) * 1000 };
}

/** ARM's error in a response body ({ error: { code, message } }: Azure Resource Manager REST "Common error response"). */
function armError(method, what, got) {
  const e = got.json.error || {};
  const code = e.code ? `${e.code}: ` : "";
  let text = `database bootstrap: ${method} ${what} answered ${got.status}: ${code}${e.message || got.json.text || JSON.stringify(got.json)}`;
  // Subscriptions set up before the run existed lack the provider, and the group-scoped deploy identity cannot
  // register it (Microsoft Learn, "Resolve errors for resource provider registration": MissingSubscriptionRegistration).
  if (e.code === "MissingSubscriptionRegistration") text += " (run `npm run azure-setup` again, or az provider register --namespace Microsoft.ContainerInstance, as a subscription owner)";
  return new Error(text);
}

/** One run: create the container group, wait for its container to end, read its log, delete it. */
async function run(inputs, env) {
  const base = `${inputs.armEndpoint}${inputs.groupId}`;
  const api = `api-version=${inputs.apiVersion}`;
  let credential;
  const bearer = async () => {
    if (!credential || credential.expires - Date.now() < 5 * 60_000) credential = await armToken(inputs, env);
    return credential.token;
  };
  const deadline = Date.now() + Number(inputs.timeoutMinutes) * 60_000;
  // One ARM request. 429 (throttled) waits as long as Retry-After says and asks again, until the deadline (Microsoft
  // Learn, "Understand how Azure Resource Manager throttles requests": "wait the number of seconds in Retry-After").
  const call = async (method, url, body) => {
    for (;;) {
      const headers = { Authorization: `Bearer ${await bearer()}`, "Content-Type": "application/json" };
      const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const got = { status: response.status, json: await readJson(response) };
      if (got.status !== 429) return got;
      const wait = Number(response.headers.get("retry-after")) || inputs.pollSeconds * 4;
      if (Date.now() + wait * 1000 > deadline) throw armError(method, inputs.groupId, got);
      await pause(wait);
    }
  };
  // Any other 4xx is final (401 an expired or wrong token, 403 a missing role, 400 a bad body): fail at once with
  // ARM's error instead of polling until the deadline. `allowed` lists what a step expects besides 2xx.
  const checked = async (method, url, body, allowed = []) => {
    const got = await call(method, url, body);
    if (got.status >= 400 && !allowed.includes(got.status)) throw armError(method, url === `${base}?${api}` ? inputs.groupId : url.slice(inputs.armEndpoint.length), got);
    return got;
  };
  const remove = async () => {
    const gone = await checked("DELETE", `${base}?${api}`, undefined, [404]);
    if (gone.status === 404 || gone.status === 204) return;
    // 202: the deletion goes on; wait until a GET says 404.
    while ((await checked("GET", `${base}?${api}`, undefined, [404])).status !== 404) {
      if (Date.now() > deadline) throw new Error(`database bootstrap: container group ${inputs.groupId} was not deleted in time; delete it (it holds the server's Entra administrator identity)`);
      await pause(inputs.pollSeconds);
    }
  };
  // A group left by an interrupted run: remove it, so this run starts from a clean container.
  await remove();

  // 409 while ARM still finishes an earlier operation on the group: ask again, a few times. A 409 that is not about
  // the group (the provider not registered) is final.
  let put;
  for (let attempt = 1; ; attempt++) {
    put = await call("PUT", `${base}?${api}`, inputs.group);
    if (put.status !== 409 || attempt >= 10 || put.json.error?.code === "MissingSubscriptionRegistration") break;
    await pause(inputs.pollSeconds * 3);
  }
  if (put.status >= 400) throw armError("PUT", inputs.groupId, put);

  // The container's exit code is in the group's GET (instanceView.currentState.exitCode, containerInstance.json
  // ContainerState); poll it until the container has terminated.
  let exitCode;
  let events;
  for (;;) {
    const got = await checked("GET", `${base}?${api}`);
    const props = got.json.properties || {};
    const container = ((props.containers || [])[0] || {}).properties?.instanceView || {};
    events = container.events || props.instanceView?.events || [];
    if (container.currentState?.state === "Terminated") {
      exitCode = Number(container.currentState.exitCode);
      break;
    }
    if (props.provisioningState === "Failed") break;
    if (Date.now() > deadline) break;
    await pause(inputs.pollSeconds);
  }
  // The log is for the message only: a failed read of it does not decide the run.
  const logs = await call("GET", `${base}/containers/${inputs.containerName}/logs?${api}&tail=200`);
  const log = typeof logs.json.content === "string" ? logs.json.content : "";
  // Nothing stays behind: the group runs as the server's Entra administrator. A deletion that fails fails the run.
  let leftBehind;
  try {
    await remove();
  } catch (err) {
    leftBehind = err;
  }
  if (exitCode !== 0) {
    const why = exitCode === undefined ? "did not finish (provisioning failed or timed out)" : `exited with ${exitCode}`;
    throw new Error(`database bootstrap ${why}. Container events: ${JSON.stringify(events)}\n${log}${leftBehind ? `\n${leftBehind.message}` : ""}`);
  }
  if (leftBehind) throw leftBehind;
  return { key: inputs.key, serverId: inputs.serverId, log };
}

/**
 * - create and update run the container and fail when it exits non-zero, so a failing SQL fails `pulumi up`;
 * - diff compares only `key` (a hash of the SQL, the runner, the server and the identities), so the run repeats when
 *   the SQL or the server changes and never otherwise (a state from an older provider text, which still held a token
 *   input, is no change either: the next `up` stores the new inputs, without it);
 * - no `read`: a refresh keeps the state as it is (the drift check stays clean); no `delete`: teardown forgets it
 *   (the roles live in the database, which goes with the server).
 */
exports.handler = () => ({
  async create(inputs) {
    return { id: `bootstrap-${inputs.serverId}`, outs: await run(inputs, process.env) };
  },
  async diff(_id, olds, news) {
    return { changes: olds.key !== news.key, replaces: [] };
  },
  async update(_id, _olds, news) {
    return { outs: await run(news, process.env) };
  },
});

// Not part of the provider: lets tests call the token logic without a host.
exports.armToken = armToken;
