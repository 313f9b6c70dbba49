/**
 * README stays true: its generated tables are what the program says, CI runs its test command, and every section
 * the code, workflows and documents cite by name exists.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXIT } from "../tools/cli";
import { lockedDeletesTable } from "../tools/docs";
import { loadAllStackConfigs, renderEnvironmentsTable, withSection } from "../tools/environments-table";
import { PROJECT_DIR } from "../config/stack-files";
import { trackedFiles } from "./support/checkout";
import { projectWith, SPEC_STACKS } from "./support/stacks";

const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");

test("the environments table matches the stack files (run `npm run docs` to regenerate)", () => {
  const configs = loadAllStackConfigs();
  const table = renderEnvironmentsTable(configs);
  expect(withSection(readme, "environments", table)).toBe(readme);
  // One column per stack file, whatever the stacks are; the spec's tiers where the stack is the spec's.
  const row = (name: string, t = table) => t.split("\n").find((l) => l.startsWith(`| ${name} |`))!.split("|").slice(2, -1).map((c) => c.trim());
  expect(row("Setting")).toEqual(configs.map((c) => `\`${c.stack}\``));
  const tiers = (t: string, stacks: string[]) => Object.fromEntries(stacks.map((s, i) => [s, row("Tier / SKU", t)[i]]));
  const spec: Record<string, string> = { dev: "n/a", test: "Burstable B1ms", prod: "GeneralPurpose D2ds_v5" };
  const tier = tiers(table, configs.map((c) => c.stack));
  expect(tier).toMatchObject(Object.fromEntries(Object.entries(spec).filter(([s]) => s in tier)));
  // All three on the spec's stacks, with the stand-in of any the repository no longer has.
  const specConfigs = loadAllStackConfigs(projectWith(SPEC_STACKS));
  expect(tiers(renderEnvironmentsTable(specConfigs), specConfigs.map((c) => c.stack))).toMatchObject(spec);
});

test("docs/lifecycle.md's list of what the deletion locks hold is what the program registers (run `npm run docs` to regenerate)", async () => {
  const table = await lockedDeletesTable();
  const lifecycle = fs.readFileSync(path.join(PROJECT_DIR, "docs/lifecycle.md"), "utf8");
  expect(withSection(lifecycle, "locked-deletes", table)).toBe(lifecycle);
  expect(table).toContain("| `keyvault:Vault` | `authorization:RoleAssignment` (extension) |");
});

test("the Exit codes table lists every exit code of tools/cli.ts EXIT, by number and name", () => {
  const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
  const table = readme.slice(readme.indexOf("### Exit codes"), readme.indexOf("\n### ", readme.indexOf("### Exit codes") + 5));
  const rows = [...table.matchAll(/^\| (\d+) \| `(\w+)` \|/gm)].map((m) => [m[2], Number(m[1])]);
  expect(rows).toEqual(Object.entries(EXIT));
});

test("the quick start's test command is what .ci/run runs", () => {
  const quickStart = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("## Environments"));
  const commands = [...quickStart.matchAll(/^(npm [^#\n]+?)\s+#/gm)].map((m) => m[1].trim());
  expect(commands).toHaveLength(2);
  const ci = fs.readFileSync(path.join(PROJECT_DIR, ".ci/run"), "utf8");
  expect(ci).toMatch(/^npm ci$/m);
  expect(ci).toContain(`\n${commands[1]}\n`);
});

/** Headings of a Markdown file, without their #s. */
const headings = (file: string) => [...fs.readFileSync(path.join(PROJECT_DIR, file), "utf8").matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1].trim());

