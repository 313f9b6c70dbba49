/**
 * The bootstrap run's provider (components/dynamic/bootstrap-run.js) and its ARM credential: the provider signs in
 * itself when a run is due, from the deploying process's environment (GitHub's OIDC token exchanged at Entra ID in CI,
 * a client secret, or the Azure CLI's login on a laptop), and no token ever reaches an input, an output or an error
 * of the resource. In Pulumi's own dynamic-provider host against stand-ins for GitHub, Entra ID and ARM.
 */
import { builtinModules } from "module";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BOOTSTRAP_RUN_PROVIDER, BOOTSTRAP_RUN_PROVIDER_PATH } from "../components/bootstrap-run";
import { PROJECT_DIR } from "../config/stack-files";
import { type DynamicHost, startDynamicHost } from "./support/dynamic-host";
import { runInputs, standInArm, standInIdentity, type StandInArm, type StandInIdentity } from "./support/stand-in-azure";

const URN = "urn:pulumi:test::amplifier-infra::amplifier:database:DatabaseBootstrap$pulumi-nodejs:dynamic/amplifier:BootstrapRun::database-bootstrap-run";
const GROUP = "/subscriptions/sub-1/resourceGroups/g/providers/Microsoft.ContainerInstance/containerGroups/ci-x";
// The file itself, as tests can call its token logic without a host.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const provider = require(path.join(PROJECT_DIR, BOOTSTRAP_RUN_PROVIDER_PATH)) as { armToken(inputs: object, env: NodeJS.ProcessEnv): Promise<{ token: string; expires: number }> };

let identity: StandInIdentity;
let host: DynamicHost;
const arms: StandInArm[] = [];

beforeAll(async () => {
  identity = await standInIdentity();
  // deploy.yml's job environment: ARM_USE_OIDC, ARM_CLIENT_ID, ARM_TENANT_ID, and GitHub's OIDC request variables.
  host = await startDynamicHost(URN, { PATH: process.env.PATH, ...identity.env });
});
afterAll(() => {
  host?.stop();
  identity?.close();
  for (const arm of arms) arm.close();
});

async function props(exitCode = 0, key = "k1") {
  const arm = await standInArm(exitCode, (token) => identity.issued.includes(token));
  arms.push(arm);
  return { arm, props: runInputs(arm, identity, key, GROUP) };
}

