/**
 * The offline plan's model and renderers, over real runs of every stack through the harness: what the spec
 * requires is in the plan, secrets never reach any format, the comparison matches the stack files, JSON is
 * byte-stable (cost: plan-cost.test.ts; diagrams: plan-diagram.test.ts).
 */
import { readStackConfig, stackExceptions } from "../config/stack-files";
import { runProgram, type RunResult } from "../mock-runtime";
import { toDot, toMermaid, toOverviewDot, toOverviewMermaid } from "../plan/diagram";
import { renderJson } from "../plan/json";
import { buildPlan, compareStacks, type Plan } from "../plan/model";
import { renderText, wrapCell } from "../plan/render-text";
import { evaluate } from "../policy/evaluate";
import { at, everyStack } from "./support/stacks";

const runs: Record<string, RunResult> = {};
const plans: Record<string, Plan> = {};
// Every stack file, and the spec's stacks the repository no longer has as their stand-ins (test/support/stacks.ts).
const CHOSEN = Object.fromEntries(everyStack().map((c) => [c.stack, c]));
const STACKS = Object.keys(CHOSEN);
const AZURE_STACKS = STACKS.filter((s) => CHOSEN[s].cfg.platform === "azure");
const exceptions = (stack: string) => stackExceptions(stack, CHOSEN[stack].dir);

beforeAll(async () => {
  for (const stack of STACKS) {
    runs[stack] = await runProgram(at(CHOSEN[stack]));
    if (runs[stack].error) throw runs[stack].error;
    plans[stack] = buildPlan(runs[stack], { exceptions: exceptions(stack) });
  }
});

const text = (p: Plan, others: Plan[] = [], color = false) => renderText(p, { color, width: 120 }, others);
const settingsOf = (p: Plan, type: string) => Object.fromEntries(p.resources.find((r) => r.type === type)!.settings);
const cfg = (stack: string, key: string): any => readStackConfig(stack, CHOSEN[stack].dir)[`amplifier-infra:${key}`];

