/**
 * `npm run plan -- <stack> --base <ref>` in a temporary git repository made from this one's tracked files: a base
 * commit, then a change to the working tree's stack file, then the plan. Raise prod's database size (update and the
 * cost), rename its server (a protected replacement: refused), shrink its storage and lower its version (Azure
 * cannot: refused), unprotect and change a create-only input in one go (a stateful replacement: refused), a new stack
 * file (every resource a create) and a deleted one (every resource a delete), the base commit's own code, output
 * formats and usage errors. One repository for the suite; the base commit's runs are shared (plan/base.ts keeps them).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../plan/cli";
import { DIFF_JSON_VERSION } from "../plan/render-diff";
import type { ResourceChange } from "../plan/diff";
import { refusalsOf } from "../plan/refusals";
import type { RegisteredResource } from "../mock-runtime";
import { EXIT } from "../tools/cli";
import { captureIo, scratchCheckout } from "./support/checkout";
import { addSpecStacks } from "./support/stacks";

let repo: string;
let original: Record<string, string> = {};

const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=plan-test", "-c", "user.email=plan-test@example.invalid", ...args], { cwd: repo, stdio: "pipe" });

beforeAll(() => {
  repo = scratchCheckout();
  addSpecStacks(repo);
  git("init", "-q");
  // The shared node_modules are symlinks (gitignore's `node_modules/` matches directories only).
  fs.appendFileSync(path.join(repo, ".git", "info", "exclude"), "/node_modules\n/policy/node_modules\n");
  // The older commit's code differs from the working tree's in one default: its program, not ours, plans the base.
  const database = path.join(repo, "config", "database.ts");
  const code = fs.readFileSync(database, "utf8");
  fs.writeFileSync(database, code.replace('.default(60)\n      .describe("Seconds the first write waits', '.default(45)\n      .describe("Seconds the first write waits'));
  if (fs.readFileSync(database, "utf8") === code) throw new Error("settleSeconds default not found in config/database.ts");
  git("add", "-A");
  git("commit", "-qm", "older code");
  fs.writeFileSync(database, code);
  git("commit", "-qam", "base");
  original = Object.fromEntries(["prod", "test", "dev"].map((s) => [s, fs.readFileSync(path.join(repo, `Pulumi.${s}.yaml`), "utf8")]));
});

afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

/** Restores the working tree's stack files to the base commit's, then applies `edit` to one of them. */
function withStackFile(stack: string, edit?: (text: string) => string | undefined): void {
  for (const f of fs.readdirSync(repo).filter((f) => /^Pulumi\..+\.yaml$/.test(f) && f !== "Pulumi.yaml")) fs.rmSync(path.join(repo, f));
  for (const [s, text] of Object.entries(original)) fs.writeFileSync(path.join(repo, `Pulumi.${s}.yaml`), text);
  if (!edit) return;
  const file = path.join(repo, `Pulumi.${stack}.yaml`);
  const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const after = edit(before);
  if (after === undefined) fs.rmSync(file);
  else if (after === before) throw new Error(`edit of Pulumi.${stack}.yaml changed nothing`);
  else fs.writeFileSync(file, after);
}

async function plan(argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io, repo);
  return { code, out: io.out(), err: io.err() };
}

const json = async (stack: string, ref = "HEAD") => {
  const r = await plan([stack, "--base", ref, "--format", "json"]);
  return { ...r, doc: JSON.parse(r.out) };
};
const resource = (doc: any, name: string) => doc.resources.find((r: { name: string }) => r.name === name);

