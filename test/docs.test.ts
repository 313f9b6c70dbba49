/**
 * The generated documents are what the code says: the generated sections of README and docs/lifecycle.md, docs/configuration.md (every stack
 * config key, from the zod schemas) and docs/policy-rules.md (from policy/rules/). One command regenerates them all.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { allowedKeysAt } from "../config/errors";
import { stackConfigSchema } from "../config/schema";
import { listStacks, PROJECT_DIR } from "../config/stack-files";
import { RULES } from "../policy/rules";
import { cell, configReference } from "../tools/config-reference";
import { DOCS_COMMAND, generatedDocs, main as docs, staleDocs } from "../tools/docs";
import { loadAllStackConfigs } from "../tools/environments-table";
import { captureIo, projectStackConfig, scratchProject } from "./support/checkout";
import { hasStackFile, STACK_FIXTURES } from "./support/stacks";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");

test(`every generated document is up to date (run \`${DOCS_COMMAND}\`)`, async () => {
  const stale = await staleDocs();
  expect(stale.map((file) => `${file} is stale: run \`${DOCS_COMMAND}\``)).toEqual([]);
  expect((await generatedDocs()).map((d) => d.file)).toEqual(["README.md", "docs/configuration.md", "docs/lifecycle.md", "docs/policy-rules.md"]);
  expect(DOCS_COMMAND).toBe("npm run docs");
  const pkg = JSON.parse(read("package.json"));
  expect(pkg.scripts.docs).toMatch(/ docs --write$/);
});

test("a hand-edited or missing generated file is reported stale", async () => {
  // What the documents are made from and of: the stack files, the init SQL Azure stacks read, README and docs/.
  const inputs = [...listStacks().map((s) => `Pulumi.${s}.yaml`), "scripts/init-dev-db.sql", "README.md", "docs/configuration.md", "docs/lifecycle.md", "docs/policy-rules.md"];
  const dir = scratchProject(Object.fromEntries(inputs.map((f) => [f, read(f)])));
  try {
    expect(await staleDocs(dir)).toEqual([]);
    fs.appendFileSync(path.join(dir, "docs/configuration.md"), "| `postgres.skuNam` | string | | | a key that does not exist |\n");
    fs.rmSync(path.join(dir, "docs/policy-rules.md"));
    expect(await staleDocs(dir)).toEqual(["docs/configuration.md", "docs/policy-rules.md"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("`npm run docs` rewrites only what is stale and says which files it changed", async () => {
  const inputs = [...listStacks().map((s) => `Pulumi.${s}.yaml`), "scripts/init-dev-db.sql", "README.md", "docs/configuration.md", "docs/lifecycle.md", "docs/policy-rules.md"];
  const dir = scratchProject(Object.fromEntries(inputs.map((f) => [f, read(f)])));
  try {
    fs.appendFileSync(path.join(dir, "docs/policy-rules.md"), "hand edit\n");
    const readmeTime = fs.statSync(path.join(dir, "README.md")).mtimeMs;
    const first = captureIo();
    expect(await docs(["--write"], first, dir)).toBe(0);
    expect(first.out()).toBe("up to date: README.md\nup to date: docs/configuration.md\nup to date: docs/lifecycle.md\nupdated: docs/policy-rules.md\n");
    expect(fs.readFileSync(path.join(dir, "docs/policy-rules.md"), "utf8")).toBe(read("docs/policy-rules.md"));
    expect(fs.statSync(path.join(dir, "README.md")).mtimeMs).toBe(readmeTime);
    const again = captureIo();
    await docs(["--write"], again, dir);
    expect(again.out()).not.toContain("updated");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe("docs/configuration.md", () => {
  const reference = configReference();
  const rowsOf = (block: string) => reference.find((b) => b.block === block)!.rows;
  const row = (block: string, key: string) => rowsOf(block).find((r) => r.key === key)!;

  test("has a table for every block of the stack schema and a row for every key, nested ones included", () => {
    const blocks = allowedKeysAt(stackConfigSchema, []).filter((k) => allowedKeysAt(stackConfigSchema, [k]).length);
    expect(reference.map((b) => b.block)).toEqual(["", ...blocks]);
    expect(blocks).toEqual(expect.arrayContaining(["docker", "postgres", "keyVault", "appService", "app", "storage", "monitoring", "network", "delivery", "policy", "tags", "azure"]));
    expect(rowsOf("").map((r) => r.key)).toEqual(["environment", "platform", "namePrefix", "protect", "locks", "domains"]);
    // Every key the schema accepts, walked the way the "unknown key" errors walk it.
    const keysUnder = (at: (string | number)[], prefix: string): string[] =>
      allowedKeysAt(stackConfigSchema, at).flatMap((k) => {
        const nested = [...at, k];
        const inList = allowedKeysAt(stackConfigSchema, [...nested, 0]);
        if (inList.length) return [`${prefix}${k}`, ...keysUnder([...nested, 0], `${prefix}${k}[].`)];
        return [`${prefix}${k}`, ...keysUnder(nested, `${prefix}${k}.`)];
      });
    for (const block of blocks) expect([block, rowsOf(block).map((r) => r.key)]).toEqual([block, keysUnder([block], "")]);
    for (const b of reference) for (const r of b.rows) expect([b.block, r.key, r.description.length > 0]).toEqual([b.block, r.key, true]);
  });

  test("types, defaults and limits come from the schema", () => {
    expect(row("postgres", "backupRetentionDays")).toEqual(expect.objectContaining({ type: "integer", default: "`7`", allowed: "7–35" }));
    expect(row("postgres", "highAvailability").allowed).toBe("`Disabled`, `ZoneRedundant`, `SameZone`");
    // Limits from Azure's published lists name the list, its source and the date it was read.
    expect(row("postgres", "storageSizeGb").allowed).toMatch(/^one of Azure's sizes in GiB: 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768 \(Microsoft Learn, .+, read \d{4}-\d{2}-\d{2}\)$/);
    // A limit a custom check enforces is stated in words.
    expect(row("postgres", "skuName").allowed).toContain("Standard_D2ds_v5 (GeneralPurpose)");
    expect(row("appService", "planSku").allowed).toMatch(/^an App Service plan SKU for a web app: F1, D1, B1-B3, S1-S3, P1v2-P3v2, P0v3-P3v3, P1mv3-P5mv3/);
    expect(row("network", "appSubnetPrefix").allowed).toBe("a private IPv4 CIDR block (RFC 1918) from /8 to /28, host bits zero");
    expect(row("", "environment")).toEqual(expect.objectContaining({ default: "**required**", allowed: "`development`, `test`, `staging`, `production`" }));
    expect(row("docker", "api.context").default).toBe("**required**");
    expect(row("postgres", "entraAdmin").default).toBe("not set");
    expect(row("docker", "password").description).toMatch(/May be a `secure:` value\.$/);
    // In the file, `<...>` outside code reads as text, not as an HTML tag.
    expect(read("docs/configuration.md")).toContain("Standard_D2ds_v5 (GeneralPurpose)");
    // In the file, `<...>` outside code reads as text, not as an HTML tag; pipes do not end the cell.
    expect(cell("Standard_D<n>ds_v<k> `<stack>` a|b")).toBe("Standard_D&lt;n&gt;ds_v&lt;k&gt; `<stack>` a\\|b");
  });

  test("names derived from namePrefix and the stack are shown as their rule, which is what every stack file derives", () => {
    expect(row("postgres", "serverName").default).toBe("`<namePrefix>-db-<stack>`");
    expect(row("azure", "resourceGroupName").default).toBe("`rg-<namePrefix>-<stack>`");
    expect(row("storage", "accountName").default).toBe("`st<namePrefix><stack>`");
    expect(row("appService", "identityName").default).toBe("`id-<namePrefix>-api-<stack>`");
    expect(row("docker", "volumeName").default).toBe("`postgres_<stack>_data`");
    // Defaults computed from other keys are stated as their rule, never as one stack's value.
    expect(row("keyVault", "publicNetworkAccess").default).toBe("`Disabled` with a `network` block (private endpoint), else `Enabled`");
    expect(row("appService", "alwaysOn").default).toMatch(/where the plan's tier allows it/);
    let checked = 0;
    // Every stack file, and the stand-in of each of the spec's stacks the repository no longer has.
    const configs = [
      ...loadAllStackConfigs().map((cfg) => ({ cfg, dir: PROJECT_DIR })),
      ...loadAllStackConfigs(STACK_FIXTURES).filter((cfg) => !hasStackFile(cfg.stack)).map((cfg) => ({ cfg, dir: STACK_FIXTURES })),
    ];
    for (const { cfg, dir } of configs) {
      const raw = projectStackConfig(cfg.stack, dir);
      for (const b of reference.filter((x) => x.block in cfg)) {
        for (const r of b.rows.filter((x) => /<namePrefix>|<stack>/.test(x.default))) {
          const keyPath = r.key.split(".");
          const written = keyPath.reduce<any>((node, k) => node?.[k], raw[`amplifier-infra:${b.block}`]);
          const derived = keyPath.reduce<any>((node, k) => node?.[k], (cfg as any)[b.block]);
          if (written !== undefined || derived === undefined) continue;
          expect([cfg.stack, b.block, r.key, derived]).toEqual([cfg.stack, b.block, r.key, r.default.slice(1, -1).replace("<namePrefix>", cfg.namePrefix).replace("<stack>", cfg.stackSlug)]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(15);
  });

  test("refuses a key without a description, a pattern without words and a computed default without its rule", () => {
    expect(() => configReference(z.strictObject({ block: z.strictObject({ size: z.number() }).describe("b") }))).toThrow("block.size: no description");
    expect(() => configReference(z.strictObject({ block: z.strictObject({ id: z.string().regex(/^x+$/).describe("an id") }).describe("b") }))).toThrow(
      "block.id: a pattern without words; build it with matching()",
    );
    // locks: `true` on Azure stacks, computed in derive.ts; without its stated rule the docs would show one stack's value.
    const bare = z.strictObject({ locks: z.boolean().optional().describe("locks") });
    expect(() => configReference(bare)).toThrow('locks: derived default true is not a name; state its rule with .meta({ derivedDefault })');
  });
});

test("docs/policy-rules.md has one row per policy rule, in policy/rules/ order", () => {
  const rows = read("docs/policy-rules.md").split("\n").filter((line) => line.startsWith("| `"));
  expect(rows.map((l) => l.split("`")[1])).toEqual(RULES.map((r) => r.name));
  expect(read("README.md")).toContain("[docs/policy-rules.md](docs/policy-rules.md)");
  expect(read("README.md")).toContain("[docs/configuration.md](docs/configuration.md)");
});
