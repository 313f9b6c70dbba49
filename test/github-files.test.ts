// .github/dependabot.yml keeps every pinned action and every lockfile current; .github/CODEOWNERS owns what decides
// whether a change is allowed (the policy pack and its config, every stack file, the set-up, the workflows).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { INIT_SQL_PATH } from "../config/database";
import { NON_PRODUCTION_FILE } from "../config/gating";
import { listStacks, parseAllStackFiles } from "../config/stack-files";
import { ciStacks } from "../tools/ci-stacks";
import { importClosure } from "./support/imports";
import { projectWith, SPEC_STACKS } from "./support/stacks";

const root = path.join(__dirname, "..");
const read = (f: string) => fs.readFileSync(path.join(root, f), "utf8");
const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);

describe("Dependabot", () => {
  const config = parse(read(".github/dependabot.yml")) as { version: number; updates: Record<string, any>[] };

  test("updates the workflows' actions, and npm in every directory with a lockfile", () => {
    expect(config.version).toBe(2);
    const actions = config.updates.filter((u) => u["package-ecosystem"] === "github-actions");
    expect(actions.map((u) => u.directory)).toEqual(["/"]);
    const npmDirs = config.updates.filter((u) => u["package-ecosystem"] === "npm").flatMap((u) => u.directories ?? [u.directory]);
    const lockDirs = tracked.filter((f) => path.basename(f) === "package-lock.json").map((f) => `/${path.dirname(f)}`.replace(/\/\.$/, "/"));
    expect(lockDirs.sort()).toEqual(["/", "/policy"]);
    expect([...npmDirs].sort()).toEqual(lockDirs.sort());
    for (const u of config.updates) expect(u.schedule?.interval).toMatch(/^(daily|weekly|monthly)$/);
  });
});

/**
 * CODEOWNERS rules in file order: `*` (every file) and anchored patterns (`/dir/`, `/file`, `*` within one path
 * segment). A pattern with no owner leaves its files unowned (docs.github.com, "About code owners").
 */
function codeOwners(): { pattern: string; owners: string[]; match: (p: string) => boolean }[] {
  return read(".github/CODEOWNERS")
    .split("\n")
    .filter((l) => l.trim() && !l.trim().startsWith("#"))
    .map((l) => {
      const [pattern, ...owners] = l.trim().split(/\s+/);
      if (pattern === "*") return { pattern, owners, match: () => true };
      // Syntax GitHub ignores or that would make the whole file undetected (docs.github.com, "About code owners").
      if (!pattern.startsWith("/") || /[!\\[\]]/.test(pattern)) throw new Error(`CODEOWNERS: unsupported pattern ${pattern}`);
      const body = pattern.slice(1).replace(/[.+^${}()|]/g, "\\$&").replace(/\*/g, "[^/]*");
      const re = new RegExp(`^${body}${pattern.endsWith("/") ? ".*" : ""}$`);
      return { pattern, owners, match: (p: string) => re.test(p) };
    });
}

/** Owners of a path: the last matching rule wins. */
const ownersOf = (p: string) => codeOwners().filter((r) => r.match(p)).pop()?.owners ?? [];