describe("plan content per stack", () => {
  test("prod: HA server on General Purpose, 14-day backups, no public access, protected", () => {
    const s = settingsOf(plans.prod, "azure-native:dbforpostgresql:Server");
    expect(s).toMatchObject({ name: "amplifier-db-prod", sku: "Standard_D2ds_v5 (GeneralPurpose)", HA: "ZoneRedundant", "public access": "Disabled", password: "[secret]" });
    expect(s.backups).toMatch(/^14 days, geo-redundant Enabled/);
    expect(plans.prod.summary.protected).toEqual(
      expect.arrayContaining(["azure-native:dbforpostgresql:Server postgres-server", "azure-native:resources:ResourceGroup resource-group"]),
    );
    const out = text(plans.prod);
    expect(out).toMatch(/├─ azure-native:dbforpostgresql:Server\s+postgres-server\s+create\s+protected/);
    expect(out).toContain("require_secure_transport: on");
  });

  test("test: Burstable B1ms, public with the AllowAzureServices rule only, nothing protected", () => {
    expect(settingsOf(plans.test, "azure-native:dbforpostgresql:Server")).toMatchObject({ sku: "Standard_B1ms (Burstable)", HA: "Disabled" });
    expect(settingsOf(plans.test, "azure-native:dbforpostgresql:FirewallRule")).toEqual({ rule: "AllowAzureServices", range: "0.0.0.0-0.0.0.0" });
    expect(plans.test.summary.protected).toEqual([]);
  });

  test("dev: postgres:15-alpine on 127.0.0.1:5432 with its healthcheck, and costs nothing", () => {
    const c = settingsOf(plans.dev, "docker:index/container:Container");
    expect(c.ports).toBe("127.0.0.1:5432->5432");
    expect(c.env).toContain("POSTGRES_PASSWORD=[secret]");
    expect(c.healthcheck).toContain("pg_isready -U amplifier_dev");
    expect(settingsOf(plans.dev, "docker:index/remoteImage:RemoteImage").image).toBe("postgres:15-alpine");
    expect(plans.dev.cost.total.usd).toBe(0);
  });

  test("summary counts every resource by type and lists outputs with secrets masked", () => {
    for (const stack of STACKS) {
      const counted = Object.values(plans[stack].summary.countsByType).reduce((a, n) => a + n, 0);
      expect(counted).toBe(runs[stack].resources.length);
      expect(plans[stack].summary.outputs.DATABASE_URL).toBe("[secret]");
    }
    expect(plans.prod.summary.outputs.serverFqdn).toBe("amplifier-db-prod.postgres.database.azure.com");
  });

  test("violations are the policy pack's findings, with the stack's exceptions as advisory", () => {
    for (const stack of STACKS) {
      const expected = evaluate(runs[stack].resources, exceptions(stack));
      expect(plans[stack].violations.map((v) => [v.rule, v.urn, v.enforcement])).toEqual(expected.map((v) => [v.rule, v.urn, v.enforcement]));
    }
    // Without test's documented exceptions, its public endpoint is a mandatory violation; with them, advisory.
    const strict = buildPlan(runs.test);
    expect(strict.violations.find((v) => v.rule === "postgres-public-network-access-disabled")?.enforcement).toBe("mandatory");
    const relaxed = plans.test.violations.find((v) => v.rule === "postgres-public-network-access-disabled")!;
    expect(relaxed.enforcement).toBe("advisory");
    expect(relaxed.exception).toBe(exceptions("test")["postgres-public-network-access-disabled"]);
    expect(text(plans.test).replace(/\n {8}/g, " ")).toContain(`advisory ${relaxed.severity}: ${relaxed.message}`);
  });

  test("what a reviewer must see: who the alerts reach, by address, and the findings still PENDING", () => {
    const address = cfg("prod", "monitoring").alertEmails[0];
    expect(plans.prod.summary.alertRecipients).toEqual([`${address} (ag-amplifier-prod, e-mail)`]);
    expect(settingsOf(plans.prod, "azure-native:monitor:ActionGroup").email).toBe(address);
    const out = text(plans.prod);
    expect(out).toContain(`Alert recipients (who the stack's alerts reach):\n    ${address} (ag-amplifier-prod, e-mail)\n`);
    // Prod's documented PENDING exceptions (placeholders, Entra admin): advisory, but listed apart and announced on top.
    const pending = plans.prod.violations.filter((v) => v.exception?.startsWith("PENDING"));
    expect(new Set(pending.map((v) => v.rule))).toEqual(new Set(["no-placeholder-values", "postgres-entra-admin"]));
    // The header: every waiver (count and rules), then the pending findings.
    const waivers = Object.keys(exceptions("prod")).sort();
    expect(plans.prod.waivers).toEqual({ count: waivers.length, rules: waivers });
    const header = out.split("\n").slice(2, 5).join(" ");
    expect(header).toBe(
      `Stack prod: ${waivers.length} policy waiver(s), rules made advisory by policy.exceptions in Pulumi.prod.yaml: ${waivers.join(", ")}. ` +
        `${pending.length} policy finding(s) PENDING before the first deploy: documented exceptions to resolve (see Policy below).`,
    );
    // Each finding is listed; a reason shared by several findings is printed once, with their count.
    const flat = out.replace(/\s+/g, " ");
    for (const v of pending) expect(flat).toContain(`${v.severity}: ${v.message}`);
    for (const reason of new Set(pending.map((v) => v.exception!))) {
      const n = pending.filter((v) => v.exception === reason).length;
      expect(flat.split(reason.replace(/\s+/g, " ")).length - 1).toBe(1);
      if (n > 1) expect(flat).toContain(`PENDING ${n} findings — exception: ${reason.replace(/\s+/g, " ")}`);
    }
    expect(out).toContain(`0 mandatory, ${plans.prod.violations.length} advisory (${pending.length} pending)`);
    // The placeholders a reviewer must replace are each named.
    expect(pending.filter((v) => v.rule === "no-placeholder-values").map((v) => /has (.+?) pointing at/.exec(v.message)?.[1])).toEqual([
      "alert e-mail receiver",
      "app setting ALLOWED_ORIGINS",
      "app setting JWT_PUBLIC_KEY_URL",
      "app setting JWT_ISSUER",
      "app setting JWT_AUDIENCE",
    ]);
  });

  test("a stack whose alerts reach nobody says so; a Docker stack has no action group", async () => {
    expect(plans.dev.summary.alertRecipients).toEqual([]);
    expect(text(plans.dev)).toContain("Alert recipients (who the stack's alerts reach):\n    none\n");
    const silent = await runProgram({ ...at(CHOSEN.prod), overrides: { monitoring: { alertEmails: [] } } });
    const plan = buildPlan(silent, { exceptions: exceptions("prod") });
    expect(plan.summary.alertRecipients).toEqual([]);
    expect(plan.violations.filter((v) => v.rule === "alerts-reach-a-recipient").map((v) => [v.resource, v.enforcement])).toEqual([
      ["monitoring-action-group", "mandatory"],
      ["postgres-server", "mandatory"],
    ]);
  });
});

describe("secrets", () => {
  /** Every secret value of a run, in the forms it could leak in. */
  function secretValues(run: RunResult): string[] {
    const values = run.secretOutputs.map((k) => String(run.outputs[k]));
    for (const r of run.resources) if (r.type.includes("RandomPassword")) values.push(r.state.result);
    if (run.stack === "dev") values.push("dev_password");
    const all = values.flatMap((v) => [v, encodeURIComponent(v)]);
    expect(all.length).toBeGreaterThan(1);
    return all;
  }

  test.each(STACKS)("no secret value of %s appears in text, JSON, Mermaid or DOT (both levels of detail)", (stack) => {
    const others = STACKS.filter((s) => s !== stack).map((s) => plans[s]);
    const diagrams = [toMermaid, toDot, toOverviewMermaid, toOverviewDot].map((f) => f(plans[stack]));
    const formats = [text(plans[stack], others), text(plans[stack], others, true), renderJson(plans[stack], others), ...diagrams];
    for (const secret of STACKS.flatMap((s) => secretValues(runs[s]))) {
      for (const out of formats) expect(out).not.toContain(secret);
    }
  });
});

