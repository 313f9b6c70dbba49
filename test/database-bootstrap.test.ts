/**
 * The app's database identity on Azure: Entra authentication, a bootstrap identity that is the server's Entra
 * administrator (the app's never is), the bootstrap run that creates the app's role and applies the grants, and the
 * app's DATABASE_URL naming that role with no password. Under the mock runtime for every Azure stack; the run's
 * provider in Pulumi's own dynamic-provider host against a stand-in for Azure Resource Manager.
 */
import * as fs from "fs";
import * as path from "path";
import { APP_ROLE, GRANTS_SQL_PATH } from "../components/database-roles";
import { PROJECT_DIR } from "../config/stack-files";
import { type RegisteredResource, type RunResult, runStack } from "../mock-runtime";
import { buildPlan } from "../plan/model";
import { renderText } from "../plan/render-text";
import { stackExceptions } from "../config/stack-files";
import { INVOKE_ACTIONS } from "../tools/azure-permissions";
import { at, AZURE, NETWORKED, PUBLIC, stacksCovering } from "./support/stacks";
import { DIFF, type DynamicHost, startDynamicHost } from "./support/dynamic-host";
import { type ArmAnswer, runInputs, standInArm, standInIdentity, type StandInIdentity } from "./support/stand-in-azure";

const T = {
  server: "azure-native:dbforpostgresql:Server",
  admin: "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  webApp: "azure-native:web:WebApp",
  secret: "azure-native:keyvault:Secret",
  vnet: "azure-native:network:VirtualNetwork",
  run: "pulumi-nodejs:dynamic/amplifier:BootstrapRun",
  firewall: "azure-native:dbforpostgresql:FirewallRule",
};
const GRANTS = fs.readFileSync(path.join(PROJECT_DIR, GRANTS_SQL_PATH), "utf8");
const INIT = fs.readFileSync(path.join(PROJECT_DIR, "scripts/init-dev-db.sql"), "utf8");
const RUNNER = fs.readFileSync(path.join(PROJECT_DIR, "scripts/db-bootstrap.py"), "utf8");

const byType = (r: RunResult, type: string) => r.resources.filter((x) => x.type === type);
const one = (r: RunResult, type: string, name?: string) => {
  const found = byType(r, type).filter((x) => name === undefined || x.name === name);
  expect(found.map((x) => x.name)).toHaveLength(1);
  return found[0];
};
const env = (run: RegisteredResource) =>
  Object.fromEntries((run.inputs.group.properties.containers[0].properties.environmentVariables as { name: string; value: string }[]).map((e) => [e.name, e.value]));
const steps = (run: RegisteredResource) => JSON.parse(Buffer.from(env(run).BOOTSTRAP_STEPS, "base64").toString("utf8")) as { database: string; sql: string; retry?: boolean }[];

// Every Azure stack file, and a stand-in for a public or a private one when no stack file is (test/support/stacks.ts).
const covered = stacksCovering(AZURE, [PUBLIC, NETWORKED]);
const stacks = covered.map((c) => c.label);
const chosen = Object.fromEntries(covered.map((c) => [c.label, c]));
const runs: Record<string, RunResult> = {};

beforeAll(async () => {
  for (const c of covered) runs[c.label] = await runStack(at(c));
});