describe("changes against the base commit", () => {
  test("no change: every resource unchanged, the same cost, exit 0", async () => {
    withStackFile("prod");
    const { code, doc } = await json("prod");
    expect(code).toBe(EXIT.ok);
    expect(doc.resources).toEqual([]);
    expect(doc.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0, refused: 0 });
    expect(doc.summary.same).toBeGreaterThan(50);
    expect(doc.cost.difference).toBe("+$0.00/month");
  });

  test("raising prod's storage updates the server in place, with its cost before and after", async () => {
    withStackFile("prod", (t) => t.replace("storageSizeGb: 64", "storageSizeGb: 128"));
    const { code, doc, out } = await json("prod");
    expect(code).toBe(EXIT.ok);
    // The server, and its settle step, which waits again after a re-shape (components/settle.ts).
    expect(doc.summary).toMatchObject({ update: 2, replace: 0, create: 0, delete: 0 });
    expect(resource(doc, "postgres-settle").changes.map((c: { path: string }) => c.path)).toEqual(["shape"]);
    const server = resource(doc, "postgres-server");
    expect(server).toMatchObject({ action: "update", protect: { before: true, after: true }, replaceBecause: [] });
    expect(server.changes).toEqual([{ path: "storage.storageSizeGB", before: "64", after: "128", createOnly: false }]);
    // Two copies (zone-redundant HA) of 64 more GiB at the table's price: +$14.72.
    expect(server.cost.afterUsd - server.cost.beforeUsd).toBeCloseTo(14.72, 2);
    expect(doc.cost.difference).toBe("+$14.72/month");
    expect(out).not.toContain("[secret]"); // nothing secret changed
    const text = await plan(["prod", "--base", "HEAD"]);
    expect(text.out).toMatch(/~ {2}update {3}azure-native:dbforpostgresql:Server\s+postgres-server\s+protected {2}\$274\.60\/mo → \$289\.32\/mo \(\+\$14\.72\)/);
    expect(text.out).toContain("storage.storageSizeGB: 64 → 128");
    expect(text.out).toMatch(/Changes: 2 to update, \d+ unchanged/);
  });

  test("renaming prod's protected server is a replacement Pulumi refuses: exit 6, what would happen and what to do instead", async () => {
    withStackFile("prod", (t) => t.replace("  amplifier-infra:postgres:\n", "  amplifier-infra:postgres:\n    serverName: amplifier-db-prod2\n"));
    const { code, doc, err } = await json("prod");
    expect(code).toBe(EXIT.refused);
    const server = resource(doc, "postgres-server");
    expect(server).toMatchObject({ action: "replace", replaceBecause: ["serverName"] });
    expect(server.changes).toContainEqual({ path: "serverName", before: "amplifier-db-prod", after: "amplifier-db-prod2", createOnly: true });
    // Its children are named under it in the ARM path: they are replaced too.
    expect(resource(doc, "postgres-param-require-secure-transport")).toMatchObject({ action: "replace", replaceBecause: ["serverName"] });
    expect(doc.refusals.map((r: { name: string; rule: string }) => `${r.name} ${r.rule}`)).toEqual(["postgres-database protected-replace", "postgres-server protected-replace"]);
    const refusal = doc.refusals.find((r: { name: string }) => r.name === "postgres-server");
    expect(refusal.what).toContain('it is protected, so pulumi up stops with "unable to replace resource"');
    expect(refusal.instead).toMatch(/^keep serverName as it is; .*create a second one next to it/);
    expect(err).toBe("plan: stack prod against HEAD: 2 change(s) refused (protected-replace); see Refused in the plan; exit 6\n");
  });

  test("shrinking storage: Azure cannot, so it is refused", async () => {
    withStackFile("prod", (t) => t.replace("storageSizeGb: 64", "storageSizeGb: 32"));
    const { code, doc } = await json("prod");
    expect(code).toBe(EXIT.refused);
    expect(resource(doc, "postgres-server").action).toBe("update");
    expect(doc.refusals.map((r: { rule: string }) => r.rule).sort()).toEqual(["storage-shrink"]);
    const shrink = doc.refusals.find((r: { rule: string }) => r.rule === "storage-shrink");
    expect(shrink.what).toBe("Server postgres-server storage would shrink from 64 to 32 GiB, which Azure cannot do (storage only grows)");
    expect(shrink.instead).toMatch(/^keep postgres\.storageSizeGb at 64 or more/);
  });

  test("lowering the PostgreSQL version: config refuses a version the app's grants are not proven on; a base on a newer one is a refused downgrade", async () => {
    withStackFile("prod", (t) => t.replace("storageSizeGb: 64", "storageSizeGb: 64\n    version: \"14\""));
    const { code, err } = await plan(["prod", "--base", "HEAD", "--format", "json"]);
    expect(code).toBe(EXIT.config);
    expect(err).toContain('postgres.version (got "14"): is offered by Azure, but the app\'s database grants');
    // Only 15 passes config today, so a downgrade reaches the plan only from a base deployed on a newer version.
    const server = (version: string) => ({ inputs: { version, storage: { storageSizeGB: 64 } } }) as unknown as RegisteredResource;
    const change = { urn: "urn:x", type: "azure-native:dbforpostgresql:Server", name: "postgres-server", action: "update", protect: { before: true, after: true }, replaceBecause: [] } as unknown as ResourceChange;
    const [downgrade] = refusalsOf(change, server("16"), server("15"));
    expect(downgrade).toMatchObject({ rule: "version-downgrade", what: "Server postgres-server would go from PostgreSQL 16 down to 15; Azure upgrades a major version in place, never down" });
    expect(refusalsOf(change, server("15"), server("16"))).toEqual([]);
  });

  test("unprotecting while changing a create-only input: Pulumi would replace, but the data goes with it: refused", async () => {
    withStackFile("prod", (t) => t.replace("geoRedundantBackup: true", "geoRedundantBackup: false").replace("  amplifier-infra:environment:", "  amplifier-infra:protect: false\n  amplifier-infra:environment:"));
    const { code, doc } = await json("prod");
    expect(code).toBe(EXIT.refused);
    expect(resource(doc, "postgres-server")).toMatchObject({ action: "replace", protect: { before: true, after: false }, replaceBecause: ["backup.geoRedundantBackup"] });
    const refusal = doc.refusals.find((r: { name: string }) => r.name === "postgres-server");
    expect(refusal).toMatchObject({ rule: "stateful-replace" });
    expect(refusal.what).toContain("and its data with it");
  });

  test("a stack file the base commit does not have: every resource a create", async () => {
    // A copy of prod: a stack not in non-production-stacks.yaml is production.
    withStackFile("staging", () => original.prod);
    const { code, doc } = await json("staging");
    expect(code).toBe(EXIT.ok);
    expect(doc.base).toMatchObject({ ref: "HEAD", stackFile: false });
    expect(doc.summary).toMatchObject({ update: 0, replace: 0, delete: 0, same: 0, refused: 0 });
    expect(doc.summary.create).toBe(doc.resources.length);
    expect(doc.cost.before.usd).toBe(0);
    expect((await plan(["staging", "--base", "HEAD", "--format", "markdown"])).out).toContain("Pulumi.staging.yaml is new: every resource is a create.");
  });

  test("a deleted stack file: every resource a delete, and every protected one refused (with what to do, printed once)", async () => {
    withStackFile("prod", () => undefined);
    const { code, doc } = await json("prod");
    expect(code).toBe(EXIT.refused);
    expect(doc.head.stackFile).toBe(false);
    expect(doc.summary.delete).toBe(doc.resources.length);
    const protectedOnes = doc.resources.filter((r: { protect: { before: boolean } }) => r.protect.before).map((r: { name: string }) => r.name).sort();
    expect(protectedOnes.length).toBeGreaterThan(3);
    expect(doc.refusals.map((r: { name: string }) => r.name).sort()).toEqual(protectedOnes);
    const text = (await plan(["prod", "--base", "HEAD"])).out;
    expect(text.match(/^ +instead/gm)?.length).toBe(1);
    expect(text).toContain(`instead (all ${protectedOnes.length}): keep it in the program`);
  });

  test("the base's process leaves nothing in Node's compile cache: its files sit at a new temporary path every time", async () => {
    withStackFile("dev");
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "compile-cache-"));
    const saved = process.env.NODE_COMPILE_CACHE;
    process.env.NODE_COMPILE_CACHE = cache;
    try {
      const { code, doc } = await json("dev");
      expect([code, doc.base.stackFile]).toEqual([EXIT.ok, true]);
    } finally {
      if (saved === undefined) delete process.env.NODE_COMPILE_CACHE;
      else process.env.NODE_COMPILE_CACHE = saved;
    }
    expect(fs.readdirSync(cache, { recursive: true })).toEqual([]);
  });

  test("the base runs its own commit's code: an older default shows as the change it is", async () => {
    withStackFile("prod");
    const { doc } = await json("prod", "HEAD^1");
    expect(doc.base.commit).toBe(execFileSync("git", ["rev-parse", "HEAD^1"], { cwd: repo, encoding: "utf8" }).trim());
    expect(resource(doc, "postgres-settle")).toMatchObject({ action: "update", changes: [{ path: "seconds", before: "45", after: "60", createOnly: false }] });
  });
});