describe("--diff: the environment comparison matches the stack files", () => {
  test.each(AZURE_STACKS)("%s column follows its stack file", (stack) => {
    const pg = cfg(stack, "postgres");
    const f = plans[stack].facts;
    expect(f.Tier).toMatch(new RegExp(`^${pg.skuName} \\(`));
    expect(f["High availability"]).toBe(pg.highAvailability === "Disabled" ? "No" : pg.highAvailability);
    expect(f["Backup retention"]).toBe(`${pg.backupRetentionDays} days${pg.geoRedundantBackup ? ", geo-redundant" : ""}`);
    expect(f.Storage).toBe(`${pg.storageSizeGb} GiB`);
    expect(f["Database location"]).toBe(`Azure PostgreSQL Flexible Server (${cfg(stack, "azure").location})`);
    expect(f["Public access"].startsWith("public")).toBe(pg.publicNetworkAccess === "Enabled");
    expect(f.SSL).toBe("Required (min TLSv1.2)");
    expect(f.Protected === "none").toBe(cfg(stack, "protect") === false);
  });

  test("dev column follows Pulumi.dev.yaml", () => {
    const d = cfg("dev", "docker");
    expect(plans.dev.facts).toMatchObject({ "Database location": "Local Docker", Tier: d.image, "Backup retention": "No backups", SSL: "No" });
    expect(plans.dev.facts["Public access"]).toBe(`localhost only (127.0.0.1:${d.hostPort})`);
  });

  test("one row per aspect, one column per stack, differing rows included", () => {
    const table = compareStacks([plans.dev, plans.test, plans.prod]);
    expect(table.stacks).toEqual(["dev", "test", "prod"]);
    const row = (a: string) => table.rows.find((r) => r.aspect === a)!.values;
    expect(row("Server")).toEqual(["container amplifier-postgres-dev", "amplifier-db-test", "amplifier-db-prod"]);
    expect(text(plans.test, [plans.prod])).toMatch(/Environment comparison[\s\S]*High availability\s+\| No\s+\| ZoneRedundant/);
  });
});

describe("formats", () => {
  test("JSON is sorted and byte-identical across two separate runs", async () => {
    const fresh = async (stack: string) => buildPlan(await runProgram(at(CHOSEN[stack])), { exceptions: exceptions(stack) });
    const a = renderJson(plans.prod, [plans.test]);
    expect(renderJson(await fresh("prod"), [await fresh("test")])).toBe(a);
    const parsed = JSON.parse(a);
    expect(Object.keys(parsed)).toEqual(["comparison", "plans", "version"]);
    expect(Object.keys(parsed.plans[0])).toEqual([...Object.keys(parsed.plans[0])].sort());
    expect(parsed.plans[0].violations).toEqual(JSON.parse(JSON.stringify(plans.prod.violations)));
  });

  test("colour only when asked: ANSI codes in colour mode, none in plain", () => {
    expect(text(plans.prod, [], true)).toContain("\u001b[");
    expect(text(plans.prod)).not.toContain("\u001b[");
  });

  test.each([80, 120])("values are wrapped, never cut, at width %i: whole names in their column, every setting's characters, no ellipsis", (width) => {
    for (const stack of STACKS) {
      const plan = plans[stack];
      const lines = renderText(plan, { color: false, width }).split("\n");
      expect([stack, lines.filter((l) => l.includes("…"))]).toEqual([stack, []]);
      const header = lines.findIndex((l) => /^\s+Type\s+Name\s+Plan$/.test(l));
      const nameAt = lines[header].indexOf("Name");
      const nameW = lines[header].indexOf("Plan") - nameAt - 2;
      const rows = lines.map((l, i) => (i > header && l.startsWith(" +   ") ? i : -1)).filter((i) => i >= 0);
      plan.resources.forEach((r, k) => {
        const block = lines.slice(rows[k], rows[k + 1] ?? lines.findIndex((l, i) => i > header && l === ""));
        // The name column of the row's lines holds the name's pieces in order, and the pieces are the whole name.
        const pieces = wrapCell(r.name, nameW);
        expect(pieces.join("")).toBe(r.name);
        expect([stack, width, block.slice(0, pieces.length).map((l) => l.slice(nameAt, nameAt + nameW).trim())]).toEqual([stack, width, pieces]);
        const settings = block.join("").replace(/[\s│├└─]+/g, "");
        for (const [key, value] of r.settings) expect([stack, r.name, settings.includes(`${key}:${value}`.replace(/[\s│├└─]+/g, ""))]).toEqual([stack, r.name, true]);
      });
    }
  });

  test("lines fit the width (except the comparison of several stacks, which wraps cells)", () => {
    for (const line of text(plans.prod).split("\n")) expect(line.length).toBeLessThanOrEqual(120);
  });
});
