/**
 * The real program, run per stack file under Pulumi's mock runtime: the spec's values, secrets kept secret, the
 * ServerIsBusy ordering, deletion guards, and a new environment that needs no code.
 */
import { devAppRoleSql } from "../components/database-roles";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../config/stack-files";
import { byType, dependsOnTransitively, oneOfType, RegisteredResource, runStack, RunResult } from "../mock-runtime";
import { at, AZURE, azureConfig, specStack, stackWith } from "./support/stacks";

const SERVER = "azure-native:dbforpostgresql:Server";
/** A stand-in API checkout inside the project (docker.api.context may not point outside it). */
const API_CHECKOUT = "test/fixtures/amplifier-app-api";
const SERVER_CHILDREN = [
  "azure-native:dbforpostgresql:Database",
  "azure-native:dbforpostgresql:Configuration",
  "azure-native:dbforpostgresql:FirewallRule",
];

function configValue(result: RunResult, name: string): string | undefined {
  return byType(result, "azure-native:dbforpostgresql:Configuration").find((c) => c.inputs.configurationName === name)?.inputs
    .value;
}

// The spec's environments: the repository's files while they exist, else their stand-ins (test/support/stacks.ts).
const dev = specStack("dev");

describe("dev: local PostgreSQL 15 in Docker", () => {
  let result: RunResult;
  beforeAll(async () => {
    result = await runStack(at(dev));
  });

  test("uses only Docker resources (no Azure credentials needed)", () => {
    const custom = result.resources.filter((r) => r.custom);
    expect(custom.length).toBeGreaterThan(0);
    for (const r of custom) expect(r.type).toMatch(/^docker:/);
  });

  test("postgres:15-alpine is pulled and kept locally", () => {
    const image = oneOfType(result, "docker:index/remoteImage:RemoteImage");
    expect(image.inputs).toMatchObject({ name: "postgres:15-alpine", keepLocally: true });
  });

  test("the container matches the spec's compose service", () => {
    const c = oneOfType(result, "docker:index/container:Container");
    expect(c.inputs.name).toBe("amplifier-postgres-dev");
    expect(c.inputs.envs).toEqual(["POSTGRES_USER=amplifier_dev", "POSTGRES_PASSWORD=dev_password", "POSTGRES_DB=amplifier_dev"]);
    expect(c.inputs.ports).toEqual([{ internal: 5432, external: 5432, ip: "127.0.0.1" }]);
    expect(c.inputs.restart).toBe("unless-stopped");
    expect(c.inputs.healthcheck).toMatchObject({
      tests: ["CMD-SHELL", "pg_isready -U amplifier_dev -d amplifier_dev"],
      interval: "5s",
      timeout: "5s",
      retries: 5,
    });
    expect(c.inputs.wait).toBe(true);
  });

  test("data lives on the named volume", () => {
    const volume = oneOfType(result, "docker:index/volume:Volume");
    expect(volume.inputs.name).toBe("postgres_dev_data");
    const c = oneOfType(result, "docker:index/container:Container");
    expect(c.inputs.volumes).toEqual([{ volumeName: "postgres_dev_data", containerPath: "/var/lib/postgresql/data" }]);
  });

  test("the repo's init SQL, the app's role and the shared grants file are uploaded into /docker-entrypoint-initdb.d/, in that order", () => {
    const c = oneOfType(result, "docker:index/container:Container");
    const sql = fs.readFileSync(path.join(PROJECT_DIR, "scripts/init-dev-db.sql"), "utf8");
    const grants = fs.readFileSync(path.join(PROJECT_DIR, "scripts/app-grants.sql"), "utf8");
    expect(c.inputs.uploads).toEqual([
      { file: "/docker-entrypoint-initdb.d/10-init.sql", content: sql },
      { file: "/docker-entrypoint-initdb.d/20-app-role.sql", content: devAppRoleSql("dev_password") },
      { file: "/docker-entrypoint-initdb.d/30-app-grants.sql", content: grants },
    ]);
    expect(sql).toContain('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"');
  });

  test("the password is a secret input of the container (its env and the app role's SQL)", () => {
    const c = oneOfType(result, "docker:index/container:Container");
    expect(c.inputs.envs[1]).toMatch(/^POSTGRES_PASSWORD=/);
    expect(c.secretInputs).toEqual(["envs[1]", "uploads[1].content"]);
  });

  test("outputs a ready DATABASE_URL as the app's role (secret), the superuser's URL for admin work (secret) and the parts", () => {
    expect(result.outputs).toMatchObject({
      DATABASE_URL: "postgresql+asyncpg://amplifier_app:dev_password@localhost:5432/amplifier_dev",
      DATABASE_ADMIN_URL: "postgresql+asyncpg://amplifier_dev:dev_password@localhost:5432/amplifier_dev",
      databaseRole: "amplifier_app",
      databaseHost: "localhost",
      databasePort: 5432,
      databaseName: "amplifier_dev",
      databaseUser: "amplifier_dev",
    });
    expect(result.secretOutputs.sort()).toEqual(["DATABASE_ADMIN_URL", "DATABASE_URL"]);
  });

  test("no API container unless a checkout is configured", () => {
    expect(byType(result, "docker:index/container:Container")).toHaveLength(1);
    expect(byType(result, "docker:index/network:Network")).toHaveLength(0);
  });

  test("with an API checkout: built image, private network, started after the healthy database", async () => {
    const withApi = await runStack({ ...at(dev), overrides: { docker: { api: { context: API_CHECKOUT } } } });
    const containers = byType(withApi, "docker:index/container:Container");
    const db = containers.find((c) => c.inputs.name === "amplifier-postgres-dev")!;
    const api = containers.find((c) => c.inputs.name === "amplifier-api-dev")!;
    expect(api).toBeDefined();
    const network = oneOfType(withApi, "docker:index/network:Network");
    expect(api.inputs.networksAdvanced).toEqual([{ name: network.inputs.name }]);
    expect(db.inputs.networksAdvanced).toEqual([{ name: network.inputs.name, aliases: ["postgres"] }]);
    expect(api.inputs.ports).toEqual([{ internal: 8765, external: 8765, ip: "127.0.0.1" }]);
    expect(api.inputs.envs).toContain("ENVIRONMENT=development");
    expect(api.inputs.envs).toContain(
      "DATABASE_URL=postgresql+asyncpg://amplifier_app:dev_password@amplifier-postgres-dev:5432/amplifier_dev",
    );
    const urlIndex = (api.inputs.envs as string[]).findIndex((e) => e.startsWith("DATABASE_URL="));
    expect(api.secretInputs).toEqual([`envs[${urlIndex}]`]);
    expect(api.dependencies).toContain(db.urn);
    const image = oneOfType(withApi, "docker:index/image:Image");
    expect(image.inputs.build.context).toBe(path.resolve(PROJECT_DIR, API_CHECKOUT));
    expect(image.inputs.skipPush).toBe(true);
    expect(withApi.outputs.apiUrl).toBe("http://localhost:8765");
  });
});