describe("a restore block, as time passes, and a base that no longer plans", () => {
  const DAY = 24 * 60 * 60 * 1000;
  const instant = (daysAgo: number) => new Date(Math.floor((Date.now() - daysAgo * DAY) / 60000) * 60000).toISOString().replace(".000Z", "Z");
  /** prod's file as a restore stack restoring prod's server (docs/restore.md's runbook), at `daysAgo`. */
  const restoreStack = (daysAgo: number) =>
    original.prod.replace(
      "  amplifier-infra:postgres:\n",
      "  amplifier-infra:postgres:\n    databaseName: amplifier_prod\n    restore:\n" +
        "      sourceServerId: /subscriptions/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0/resourceGroups/rg-amplifier-prod/providers/Microsoft.DBforPostgreSQL/flexibleServers/amplifier-db-prod\n" +
        `      pointInTime: "${instant(daysAgo)}"\n`,
    );
  /** A commit on its own branch (HEAD and the index untouched) whose tree is HEAD's with `files` written over it. */
  function sideCommit(branch: string, files: Record<string, string>): void {
    const index = path.join(repo, ".git", `index-${branch}`);
    const env = { ...process.env, GIT_INDEX_FILE: index };
    const run = (...args: string[]) => execFileSync("git", ["-c", "user.name=plan-test", "-c", "user.email=plan-test@example.invalid", ...args], { cwd: repo, env, encoding: "utf8" }).trim();
    run("read-tree", "HEAD");
    for (const [name, text] of Object.entries(files)) {
      const blob = execFileSync("git", ["hash-object", "-w", "--stdin"], { cwd: repo, input: text, encoding: "utf8" }).trim();
      run("update-index", "--add", "--cacheinfo", `100644,${blob},${name}`);
    }
    const commit = run("commit-tree", run("write-tree"), "-p", "HEAD", "-m", branch);
    run("update-ref", `refs/heads/${branch}`, commit);
    fs.rmSync(index, { force: true });
  }

  test("a base commit that tracks a node_modules entry of its own (a committed symlink or file) runs on this checkout's packages", async () => {
    withStackFile("prod");
    sideCommit("tracked-modules", { node_modules: "../somewhere-else\n" });
    const { code, doc } = await json("prod", "tracked-modules");
    expect(code).toBe(EXIT.ok);
    expect(doc.resources).toEqual([]);
    expect(doc.summary.same).toBeGreaterThan(50);
  });

  test("a restore block left in a running stack after its point left prod's retention: no change, exit 0, a warning only", async () => {
    // Written when the point was fresh (the base commit), 20 days later prod's 14-day window has passed it.
    sideCommit("restore-running", { "Pulumi.prodrestore.yaml": restoreStack(20) });
    withStackFile("prodrestore", () => restoreStack(20));
    const { code, doc, err } = await json("prodrestore", "restore-running");
    expect(code).toBe(EXIT.ok);
    expect(doc.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0, refused: 0 });
    expect(err).toContain('plan: warning: stack prodrestore: postgres.restore.pointInTime');
    expect(err).toContain('is more than 14 days ago, before the earliest restore point of amplifier-db-prod (stack "prod" keeps 14 days)');
    expect(err).not.toContain("does not plan");
  });

  test("adding (or changing) the block with a point outside the source's retention is refused: exit 6", async () => {
    withStackFile("prodrestore", () => restoreStack(20));
    const { code, doc } = await json("prodrestore");
    expect(code).toBe(EXIT.refused);
    expect(doc.refusals).toEqual([
      expect.objectContaining({ name: "postgres-server", rule: "restore-window", what: expect.stringContaining("a server created from it would fail to restore") }),
    ]);
    // A point inside the window is a plain create of the restore stack.
    withStackFile("prodrestore", () => restoreStack(1));
    const fresh = await json("prodrestore");
    expect([fresh.code, fresh.doc.refusals, fresh.err]).toEqual([EXIT.ok, [], ""]);
  });

  test("when only the base no longer plans, the working tree's full plan follows with a warning that says so", async () => {
    sideCommit("broken-base", { "Pulumi.prod.yaml": original.prod.replace("storageSizeGb: 64", "storageSizeGb: 3") });
    withStackFile("prod");
    const r = await plan(["prod", "--base", "broken-base", "--format", "json"]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.err).toContain("plan: warning: the base commit");
    expect(r.err).toContain("what changes against broken-base cannot be told (no create/update/replace/delete, no refused changes); the full plan of the working tree follows instead");
    const doc = JSON.parse(r.out);
    expect(doc.format).toBeUndefined();
    expect(doc.plans.map((p: { stack: string }) => p.stack)).toEqual(["prod"]);
    // A working tree that fails too is still a config error.
    withStackFile("prod", (t) => t.replace("storageSizeGb: 64", "storageSizeGb: 3"));
    expect((await plan(["prod", "--base", "broken-base"])).code).toBe(EXIT.config);
  });
});