describe("CODEOWNERS", () => {
  test("every file is owned by default; the exemptions (no owner) are documentation and the tests only", () => {
    const [first, ...rest] = codeOwners();
    expect(first.pattern).toBe("*");
    expect(first.owners.length).toBeGreaterThan(0);
    for (const r of codeOwners()) for (const o of r.owners) expect([r.pattern, o]).toEqual([r.pattern, expect.stringMatching(/^@[\w-]+(\/[\w-]+)?$/)]);
    expect(rest.filter((r) => r.owners.length === 0).map((r) => r.pattern).sort()).toEqual(["/README.md", "/docs/", "/test/"]);
    const unowned = tracked.filter((f) => ownersOf(f).length === 0);
    expect(unowned.every((f) => f === "README.md" || f.startsWith("docs/") || f.startsWith("test/"))).toBe(true);
  });

  test("owns the policy pack and its config, every stack file (gated ones first of all), the set-up and the workflows", () => {
    const owned = [
      "policy/index.ts", "policy/rules/postgres.ts", "policy/package-lock.json", "tools/policy-config.ts",
      "config/schema.ts", "config/delivery.ts", "config/stack-files.ts", "tools/ci-stacks.ts",
      "tools/azure-setup.ts", "tools/azure-setup-stack.ts", "tools/azure-setup-github.ts", "tools/azure-setup-oidc.ts", "tools/shell.ts", "tools/azure-permissions.ts",
      "package.json", "package-lock.json", ".github/workflows/deploy.yml", ".github/scripts/check-stack.sh", ".github/CODEOWNERS", ".github/dependabot.yml",
      "Pulumi.yaml", ...listStacks().map((s) => `Pulumi.${s}.yaml`), "Pulumi.staging.yaml",
    ];
    for (const p of owned) expect([p, ownersOf(p)]).toEqual([p, expect.arrayContaining([expect.stringMatching(/^@/)])]);
    // The spec's prod is gated (its stand-in once the repository has no Pulumi.prod.yaml); every gated stack file is owned.
    expect(ciStacks("gated", projectWith(SPEC_STACKS))).toContain("prod");
    for (const s of ciStacks("gated")) expect(ownersOf(`Pulumi.${s}.yaml`).length).toBeGreaterThan(0);
  });

  test("owns everything the program loads: its imports, the files it reads, and what runs it in a credentialed job", () => {
    // The program runs with the stack's credential in the gated preview, the deploy and the drift check, before any
    // reviewer of a deploy sees it: code owners review it at merge (docs/threat-model.md, "Who can do what").
    const launcher = ["scripts/run.cjs", "scripts/transpile.cjs", "scripts/lazy-modules.cjs"];
    const closure = importClosure(["index.ts", "scripts/policy-config.ts", "scripts/ci-stacks.ts", "scripts/run-stack.ts", "scripts/app-settings-drift.ts", ...launcher]);
    expect(closure).toEqual(expect.arrayContaining(["index.ts", "components/app-service.ts", "config/load.ts", "mock-runtime/index.ts", "policy/rules/index.ts"]));
    // The files they read: every repository path named in them, the stack files, the list of stacks that are not
    // production, the init SQL every stack names, and what Pulumi and npm read to run them.
    const named = closure.flatMap((f) => [...read(f).matchAll(/["'`]((?:[\w.-]+\/)*[\w.-]+\.(?:sql|ya?ml|json|[cm]?[jt]s))["'`]/g)].map((m) => m[1])).filter((p) => tracked.includes(p));
    const initSql = parseAllStackFiles().map((c) => (c.platform === "docker" ? c.docker.initSqlPath : c.postgres.initSqlPath));
    const reads = [
      ...named, ...initSql, INIT_SQL_PATH, NON_PRODUCTION_FILE, "Pulumi.yaml", ...listStacks().map((s) => `Pulumi.${s}.yaml`),
      "tsconfig.json", "package.json", "package-lock.json", "policy/package.json", "policy/package-lock.json", "policy/PulumiPolicy.yaml", "policy/tsconfig.json",
    ];
    expect(reads).toEqual(expect.arrayContaining(["scripts/init-dev-db.sql", "non-production-stacks.yaml"]));
    const unowned = [...new Set([...closure, ...reads])].filter((f) => ownersOf(f).length === 0);
    expect(unowned).toEqual([]);
  });

  test("owns everything that turns the stack files into the pack's config and CI's stack lists in a credentialed job", () => {
    // What the workflows run before the pack judges anything: `npm run policy-config` and `npm run ci-stacks`, through
    // the launcher. The program itself (index.ts and components/, which mock-runtime/ runs to find stale exceptions)
    // is application code under the usual review: it runs with the stack's credential in `pulumi up` anyway.
    const launcher = ["scripts/run.cjs", "scripts/transpile.cjs", "scripts/lazy-modules.cjs"];
    const chain = importClosure(["scripts/policy-config.ts", "scripts/ci-stacks.ts", "scripts/app-settings-drift.ts", ...launcher], ["mock-runtime/"]).filter(
      (f) => !f.startsWith("mock-runtime/"),
    );
    expect(chain).toEqual(expect.arrayContaining([...launcher, "tools/cli.ts", "tools/app-settings-drift.ts", "config/pulumi-files.ts", "config/load.ts", "policy/evaluate.ts"]));
    expect(chain.filter((f) => ownersOf(f).length === 0)).toEqual([]);
  });

  test("every owned path that names a file exists (a renamed file would silently lose its owner)", () => {
    for (const r of codeOwners().filter((x) => !x.pattern.includes("*"))) {
      expect([r.pattern, fs.existsSync(path.join(root, r.pattern))]).toEqual([r.pattern, true]);
    }
  });
});
