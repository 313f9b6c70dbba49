/**
 * The plan's pictures: the overview (one node per component, counts, a legend for protected, secret-bearing,
 * private and public) and the per-resource graph, as Mermaid that Mermaid's own parser accepts and as Graphviz
 * rendered to SVG in-process (no system Graphviz, so nothing here depends on the machine); the SVG fits README
 * width without shrinking its text, and docs/prod.svg is what the command writes today.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR, stackExceptions } from "../config/stack-files";
import { runProgram } from "../mock-runtime";
import { overview, renderSvg, toDot, toMermaid, toOverviewDot, toOverviewMermaid } from "../plan/diagram";
import { buildPlan, type Plan } from "../plan/model";
import { at, everyStack } from "./support/stacks";

const plans: Record<string, Plan> = {};
// Every stack file, and the spec's stacks the repository no longer has as their stand-ins (test/support/stacks.ts).
const CHOSEN = Object.fromEntries(everyStack().map((c) => [c.stack, c]));
const STACKS = Object.keys(CHOSEN);
const svgs: Record<string, string> = {};

beforeAll(async () => {
  for (const stack of STACKS) {
    plans[stack] = buildPlan(await runProgram(at(CHOSEN[stack])), { exceptions: stackExceptions(stack, CHOSEN[stack].dir) });
    svgs[stack] = await renderSvg(toOverviewDot(plans[stack]));
  }
});

describe("the overview", () => {
  test("one node per component (and per lone resource), counting every resource once", () => {
    const { nodes } = overview(plans.prod);
    expect(nodes.map((n) => n.title)).toEqual([
      "FlexiblePostgres postgres",
      "Telemetry telemetry",
      "KeyVault key-vault",
      "SessionStorage sessions",
      "PrivateNetwork network",
      "AppService app",
      "Monitoring monitoring",
      "DeletionLocks locks",
      "ResourceGroup rg-amplifier-prod",
    ]);
    expect(nodes.reduce((a, n) => a + n.count, 0)).toBe(plans.prod.resources.filter((r) => r.custom).length);
  });

  test("each node carries the legend's facts from its resources: protected, secrets, public access", () => {
    const node = (stack: string, name: string) => overview(plans[stack]).nodes.find((n) => n.name === name)!;
    const prodDb = plans.prod.resources.filter((r) => r.type.startsWith("azure-native:dbforpostgresql:"));
    expect(node("prod", "postgres")).toMatchObject({ protectedCount: prodDb.filter((r) => r.protect).length, exposure: "private" });
    expect(node("prod", "postgres").protectedCount).toBeGreaterThan(0);
    expect(node("prod", "postgres").secretCount).toBeGreaterThan(0);
    expect(node("prod", "postgres").highlights).toContain("Server amplifier-db-prod");
    expect(node("prod", "network").highlights).toEqual(["PrivateEndpoint x3"]);
    expect(node("test", "postgres")).toMatchObject({ protectedCount: 0, exposure: "public" });
    expect(node("prod", "app").exposure).toBeUndefined(); // the web app sets no publicNetworkAccess
    expect(node("test", "resource-group").title).toBe("ResourceGroup rg-amplifier-test");
  });

  test("arrows are dependencies lifted to the nodes: no self-loops, none implied by another path", () => {
    const { nodes, edges } = overview(plans.prod);
    const id = (name: string) => nodes.find((n) => n.name === name)!.id;
    expect(edges).toContainEqual([id("resource-group"), id("postgres")]);
    expect(edges).toContainEqual([id("app"), id("monitoring")]);
    expect(edges.every(([a, b]) => a !== b)).toBe(true);
    expect(new Set(edges.map((e) => e.join())).size).toBe(edges.length);
    expect(edges).not.toContainEqual([id("resource-group"), id("key-vault")]); // implied through postgres
  });
});

describe("SVG (Graphviz compiled to WebAssembly)", () => {
  const attr = (svg: string, re: RegExp) => re.exec(svg)![1];

  test.each(STACKS)("%s: at most 900 px wide at README size, drawn at full scale (text not shrunk)", (stack) => {
    const svg = svgs[stack];
    expect(svg).toMatch(/^<\?xml[\s\S]*<svg [\s\S]*<\/svg>\n?$/);
    expect(Number(attr(svg, /<svg width="([\d.]+)pt"/)) * (96 / 72)).toBeLessThanOrEqual(900);
    expect(attr(svg, /transform="scale\(([\d.]+) /)).toBe("1");
    const sizes = [...svg.matchAll(/font-size="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(9);
  });

  test("the legend names what the styles mean", () => {
    for (const entry of ["protected", "holds secrets", "private: public access off", "public access on", "public access not set"]) {
      expect(svgs.prod).toContain(`>${entry}</text>`);
    }
  });

  test("a DOT error is reported, not drawn", async () => {
    await expect(renderSvg("digraph { a -> ")).rejects.toThrow(/Graphviz could not render the diagram: syntax error/);
  });

  test("docs/prod.svg is today's picture (regenerate: npm run plan -- prod --diagram docs/prod.svg)", () => {
    expect(fs.readFileSync(path.join(PROJECT_DIR, "docs", "prod.svg"), "utf8")).toBe(svgs.prod);
  });
});

describe("Mermaid", () => {
  test("both levels of detail of every stack parse with Mermaid's own parser; a broken one does not", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-mmd-"));
    const files = STACKS.flatMap((s) => [
      [`${s}.mmd`, toMermaid(plans[s])],
      [`${s}-overview.mmd`, toOverviewMermaid(plans[s])],
    ]).map(([name, body]) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, body);
      return file;
    });
    const broken = path.join(dir, "broken.mmd");
    fs.writeFileSync(broken, toMermaid(plans.prod).replace("flowchart LR", "flowchart LR\n  n0 -->"));
    const check = spawnSync(process.execPath, [path.join(PROJECT_DIR, "test", "mermaid-check.mjs"), ...files, broken], { encoding: "utf8" });
    const results = check.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(results.slice(0, -1)).toEqual(files.map((file) => ({ file, ok: true, type: "flowchart-v2" })));
    expect(results[results.length - 1]).toMatchObject({ file: broken, ok: false });
    expect(check.status).toBe(1);
  });

  test("the overview's title is quoted (a colon in it is valid YAML) and a node may take several legend classes", () => {
    const mmd = toOverviewMermaid(plans.prod);
    expect(mmd).toMatch(/^---\ntitle: "amplifier-infra \/ prod: \d+ resources \(offline plan\)"\n---\nflowchart TB\n/);
    const id = overview(plans.prod).nodes.find((n) => n.name === "postgres")!.id;
    for (const cls of ["protected", "secret", "private"]) expect(mmd).toMatch(new RegExp(`\\n  class (\\w+,)*${id}(,\\w+)* ${cls}\\n`));
  });
});

describe("every resource (--diagram-detail resources)", () => {
  test("children nest in their component; the serialised server writes form one chain", () => {
    const mmd = toMermaid(plans.prod);
    expect(mmd).toMatch(/subgraph n0\["amplifier:FlexiblePostgres<br\/>postgres"\]\n {4}n1\[/);
    expect(mmd).toMatch(/n\d+\["azure-native:Server<br\/>postgres-server"\]:::protected/);
    const edges = mmd.split("\n").filter((l) => l.includes("-->")).map((l) => l.trim().split(" --> "));
    const idOf = (name: string) => new RegExp(`(n\\d+)\\["[^"]*<br/>${name}"\\]`).exec(mmd)![1];
    // The serialised server writes form one chain: each parameter waits only for the write before it.
    for (const r of plans.prod.resources.filter((x) => x.type === "azure-native:dbforpostgresql:Configuration")) {
      expect(edges.filter(([, to]) => to === idOf(r.name))).toHaveLength(1);
    }
    expect(edges.filter(([, to]) => to === idOf("postgres-server")).map(([from]) => from).sort()).toEqual(
      [idOf("postgres-admin-password"), idOf("resource-group")].sort(),
    );
    expect(toDot(plans.prod)).toMatch(/^digraph plan \{[\s\S]*subgraph cluster_n0[\s\S]*\}\n$/);
  });
});