describe("formats", () => {
  test("JSON: a format and version field, sorted keys, byte-identical across runs", async () => {
    withStackFile("prod", (t) => t.replace("storageSizeGb: 64", "storageSizeGb: 128"));
    const a = await json("prod");
    const b = await plan(["prod", "--base", "HEAD", "--format", "json"]);
    expect(b.out).toBe(a.out);
    expect(Object.keys(a.doc)).toEqual(["base", "cost", "format", "head", "refusals", "resources", "stack", "summary", "version", "violations", "waivers"]);
    expect(a.doc.waivers.rules).toEqual(expect.arrayContaining(["no-placeholder-values", "postgres-entra-admin"]));
    expect(a.doc).toMatchObject({ format: "amplifier-plan-diff", version: DIFF_JSON_VERSION, stack: "prod" });
    expect(a.doc.base.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(Object.keys(a.doc.cost)).toEqual(["after", "before", "difference", "sources"]);
  });

  test("Markdown: the counts, the refused changes with what to do, one row per change, values whole", async () => {
    withStackFile("prod", (t) => t.replace("  amplifier-infra:postgres:\n", "  amplifier-infra:postgres:\n    serverName: amplifier-db-prod2\n"));
    const { code, out } = await plan(["prod", "--base", "HEAD", "--format", "markdown"]);
    expect(code).toBe(EXIT.refused);
    // With the database bootstrap: its Entra admin is replaced (serverName) and its run updated (a new server, a new run).
    // And the web app: the database URL (a secret) has a new value, so the digest of the referenced secrets'
    // versions changes and the app fetches it again (components/app-service.ts).
    expect(out).toMatch(/^### `prod`: 5 to update · 14 to replace · \d+ unchanged\n/);
    expect(out).toContain("| ~ update | `azure-native:web:WebApp` | `app-web-app` | `siteConfig.appSettings[KEY_VAULT_REFERENCES_DIGEST].value`:");
    expect(out).toContain("> [!CAUTION]\n> **2 change(s) refused** (the plan exits 6)");
    expect(out).toContain("| +- replace | `azure-native:dbforpostgresql:Server` | `postgres-server` (protected) | `serverName`: `amplifier-db-prod` → `amplifier-db-prod2` **(create-only)** |");
    expect(out).not.toContain("…");
  });
});

describe("usage", () => {
  test.each([
    [["prod", "--base", "no-such-branch"], 'plan: --base (got "no-such-branch"): not a commit in this repository'],
    [["prod", "--base", "HEAD", "--diff", "test"], "plan: --base compares one stack with a commit; it does not combine with --diff"],
    [["prod", "--base"], "plan: --base needs a value: a git ref such as main, origin/main or HEAD^1"],
  ])("%j -> exit 2", async (argv, message) => {
    const r = await plan(argv);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain(message);
    expect(r.out).toBe("");
  });

  test("a stack in neither the base nor the working tree is an unknown stack (exit 1)", async () => {
    withStackFile("prod");
    const r = await plan(["nowhere", "--base", "HEAD"]);
    expect(r.code).toBe(EXIT.config);
    expect(r.err).toContain('no stack "nowhere"');
  });
});