describe.each([
  {
    stack: "test" as const,
    server: "amplifier-db-test",
    database: "amplifier_test",
    sku: { name: "Standard_B1ms", tier: "Burstable" },
    storage: 32,
    backup: { backupRetentionDays: 7, geoRedundantBackup: "Disabled" },
    ha: "Disabled",
    publicAccess: "Enabled",
    protect: false,
  },
  {
    stack: "prod" as const,
    server: "amplifier-db-prod",
    database: "amplifier_prod",
    sku: { name: "Standard_D2ds_v5", tier: "GeneralPurpose" },
    storage: 64,
    backup: { backupRetentionDays: 14, geoRedundantBackup: "Enabled" },
    ha: "ZoneRedundant",
    publicAccess: "Disabled",
    protect: true,
  },
])("$stack: Azure Database for PostgreSQL Flexible Server", (spec) => {
  let result: RunResult;
  let server: RegisteredResource;
  beforeAll(async () => {
    result = await runStack(at(specStack(spec.stack)));
    server = oneOfType(result, SERVER);
  });

  test("server settings from the spec", () => {
    expect(server.inputs).toMatchObject({
      serverName: spec.server,
      version: "15",
      sku: spec.sku,
      storage: { storageSizeGB: spec.storage, autoGrow: "Disabled" },
      backup: spec.backup,
      highAvailability: { mode: spec.ha },
      network: { publicNetworkAccess: spec.publicAccess },
      administratorLogin: "amplifier_admin",
      location: "eastus",
    });
  });

  test("resource group and tags from config", () => {
    const group = oneOfType(result, "azure-native:resources:ResourceGroup");
    expect(group.inputs).toMatchObject({ resourceGroupName: `rg-amplifier-${spec.stack}`, location: "eastus" });
    const tags = { environment: spec.stack === "prod" ? "production" : "test", "managed-by": "amplifier", "cost-center": "engineering" };
    expect(group.inputs.tags).toEqual(tags);
    expect(server.inputs.tags).toEqual(tags);
  });

  test("the database from the spec", () => {
    const db = oneOfType(result, "azure-native:dbforpostgresql:Database");
    expect(db.inputs).toMatchObject({ databaseName: spec.database, serverName: spec.server });
  });

  test("TLS is enforced through server parameters", () => {
    expect(configValue(result, "require_secure_transport")).toBe("on");
    expect(configValue(result, "ssl_min_protocol_version")).toBe("TLSv1.2");
  });

  test("the admin password is generated (>= 24 chars) and only ever secret", () => {
    const password = oneOfType(result, "random:index/randomPassword:RandomPassword");
    expect(password.inputs.length).toBeGreaterThanOrEqual(24);
    expect(server.secretInputs).toContain("administratorLoginPassword");
    expect(server.inputs.administratorLoginPassword).toHaveLength(password.inputs.length);
  });

  test("outputs: FQDN, database, admin login, the app's DATABASE_URL (its role, no password) and the break-glass password", () => {
    const password = server.inputs.administratorLoginPassword as string;
    expect(result.outputs).toMatchObject({
      serverFqdn: `${spec.server}.postgres.database.azure.com`,
      databaseName: spec.database,
      adminLogin: "amplifier_admin",
      databaseRole: "amplifier_app",
      databaseAdminPassword: password,
      DATABASE_URL: `postgresql+asyncpg://amplifier_app@${spec.server}.postgres.database.azure.com:5432/${spec.database}?ssl=require`,
    });
    expect(result.secretOutputs.sort()).toEqual(["DATABASE_URL", "databaseAdminPassword"]);
  });

  test("no two writes to the server can run at once (ServerIsBusy)", () => {
    const children = result.resources.filter((r) => SERVER_CHILDREN.includes(r.type));
    expect(children.length).toBeGreaterThanOrEqual(3);
    for (const child of children) expect(dependsOnTransitively(result, child, server)).toBe(true);
    // A total order: of any two children, one waits for the other.
    for (let i = 0; i < children.length; i++) {
      for (let j = i + 1; j < children.length; j++) {
        const ordered = dependsOnTransitively(result, children[i], children[j]) || dependsOnTransitively(result, children[j], children[i]);
        expect({ pair: [children[i].name, children[j].name], ordered }).toEqual({ pair: [children[i].name, children[j].name], ordered: true });
      }
    }
  });

  test(`protect is ${spec.protect ? "on" : "off"} for the server and the resource group`, () => {
    expect(server.options.protect).toBe(spec.protect);
    expect(oneOfType(result, "azure-native:resources:ResourceGroup").options.protect).toBe(spec.protect);
  });

  test("the same program and config register the same resources twice (deterministic)", async () => {
    // Two real runs: the shared runtime (test/support/share-runs.ts) would hand back a copy of the first.
    const actual: typeof import("../mock-runtime") = jest.requireActual("../mock-runtime");
    const again = await actual.runStack(at(specStack(spec.stack)));
    const shape = (r: RunResult) => r.resources.map((x) => ({ type: x.type, name: x.name, inputs: x.inputs, protect: x.options.protect }));
    expect(shape(again)).toEqual(shape(result));
    expect(again.outputs).toEqual(result.outputs);
  });
});