test("every section of README or docs/ that the repository cites by name (README, then the heading in quotes) exists", () => {
  const tracked = trackedFiles().filter((f) => !/package-lock\.json$|\.svg$/.test(f));
  const cited: string[] = [];
  const missing: string[] = [];
  for (const file of tracked) {
    const text = fs.readFileSync(path.join(PROJECT_DIR, file), "utf8").replace(/\\"/g, '"');
    for (const m of text.matchAll(/\b(README|docs\/[a-z-]+\.md)(?:'s)?[,:]? "([^"\n]+)"/g)) {
      const target = m[1] === "README" ? "README.md" : m[1];
      cited.push(`${file} -> ${target} "${m[2]}"`);
      if (!fs.existsSync(path.join(PROJECT_DIR, target)) || !headings(target).some((h) => h.replace(/`/g, "").startsWith(m[2].replace(/`/g, "")))) {
        missing.push(`${file}: ${target}, "${m[2]}"`);
      }
    }
  }
  expect(cited.length).toBeGreaterThan(20);
  expect(missing).toEqual([]);
});

test("README stays short enough to read in one sitting: at most 4,000 words, counted as `wc -w` counts them", () => {
  // Reference detail lives in docs/; README keeps what it is, Quick start, the environments, the layout and the tasks.
  expect(readme.split(/\s+/).filter(Boolean).length).toBeLessThanOrEqual(4000);
});

/**
 * The anchor GitHub gives a heading: lower case, punctuation other than `-` and `_` removed, each space a hyphen
 * (gjtorikian/html-pipeline `lib/html/pipeline/toc_filter.rb`, TableOfContentsFilter), code spans as their text.
 */
const headingAnchor = (heading: string) => heading.replace(/`/g, "").toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "").replace(/ /g, "-");

test("README's and docs/'s links to a section of a page name a heading that page has", () => {
  expect(headingAnchor("Changes that need `locks: false` first")).toBe("changes-that-need-locks-false-first");
  expect(headingAnchor("What CI does (`.github/workflows/`)")).toBe("what-ci-does-githubworkflows");
  const files = ["README.md", ...fs.readdirSync(path.join(PROJECT_DIR, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
  const links = files.flatMap((file) =>
    [...fs.readFileSync(path.join(PROJECT_DIR, file), "utf8").matchAll(/\]\(([^)#\s]*)#([^)\s]+)\)/g)].map((m) => ({ file, target: m[1] ? path.join(path.dirname(file), m[1]) : file, anchor: m[2] })),
  );
  expect(links.length).toBeGreaterThan(5);
  const broken = links.filter((l) => !fs.existsSync(path.join(PROJECT_DIR, l.target)) || !headings(l.target).map(headingAnchor).includes(l.anchor));
  expect(broken.map((l) => `${l.file} -> ${l.target}#${l.anchor}`)).toEqual([]);
});

test("docs/tests.md has a row for every suite, and every suite a row names exists", () => {
  const rows = fs.readFileSync(path.join(PROJECT_DIR, "docs/tests.md"), "utf8").split("\n").filter((l) => l.startsWith("| `"));
  const named = rows.flatMap((row) => [...row.split("|")[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
  const suites = fs.readdirSync(path.join(PROJECT_DIR, "test")).filter((f) => f.endsWith(".test.ts"));
  expect(suites.filter((f) => !named.includes(f))).toEqual([]);
  expect(named.filter((f) => !suites.includes(f))).toEqual([]);
});

test("README's and docs/'s relative links point at files that exist", () => {
  const files = ["README.md", ...fs.readdirSync(path.join(PROJECT_DIR, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
  const broken = files.flatMap((file) =>
    [...fs.readFileSync(path.join(PROJECT_DIR, file), "utf8").matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1])
      .filter((target) => !/^[a-z]+:/.test(target) && !fs.existsSync(path.join(PROJECT_DIR, path.dirname(file), target)))
      .map((target) => `${file} -> ${target}`),
  );
  expect(broken).toEqual([]);
});

test("every Mermaid picture in README and docs/ parses with Mermaid's own parser (the one GitHub renders with)", () => {
  const files = ["README.md", ...fs.readdirSync(path.join(PROJECT_DIR, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
  const blocks = files.flatMap((file) => [...fs.readFileSync(path.join(PROJECT_DIR, file), "utf8").matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m, i) => ({ file, i, text: m[1] })));
  expect(blocks.length).toBeGreaterThanOrEqual(2); // how the code is organised; prod's Azure resources
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "readme-mermaid-"));
  const paths = blocks.map((b) => {
    const p = path.join(dir, `${b.file.replace(/\W/g, "_")}-${b.i}.mmd`);
    fs.writeFileSync(p, b.text);
    return p;
  });
  const check = spawnSync(process.execPath, [path.join(PROJECT_DIR, "test", "mermaid-check.mjs"), ...paths], { encoding: "utf8" });
  const results = check.stdout.trim().split("\n").map((l) => JSON.parse(l));
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(results.map((r) => r.type)).toEqual(blocks.map(() => "flowchart-v2"));
});