describe.each(covered.map(({ label }) => ({ label })))("$label: the app signs in as its own role, set up by a bootstrap identity", ({ label }) => {
  const r = () => runs[label];
  const appIdentity = () => one(r(), T.identity, "app-identity");
  const bootstrapIdentity = () => one(r(), T.identity, "database-bootstrap-identity");

  test("Entra authentication is on, password authentication stays on (break-glass)", () => {
    expect(one(r(), T.server).inputs.authConfig).toMatchObject({ activeDirectoryAuth: "Enabled", passwordAuth: "Enabled" });
  });

  test("a separate bootstrap identity is an Entra administrator (ServicePrincipal), in the server's write chain", () => {
    const admin = one(r(), T.admin, "database-bootstrap-entra-admin");
    expect(bootstrapIdentity().state.principalId).not.toBe(appIdentity().state.principalId);
    expect(admin.inputs).toMatchObject({
      objectId: bootstrapIdentity().state.principalId,
      principalName: bootstrapIdentity().inputs.resourceName,
      principalType: "ServicePrincipal",
      serverName: one(r(), T.server).inputs.serverName,
    });
    // Chained behind an earlier server write (serialWrite), so it cannot meet ServerIsBusy.
    expect(admin.dependencies.some((urn) => /dbforpostgresql:(Configuration|FirewallRule|Database)|network:PrivateEndpoint/.test(urn))).toBe(true);
  });

  test("the app's identity is never an Entra administrator", () => {
    const appPrincipal = appIdentity().state.principalId;
    for (const admin of byType(r(), T.admin)) {
      expect(admin.inputs.objectId).not.toBe(appPrincipal);
      expect(admin.propertyDependencies.objectId ?? []).not.toContain(appIdentity().urn);
    }
  });

  test("the run, as the bootstrap identity only: the app's role for the app's identity (in postgres), the init SQL and the grants unchanged", () => {
    const run = one(r(), T.run);
    expect(Object.keys(run.inputs.group.identity.userAssignedIdentities)).toEqual([bootstrapIdentity().state.id]);
    expect(env(run)).toMatchObject({ PGUSER: bootstrapIdentity().inputs.resourceName, AZURE_CLIENT_ID: bootstrapIdentity().state.clientId, PGHOST: one(r(), T.server).state.fullyQualifiedDomainName });
    expect(Buffer.from(env(run).BOOTSTRAP_RUNNER, "base64").toString("utf8")).toBe(RUNNER);
    const [principal, init, grants] = steps(run);
    expect(principal).toMatchObject({ database: "postgres", retry: true });
    expect(principal.sql).toContain(`pgaadauth_create_principal_with_oid('${APP_ROLE}', '${appIdentity().state.principalId}', 'service', false, false)`);
    expect(init).toEqual({ database: one(r(), "azure-native:dbforpostgresql:Database").inputs.databaseName, sql: INIT });
    expect(grants).toEqual({ database: init.database, sql: GRANTS });
    expect(run.inputs.key).toMatch(/^[0-9a-f]{64}$/);
  });

  test("no ARM token is an input of the run, or anything else the program asks for or registers", () => {
    // The provider signs in itself when a run is due (components/dynamic/bootstrap-run.js); the program never asks
    // azure-native for a token, and the run holds no secret at all.
    const run = one(r(), T.run);
    expect(r().invokes.map((i) => i.token)).not.toContain("azure-native:authorization:getClientToken");
    expect(Object.keys(run.inputs).filter((k) => /token|bearer|credential|authorization/i.test(k))).toEqual([]);
    expect(run.secretInputs).toEqual([]);
    expect(run.inputs).toMatchObject({ armEndpoint: "https://management.azure.com", loginEndpoint: "https://login.microsoftonline.com" });
  });

  test("the run waits for its administrator; the web app waits for the run", () => {
    const run = one(r(), T.run);
    expect(run.dependencies).toContain(one(r(), T.admin, "database-bootstrap-entra-admin").urn);
    expect(one(r(), T.webApp).dependencies).toContain(run.urn);
  });

  test("the vault gets the passwordless URL only after the run: a failed run leaves the old URL, and the app on it", () => {
    // pulumi up stops before a resource whose dependency failed, so neither the secret nor the web app's settings
    // (DATABASE_AUTH_MODE) change unless the role they rely on exists.
    const run = one(r(), T.run);
    const url = one(r(), T.secret, "key-vault-postgresql-connection-string");
    expect(url.dependencies).toContain(run.urn);
    // Written by the bootstrap (a child of it, so the vault does not wait for the app), under the URN it had as the
    // vault's child: an existing stack keeps its secret.
    expect(url.parent).toBe(one(r(), "amplifier:database:DatabaseBootstrap").urn);
    expect(url.options.aliasParents).toContain(one(r(), "amplifier:security:KeyVault").urn);
    expect(url.options.retainOnDelete).toBe(true);
    // Still the first reference, as before: the web app's settings list keeps its order.
    const names = (one(r(), T.webApp).inputs.siteConfig.appSettings as { name: string; value: string }[]).filter((x) => x.value.startsWith("@Microsoft.KeyVault(")).map((x) => x.name);
    expect(names.slice(0, 4)).toEqual(["DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FALLBACKS", "TELEMETRY_APP_INSIGHTS_CONNECTION_STRING"]);
  });

  test("DATABASE_URL names the app's role and carries no password; a plain setting says: fetch a token", () => {
    const url = new URL(String(r().outputs.DATABASE_URL).replace("postgresql+asyncpg:", "postgresql:"));
    expect([url.username, url.password, url.searchParams.get("ssl")]).toEqual([APP_ROLE, "", "require"]);
    const vaultValue = one(r(), T.secret, "key-vault-postgresql-connection-string").inputs.properties.value;
    expect(vaultValue).toBe(r().outputs.DATABASE_URL);
    const settings = Object.fromEntries((one(r(), T.webApp).inputs.siteConfig.appSettings as { name: string; value: string }[]).map((s) => [s.name, s.value]));
    expect(settings.DATABASE_AUTH_MODE).toBe("entra");
    expect(settings.DATABASE_URL).toMatch(/^@Microsoft\.KeyVault\(/);
    expect(r().outputs.databaseRole).toBe(APP_ROLE);
    expect(r().secretOutputs).toContain("databaseAdminPassword");
  });

  test("the same program twice: the same key (no re-run); another SQL: another key (a re-run)", async () => {
    const again = await runStack(at(chosen[label]));
    expect(one(again, T.run).inputs.key).toBe(one(r(), T.run).inputs.key);
    const otherSql = await runStack({ ...at(chosen[label]), overrides: { postgres: { initSqlPath: GRANTS_SQL_PATH } } });
    expect(one(otherSql, T.run).inputs.key).not.toBe(one(r(), T.run).inputs.key);
    // Tags change nothing in the database: no re-run.
    const otherTags = await runStack({ ...at(chosen[label]), overrides: { tags: { costCenter: "platform" } } });
    expect(one(otherTags, T.run).inputs.group.tags).toMatchObject({ "cost-center": "platform" });
    expect(one(otherTags, T.run).inputs.key).toBe(one(r(), T.run).inputs.key);
  });
});

test.each(stacks)("npm run plan -- %s shows the bootstrap identity, its admin and its run, and says DATABASE_URL departs from the spec", (label) => {
  const { stack, dir } = chosen[label];
  const text = renderText(buildPlan(runs[label], { exceptions: stackExceptions(stack, dir) }), { color: false, width: 120 });
  expect(text).toContain(`name: id-amplifier-db-bootstrap-${stack}`);
  expect(text).toContain(`principal: id-amplifier-db-bootstrap-${stack} · type: ServicePrincipal`);
  expect(text).toContain(`creates: role ${APP_ROLE} for UserAssignedIdentity id-amplifier-api-${stack}; init SQL; grants`);
  expect(text).toContain(`DATABASE_URL: as ${APP_ROLE}, no password: departs from the spec on purpose`);
});

test.each(stacks)("a first preview of %s (ids unknown) registers the run after its admin, and invokes only what the read role covers", async (label) => {
  const preview = await runStack({ ...at(chosen[label]), preview: true });
  const run = one(preview, T.run);
  expect(run.dependencies).toContain(one(preview, T.admin, "database-bootstrap-entra-admin").urn);
  expect(preview.invokes.map((i) => i.token).filter((t) => !(t in INVOKE_ACTIONS))).toEqual([]);
});

describe("where the run reaches the server", () => {
  test("a private server (prod): the container joins the VNet's delegated subnet and waits for the endpoint and its DNS", () => {
    const r = runs[covered.find((c) => NETWORKED.has(c.cfg))!.label];
    const run = one(r, T.run);
    const subnet = one(r, T.vnet).inputs.subnets.find((s: { name: string }) => s.name === "snet-db-bootstrap");
    expect(subnet.delegations).toEqual([{ name: "container-instances", serviceName: "Microsoft.ContainerInstance/containerGroups" }]);
    expect(run.inputs.group.properties.subnetIds).toEqual([{ id: `${one(r, T.vnet).state.id}/subnets/snet-db-bootstrap` }]);
    for (const type of ["network:PrivateEndpoint", "network:PrivateDnsZoneGroup", "privatedns:VirtualNetworkLink"]) {
      expect(run.dependencies.some((urn) => urn.includes(`azure-native:${type}::`))).toBe(true);
    }
  });

  test("a public server (test): no subnet; the AllowAzureServices rule admits the container", () => {
    const r = runs[covered.find((c) => PUBLIC.has(c.cfg))!.label];
    expect(one(r, T.run).inputs.group.properties.subnetIds).toBeUndefined();
    expect(byType(r, T.firewall).map((f) => [f.inputs.startIpAddress, f.inputs.endIpAddress])).toContainEqual(["0.0.0.0", "0.0.0.0"]);
  });
});

describe("the run's provider in Pulumi's own dynamic-provider host", () => {
  let host: DynamicHost;
  let identity: StandInIdentity;
  beforeAll(async () => {
    // The host gets the deploy job's environment (deploy.yml's ARM_* variables, GitHub's OIDC request variables).
    identity = await standInIdentity();
    host = await startDynamicHost("urn:pulumi:test::amplifier-infra::amplifier:database:DatabaseBootstrap$pulumi-nodejs:dynamic/amplifier:BootstrapRun::database-bootstrap-run", {
      PATH: process.env.PATH,
      ...identity.env,
    });
  });
  afterAll(() => {
    host?.stop();
    identity?.close();
  });

  const inputs = async (exitCode: number, key = "k1", script?: (method: string, path: string, n: number) => ArmAnswer | undefined) => {
    // Every ARM call must carry a token the stand-in Entra ID issued.
    const arm = await standInArm(exitCode, (token) => identity.issued.includes(token), script);
    const props = runInputs(arm, identity, key, "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerInstance/containerGroups/ci-x");
    return { arm, props };
  };

  test("first up: creates the container group, waits for exit 0, reads its log, deletes it", async () => {
    const { arm, props } = await inputs(0);
    try {
      const created = await host.create(props);
      expect(created.id).toBe("bootstrap-/servers/a");
      expect(created.props).toMatchObject({ key: "k1", log: "database bootstrap succeeded\n" });
      const path = "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerInstance/containerGroups/ci-x";
      expect(arm.calls[0]).toBe(`DELETE ${path} auth=ok`);
      expect(arm.calls).toContain(`PUT ${path} auth=ok`);
      // The group is gone before the run reports success: DELETE, then a GET that says 404.
      expect(arm.calls.slice(-3)).toEqual([`GET ${path}/containers/bootstrap/logs auth=ok`, `DELETE ${path} auth=ok`, `GET ${path} auth=ok`]);
      expect(arm.body()).toEqual(props.group);
    } finally {
      arm.close();
    }
  });

  test("a failing SQL fails the deploy: create and update reject with the container's log", async () => {
    const { arm, props } = await inputs(1);
    try {
      await expect(host.create(props)).rejects.toThrow(/exited with 1[\s\S]*syntax error at or near "GRAN"/);
    } finally {
      arm.close();
    }
    const again = await inputs(1, "k2");
    try {
      await expect(host.update("bootstrap-/servers/a", { ...again.props, key: "k1" }, again.props)).rejects.toThrow(/exited with 1/);
    } finally {
      again.arm.close();
    }
  });

  test("ARM's errors fail the run at once with ARM's message: 401, 403, a provider not registered", async () => {
    const cases: [string, (m: string, p: string, n: number) => ArmAnswer | undefined, RegExp, number][] = [
      // An expired token while polling: no spinning until the deadline.
      ["401 on the poll", (m, p) => (m === "GET" && !p.endsWith("/logs") && armState.put ? [401, { error: { code: "ExpiredAuthenticationToken", message: "The access token expiry..." } }] : undefined), /GET .* answered 401: ExpiredAuthenticationToken/, 1],
      ["403 on the PUT", (m) => (m === "PUT" ? [403, { error: { code: "AuthorizationFailed", message: "does not have authorization" } }] : undefined), /PUT .* answered 403: AuthorizationFailed/, 1],
      ["provider not registered", (m) => (m === "PUT" ? [409, { error: { code: "MissingSubscriptionRegistration", message: "The subscription is not registered to use namespace 'Microsoft.ContainerInstance'." } }] : undefined), /409: MissingSubscriptionRegistration[\s\S]*npm run azure-setup/, 1],
    ];
    const armState = { put: false };
    for (const [name, script, error, puts] of cases) {
      armState.put = false;
      const { arm, props } = await inputs(0, "k1", (m, p, n) => {
        if (m === "PUT") armState.put = true;
        return script(m, p, n);
      });
      try {
        await expect(host.create(props)).rejects.toThrow(error);
        // At the first error: one PUT, at most one poll, no spinning until the deadline.
        expect({ name, puts: arm.calls.filter((c) => c.startsWith("PUT")).length }).toEqual({ name, puts });
        expect({ name, polls: arm.calls.filter((c) => /^GET \S+ci-x auth/.test(c)).length <= 2 }).toEqual({ name, polls: true });
      } finally {
        arm.close();
      }
    }
  });

  test("429: waits as Retry-After says and goes on; a DELETE that fails fails the run (the group holds the admin identity)", async () => {
    const throttled = await inputs(0, "k1", (m, p, n) => (m === "GET" && !p.endsWith("/logs") && n === 1 ? [429, { error: { code: "TooManyRequests" } }, { "Retry-After": "1" }] : undefined));
    try {
      await expect(host.create(throttled.props)).resolves.toMatchObject({ props: { log: "database bootstrap succeeded\n" } });
      expect(throttled.arm.calls.filter((c) => c.startsWith("GET") && !c.includes("/logs")).length).toBeGreaterThanOrEqual(3);
    } finally {
      throttled.arm.close();
    }
    // The final DELETE (the second one: the first clears a group an interrupted run left) is refused.
    const stuck = await inputs(0, "k1", (m, _p, n) => (m === "DELETE" && n === 1 ? [403, { error: { code: "ScopeLocked", message: "locked" } }] : undefined));
    try {
      await expect(host.create(stuck.props)).rejects.toThrow(/DELETE .* answered 403: ScopeLocked: locked/);
    } finally {
      stuck.arm.close();
    }
  });

  test("re-runs when the key changes (an update, never a replacement), not for a state an older provider text wrote", async () => {
    const { arm, props } = await inputs(0);
    arm.close();
    // A state written by an older build of the provider text, which still carried an ARM token input: no change (and
    // the next up stores the new inputs, without it).
    expect(await host.diff("x", { ...props, armToken: "old-token", __provider: "exports.handler = () => ({});" }, props)).toEqual({ changes: DIFF.none, replaces: [] });
    expect(await host.diff("x", props, { ...props, key: "k2" })).toEqual({ changes: DIFF.some, replaces: [] });
  });

  test("refresh keeps the state (no read: the drift check stays clean); teardown forgets it (no delete)", async () => {
    const { arm, props } = await inputs(0);
    arm.close();
    expect(await host.read("bootstrap-/servers/a", props)).toEqual({ id: "bootstrap-/servers/a", props });
    await expect(host.delete("bootstrap-/servers/a", props)).resolves.toBeUndefined();
    expect(arm.calls).toEqual([]);
  });
});