describe("test-only firewall rules", () => {
  test("AllowAzureServices (0.0.0.0) plus the configured CI/developer addresses", async () => {
    const result = await runStack({
      ...at(specStack("test")),
      overrides: {
        postgres: {
          firewallRules: [
            { name: "ci-runner", startIpAddress: "203.0.113.10", endIpAddress: "203.0.113.10" },
            { name: "office", startIpAddress: "198.51.100.0", endIpAddress: "198.51.100.15" },
          ],
        },
      },
    });
    const rules = byType(result, "azure-native:dbforpostgresql:FirewallRule").map((r) => r.inputs);
    expect(rules).toEqual([
      expect.objectContaining({ firewallRuleName: "AllowAzureServices", startIpAddress: "0.0.0.0", endIpAddress: "0.0.0.0" }),
      expect.objectContaining({ firewallRuleName: "ci-runner", startIpAddress: "203.0.113.10", endIpAddress: "203.0.113.10" }),
      expect.objectContaining({ firewallRuleName: "office", startIpAddress: "198.51.100.0", endIpAddress: "198.51.100.15" }),
    ]);
  });

  test("prod has no firewall rule at all", async () => {
    const result = await runStack(at(specStack("prod")));
    expect(byType(result, "azure-native:dbforpostgresql:FirewallRule")).toEqual([]);
  });
});