describe("in CI: GitHub's OIDC token, exchanged at Entra ID when the run is due", () => {
  test("create: asks GitHub for a token for Entra's audience, exchanges it as the deploy identity, and every ARM call carries the result", async () => {
    const before = identity.issued.length;
    const { arm, props: p } = await props();
    const created = await host.create(p);
    expect(created.props).toMatchObject({ key: "k1", log: "database bootstrap succeeded\n" });
    expect(identity.oidcRequests.at(-1)).toEqual({ audience: "api://AzureADTokenExchange", authorization: "bearer gh-request-token" });
    // Microsoft identity platform, client credentials flow with a federated credential.
    expect(identity.tokenRequests.at(-1)).toEqual({
      tenant: identity.env.ARM_TENANT_ID,
      grant_type: "client_credentials",
      client_id: identity.env.ARM_CLIENT_ID,
      scope: "https://management.azure.com/.default",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: "github-oidc-jwt",
    });
    expect(arm.calls.length).toBeGreaterThan(4);
    expect(arm.calls.filter((c) => !c.endsWith("auth=ok"))).toEqual([]);
    // One token for the whole run while it is valid for longer than five minutes.
    expect(identity.issued.length - before).toBe(1);
  });

  test("no token in what the host returns or stores: create's and update's outputs, the state a refresh keeps, a failure's message", async () => {
    const { props: p } = await props();
    const created = await host.create(p);
    const updated = await host.update(created.id, { ...p, ...created.props }, { ...p, key: "k2" });
    const refreshed = await host.read(created.id, { ...p, ...updated });
    const failing = await props(1, "k3");
    const error = await host.create(failing.props).then(
      () => "no error",
      (err: Error) => err.message,
    );
    expect(error).toMatch(/exited with 1/);
    const everything = JSON.stringify([created, updated, refreshed, error]);
    expect(identity.issued.length).toBeGreaterThan(0);
    for (const token of [...identity.issued, "github-oidc-jwt", "gh-request-token"]) expect([token, everything.includes(token)]).toEqual([token, false]);
    expect(Object.keys(updated).sort()).toEqual(["__provider", "key", "log", "serverId"]);
  });

  test("a token about to expire is renewed before the next call (a run outlasting a token never sends an expired one)", async () => {
    identity.lifetime = 200; // less than the five minutes' margin: renewed before each call
    try {
      const before = identity.issued.length;
      const { arm, props: p } = await props();
      await host.create(p);
      expect(identity.issued.length - before).toBe(arm.calls.length);
      expect(arm.calls.filter((c) => !c.endsWith("auth=ok"))).toEqual([]);
    } finally {
      identity.lifetime = 3599;
    }
  });

  test("Entra ID refusing the exchange fails the run with its reason, before any ARM call", async () => {
    const { arm, props: p } = await props();
    const refused = await startDynamicHost(URN, { PATH: process.env.PATH, ...identity.env, ACTIONS_ID_TOKEN_REQUEST_TOKEN: "stale" });
    try {
      await expect(refused.create(p)).rejects.toThrow(/GitHub's OIDC token request answered 401/);
      expect(arm.calls).toEqual([]);
    } finally {
      refused.stop();
    }
    await expect(provider.armToken({ loginEndpoint: identity.loginEndpoint, groupId: GROUP }, { ...identity.env, ARM_OIDC_TOKEN: "expired-jwt" })).rejects.toThrow(
      /Microsoft Entra ID refused the token request \(401\): AADSTS700024/,
    );
  });

  test("ARM_USE_OIDC without the client, the tenant or an OIDC token says what is missing", async () => {
    const env = { ARM_USE_OIDC: "true", ARM_CLIENT_ID: "c", ARM_TENANT_ID: "t" };
    await expect(provider.armToken({ loginEndpoint: identity.loginEndpoint, groupId: GROUP }, env)).rejects.toThrow(/ARM_USE_OIDC is set but .*id-token: write/);
  });
});

describe("elsewhere: a client secret, or the Azure CLI's login", () => {
  test("ARM_CLIENT_SECRET: the same client credentials request with the secret", async () => {
    const env = { ARM_CLIENT_ID: "c1", ARM_TENANT_ID: "t1", ARM_CLIENT_SECRET: "s3cret" };
    const { token } = await provider.armToken({ loginEndpoint: identity.loginEndpoint, groupId: GROUP }, env);
    expect(identity.issued).toContain(token);
    expect(identity.tokenRequests.at(-1)).toEqual({ tenant: "t1", grant_type: "client_credentials", client_id: "c1", scope: "https://management.azure.com/.default", client_secret: "s3cret" });
  });

  test("a laptop: `az account get-access-token` for ARM and the group's subscription; a missing login names every way in", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "az-token-"));
    try {
      const log = path.join(tmp, "args");
      const az = (body: string) => fs.writeFileSync(path.join(tmp, "az"), `#!/bin/sh\necho "$@" > "${log}"\n${body}\n`, { mode: 0o755 });
      az(`echo '{"accessToken": "cli-token", "expires_on": 4102444800, "subscription": "sub-1", "tokenType": "Bearer"}'`);
      const got = await provider.armToken({ loginEndpoint: identity.loginEndpoint, groupId: GROUP }, { PATH: `${tmp}:/usr/bin:/bin` });
      expect(got).toEqual({ token: "cli-token", expires: 4102444800 * 1000 });
      expect(fs.readFileSync(log, "utf8").trim()).toBe("account get-access-token --resource https://management.azure.com/ --output json --subscription sub-1");
      az(`echo "ERROR: Please run 'az login' to setup account." >&2; exit 1`);
      await expect(provider.armToken({ loginEndpoint: identity.loginEndpoint, groupId: GROUP }, { PATH: `${tmp}:/usr/bin:/bin` })).rejects.toThrow(
        /no ARM credential: set ARM_USE_OIDC .*ARM_CLIENT_SECRET, or sign in with `az login` \(az account get-access-token failed: ERROR: Please run 'az login'/,
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

test("the provider text is the file itself, and needs nothing but Node's built-ins (it runs in Pulumi's host, not in the project)", () => {
  const text = fs.readFileSync(path.join(PROJECT_DIR, BOOTSTRAP_RUN_PROVIDER_PATH), "utf8");
  expect(BOOTSTRAP_RUN_PROVIDER).toBe(text);
  const required = [...text.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  expect(required.length).toBeGreaterThan(0);
  expect(required.filter((m) => !builtinModules.includes(m.replace(/^node:/, "")))).toEqual([]);
  expect(text).not.toMatch(/\bimport\s/);
});
