/**
 * The stack as pictures, built from the masked plan (labels cannot carry secrets); the root stack is the picture
 * itself, not a node. Two levels of detail, each as Mermaid and as Graphviz DOT (rendered to SVG in-process):
 * - the overview (`--diagram`, README's docs/prod.svg): one node per component with its children collapsed into
 *   counts, and a legend for protected, secret-bearing, private and public;
 * - every resource (`--diagram-detail resources`): components are boxes around their children (parent URN).
 * Arrows run from a resource to the ones that wait for it (dependencies).
 */
import { displayType, type Plan, type PlanResource } from "./model";

function label(r: PlanResource): { kind: string; name: string } {
  const t = displayType(r.type).split(":");
  return { kind: `${t[0]}:${t[t.length - 1]}`, name: r.name };
}

/** Mermaid label text: quotes and angle brackets as entity codes (they would end the label or look like HTML). */
const mermaidText = (s: string): string => s.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
const dotText = (s: string): string => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');

interface Graph {
  nodes: PlanResource[];
  id: Map<string, string>;
  children: Map<string | undefined, PlanResource[]>;
  edges: Array<[string, string]>;
}

function graph(plan: Plan): Graph {
  const nodes = plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
  const id = new Map(nodes.map((r, i) => [r.urn, `n${i}`]));
  const children = new Map<string | undefined, PlanResource[]>();
  for (const r of nodes) {
    const parent = r.parent && id.has(r.parent) ? r.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  // The serialised server writes would otherwise draw every write from the server and the resource group.
  const edges = reducedEdges(new Map(nodes.map((r) => [r.urn, r.dependsOn.filter((d) => id.has(d))])));
  return { nodes, id, children, edges: edges.map(([from, to]) => [id.get(from)!, id.get(to)!]) };
}

/**
 * Arrows `[from, to]` from each node's predecessors, minus those implied through another predecessor (transitive
 * reduction: no a -> c when c already waits for a through b).
 */
function reducedEdges(preds: Map<string, string[]>): Array<[string, string]> {
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
    (preds.get(from) ?? []).some((d) => d === to || (!seen.has(d) && (seen.add(d), reaches(d, to, seen))));
  const edges: Array<[string, string]> = [];
  for (const [to, froms] of preds) {
    for (const from of froms) if (!froms.some((other) => other !== from && reaches(other, from))) edges.push([from, to]);
  }
  return edges;
}

export function toMermaid(plan: Plan): string {
  const g = graph(plan);
  const lines = ["---", `title: ${plan.project} / ${plan.stack} (offline plan)`, "---", "flowchart LR"];
  const emit = (parent: string | undefined, indent: string) => {
    for (const r of g.children.get(parent) ?? []) {
      const { kind, name } = label(r);
      const text = `"${mermaidText(kind)}<br/>${mermaidText(name)}"`;
      if (g.children.get(r.urn)?.length) {
        lines.push(`${indent}subgraph ${g.id.get(r.urn)}[${text}]`);
        emit(r.urn, `${indent}  `);
        lines.push(`${indent}end`);
      } else {
        lines.push(`${indent}${g.id.get(r.urn)}[${text}]${r.protect ? ":::protected" : ""}`);
      }
    }
  };
  emit(undefined, "  ");
  for (const [from, to] of g.edges) lines.push(`  ${from} --> ${to}`);
  lines.push("  classDef protected stroke:#b45309,stroke-width:3px");
  return `${lines.join("\n")}\n`;
}

export function toDot(plan: Plan): string {
  const g = graph(plan);
  const lines = [
    "digraph plan {",
    `  label="${dotText(`${plan.project} / ${plan.stack} (offline plan)`)}"; labelloc=t; rankdir=TB; fontname="Helvetica";`,
    '  node [shape=box, style="rounded,filled", fillcolor="#f8fafc", fontname="Helvetica", fontsize=10];',
    '  edge [color="#64748b"];',
  ];
  const emit = (parent: string | undefined, indent: string) => {
    for (const r of g.children.get(parent) ?? []) {
      const { kind, name } = label(r);
      const id = g.id.get(r.urn)!;
      if (g.children.get(r.urn)?.length) {
        lines.push(`${indent}subgraph cluster_${id} {`, `${indent}  label="${dotText(`${kind}\n${name}`)}"; style=rounded; color="#94a3b8";`);
        emit(r.urn, `${indent}  `);
        lines.push(`${indent}}`);
      } else {
        const extra = r.protect ? ', color="#b45309", penwidth=2' : "";
        lines.push(`${indent}${id} [label="${dotText(`${kind}\n${name}`)}"${extra}];`);
      }
    }
  };
  emit(undefined, "  ");
  // Graphviz cannot draw an edge to a cluster: point it at the cluster's first leaf instead.
  const leaf = (urn: string): string | undefined => {
    const kids = g.children.get(urn);
    return kids?.length ? leaf(kids[0].urn) : g.id.get(urn);
  };
  const byId = new Map(g.nodes.map((r) => [g.id.get(r.urn)!, r.urn]));
  for (const [from, to] of g.edges) lines.push(`  ${leaf(byId.get(from)!)} -> ${leaf(byId.get(to)!)};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/**
 * The overview picture (README, docs/<stack>.svg): one node per component with its children collapsed into a
 * count, plus the resources that belong to no component; arrows are the resource-level dependencies lifted to
 * the nodes that hold them (deduplicated, self-loops and transitively implied arrows dropped). Each node says what
 * a reviewer asks first: how many resources, how many protected, whether it holds secrets, whether it is private.
 */
export interface OverviewNode {
  id: string;
  kind: string;
  name: string;
  /** First line: "KeyVault key-vault" for a component, "ResourceGroup rg-amplifier-prod" for a lone resource. */
  title: string;
  /** Resources it stands for (itself included for a standalone resource; children only for a component). */
  count: number;
  /** One line per notable child: the billed or protected resources (e.g. "Server amplifier-db-prod"). */
  highlights: string[];
  protectedCount: number;
  secretCount: number;
  /** "private": every child with a public-access setting has it Disabled; "public": some has it Enabled. */
  exposure?: "private" | "public";
}

const shortType = (r: PlanResource): string => displayType(r.type).split(":").pop()!;
/** The name Azure will show (the plan's `name` setting), else the Pulumi name. */
const shownName = (r: PlanResource): string => r.settings.find(([k]) => k === "name")?.[1] ?? r.name;

/** "Server amplifier-db-prod"; several of one type collapse to "PrivateEndpoint x3". */
function highlightsOf(rs: PlanResource[]): string[] {
  const byType = new Map<string, PlanResource[]>();
  for (const r of rs) byType.set(shortType(r), [...(byType.get(shortType(r)) ?? []), r]);
  return [...byType].map(([type, list]) => (list.length > 1 ? `${type} x${list.length}` : `${type} ${shownName(list[0])}`));
}

export function overview(plan: Plan): { nodes: OverviewNode[]; edges: Array<[string, string]> } {
  const all = plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
  const urns = new Set(all.map((r) => r.urn));
  const byUrn = new Map(all.map((r) => [r.urn, r]));
  // The node a resource is drawn in: its top-most ancestor below the stack.
  const top = (r: PlanResource): PlanResource => {
    let cur = r;
    while (cur.parent && urns.has(cur.parent)) cur = byUrn.get(cur.parent)!;
    return cur;
  };
  const members = new Map<string, PlanResource[]>();
  for (const r of all) {
    const t = top(r);
    members.set(t.urn, [...(members.get(t.urn) ?? []), r]);
  }
  const tops = all.filter((r) => members.has(r.urn));
  const id = new Map(tops.map((r, i) => [r.urn, `c${i}`]));
  const nodes: OverviewNode[] = tops.map((t) => {
    const inside = members.get(t.urn)!.filter((r) => r.custom);
    const exposures = inside.map((r) => r.publicAccess).filter(Boolean);
    return {
      id: id.get(t.urn)!,
      ...label(t),
      title: `${shortType(t)} ${t.custom ? shownName(t) : t.name}`,
      count: inside.length,
      highlights: t.custom ? [] : highlightsOf(inside.filter((r) => r.protect || (r.cost?.usd ?? 0) >= 1)),
      protectedCount: inside.filter((r) => r.protect).length,
      secretCount: inside.filter((r) => r.secret).length,
      exposure: exposures.length ? (exposures.every((e) => e === "Disabled") ? "private" : "public") : undefined,
    };
  });
  // Each resource's dependencies, lifted to the nodes that hold them (self-loops and duplicates dropped).
  const preds = new Map<string, string[]>();
  for (const r of all) {
    const to = id.get(top(r).urn)!;
    for (const d of r.dependsOn) {
      const dep = byUrn.get(d);
      const from = dep && id.get(top(dep).urn)!;
      if (from && from !== to && !preds.get(to)?.includes(from)) preds.set(to, [...(preds.get(to) ?? []), from]);
    }
  }
  const edges = reducedEdges(preds).sort((a, b) => a.join().localeCompare(b.join()));
  return { nodes, edges };
}

const overviewLines = (n: OverviewNode): string[] => [
  n.title,
  ...n.highlights,
  [`${n.count} resource${n.count === 1 ? "" : "s"}`, n.protectedCount ? `${n.protectedCount} protected` : "", n.secretCount ? `${n.secretCount} with secrets` : ""]
    .filter(Boolean)
    .join(" · "),
];

/** Graphviz source of the overview, sized for README width (about 900 px) with a legend. */
export function toOverviewDot(plan: Plan): string {
  const { nodes, edges } = overview(plan);
  const lines = [
    "digraph overview {",
    `  label="${dotText(`${plan.project} / ${plan.stack}: ${plan.summary.total} resources (offline plan)`)}"; labelloc=t; fontname="Helvetica"; fontsize=14;`,
    // Top to bottom: the dependency chain is 5-6 components long, which at README width (~900 px) reads better
    // as rows than as one long line; size caps the width at 9.3 in (670 pt, 893 px) if a stack grows wider.
    '  rankdir=TB; nodesep=0.3; ranksep=0.35; size="9.3,20";',
    '  node [shape=box, style="rounded,filled", fillcolor="#f8fafc", color="#64748b", fontname="Helvetica", fontsize=10, margin="0.12,0.06"];',
    '  edge [color="#94a3b8", arrowsize=0.6];',
  ];
  for (const n of nodes) {
    const style = [
      n.protectedCount ? 'color="#b45309", penwidth=2.5' : "",
      n.exposure === "private" ? 'fillcolor="#ecfdf5"' : n.exposure === "public" ? 'fillcolor="#fef2f2"' : "",
      n.secretCount ? 'style="rounded,filled,dashed"' : "",
    ].filter(Boolean);
    const text = overviewLines(n).map(dotText).join("\\n");
    lines.push(`  ${n.id} [label="${text}"${style.length ? `, ${style.join(", ")}` : ""}];`);
  }
  for (const [from, to] of edges) lines.push(`  ${from} -> ${to};`);
  lines.push(
    '  subgraph cluster_legend { label="legend"; fontsize=10; style=rounded; color="#cbd5e1";',
    '    node [fontsize=9, width=0, height=0];',
    '    legend_protected [label="protected", color="#b45309", penwidth=2.5];',
    '    legend_secret [label="holds secrets", style="rounded,filled,dashed"];',
    '    legend_private [label="private: public access off", fillcolor="#ecfdf5"];',
    '    legend_public [label="public access on", fillcolor="#fef2f2"];',
    '    legend_unset [label="public access not set"];',
    // Two rows: one row of five would be wider than the graph and shrink the whole picture.
    "    { rank=same; legend_protected; legend_secret; legend_unset; }",
    "    { rank=same; legend_private; legend_public; }",
    "    legend_protected -> legend_private [style=invis]; legend_secret -> legend_public [style=invis];",
    "  }",
    // Below everything else: an invisible edge from every node without successors.
    ...nodes.filter((n) => !edges.some(([from]) => from === n.id)).map((n) => `  ${n.id} -> legend_protected [style=invis];`),
    "}",
  );
  return `${lines.join("\n")}\n`;
}

/** The same overview as Mermaid (renders on GitHub), with the same legend as a subgraph. */
export function toOverviewMermaid(plan: Plan): string {
  const { nodes, edges } = overview(plan);
  const lines = ["---", `title: ${JSON.stringify(`${plan.project} / ${plan.stack}: ${plan.summary.total} resources (offline plan)`)}`, "---", "flowchart TB"];
  for (const n of nodes) lines.push(`  ${n.id}["${overviewLines(n).map(mermaidText).join("<br/>")}"]`);
  for (const [from, to] of edges) lines.push(`  ${from} --> ${to}`);
  lines.push(
    "  subgraph legend",
    '    lp["protected"]',
    '    ls["holds secrets"]',
    '    lv["private: public access off"]',
    '    lu["public access on"]',
    '    ln["public access not set"]',
    "  end",
  );
  // `class` statements, one per class: a node may take several (`:::` gives only one).
  const members = (pick: (n: OverviewNode) => boolean, legend: string) => [...nodes.filter(pick).map((n) => n.id), legend].join(",");
  lines.push(
    `  class ${members((n) => n.protectedCount > 0, "lp")} protected`,
    `  class ${members((n) => n.secretCount > 0, "ls")} secret`,
    `  class ${members((n) => n.exposure === "private", "lv")} private`,
    `  class ${members((n) => n.exposure === "public", "lu")} public`,
    "  classDef protected stroke:#b45309,stroke-width:3px",
    "  classDef secret stroke-dasharray:5 3",
    "  classDef private fill:#ecfdf5",
    "  classDef public fill:#fef2f2",
  );
  return `${lines.join("\n")}\n`;
}

/**
 * DOT to SVG with Graphviz compiled to WebAssembly (@viz-js/viz: no install script, no dependencies), so every
 * machine and CI draws the same picture without a system Graphviz. Loaded only when a picture is asked for.
 */
export async function renderSvg(dot: string): Promise<string> {
  const { instance } = await import("@viz-js/viz");
  const result = (await instance()).render(dot, { format: "svg" });
  if (result.status !== "success") throw new Error(`Graphviz could not render the diagram: ${result.errors.map((e) => e.message).join("; ")}`);
  return result.output;
}