describe("DATABASE_URL survives any password", () => {
  // Every URL-special character a config value may hold (a backtick is refused as config: it would close the
  // pull-request summary's code fence).
  const nasty = "p@ss:w/rd?#[]%&=+ $!'\"(){}<>\\^|~,;";

  test("dev: a password full of URL-special characters round-trips through new URL(), as the app's role", async () => {
    const result = await runStack({ ...at(dev), overrides: { docker: { password: nasty } } });
    const url = new URL(result.outputs.DATABASE_URL as string);
    expect(url.protocol).toBe("postgresql+asyncpg:");
    expect(decodeURIComponent(url.username)).toBe("amplifier_app");
    expect(decodeURIComponent(url.password)).toBe(nasty);
    expect(url.hostname).toBe("localhost");
    expect(url.port).toBe("5432");
    expect(url.pathname).toBe("/amplifier_dev");
  });

  test("Azure: the generated admin password is not in the app's URL; it is the break-glass output, secret", async () => {
    const azure = stackWith(AZURE);
    const { serverName, databaseName } = azureConfig(azure).postgres;
    const result = await runStack({
      ...at(azure),
      mockState: (args) => (args.type === "random:index/randomPassword:RandomPassword" ? { result: nasty } : undefined),
    });
    const url = new URL(result.outputs.DATABASE_URL as string);
    expect([decodeURIComponent(url.username), url.password]).toEqual(["amplifier_app", ""]);
    expect([url.hostname, url.port, url.pathname, url.searchParams.get("ssl")]).toEqual([`${serverName}.postgres.database.azure.com`, "5432", `/${databaseName}`, "require"]);
    expect(String(result.outputs.DATABASE_URL)).not.toContain(encodeURIComponent(nasty));
    expect(result.outputs.databaseAdminPassword).toBe(nasty);
    expect(result.secretOutputs).toContain("databaseAdminPassword");
  });
});

describe("a new environment is a new stack file and nothing else", () => {
  // Not listed in non-production-stacks.yaml, so production: the program holds it to production's floors, and
  // otherwise the file is all it takes.
  test("a staging stack written here deploys with derived names", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "amplifier-staging-"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.staging.yaml"),
      [
        "config:",
        "  amplifier-infra:environment: production",
        "  amplifier-infra:platform: azure",
        "  amplifier-infra:azure:",
        "    resourceGroupName: rg-amplifier-staging",
        "  amplifier-infra:appService: {planSku: P1v2, capacity: 2, zoneRedundant: true}",
        "  amplifier-infra:storage: {skuName: Standard_ZRS}",
        "  amplifier-infra:postgres:",
        "    skuName: Standard_B2s",
        "    storageSizeGb: 64",
        "    backupRetentionDays: 10",
        // Private like prod: the database is reached through the network's private endpoint.
        "  amplifier-infra:network: {}",
        "",
      ].join("\n"),
    );
    const result = await runStack({ stack: "staging", dir });
    const server = oneOfType(result, SERVER);
    expect(server.inputs).toMatchObject({
      serverName: "amplifier-db-staging",
      sku: { name: "Standard_B2s", tier: "Burstable" },
      storage: { storageSizeGB: 64 },
      backup: { backupRetentionDays: 10 },
      network: { publicNetworkAccess: "Disabled" },
      tags: { environment: "production", "managed-by": "amplifier", "cost-center": "engineering" },
    });
    expect(server.options.protect).toBe(true);
    expect(result.outputs.databaseName).toBe("amplifier_staging");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
