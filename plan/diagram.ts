/**
 * The resource graph as Mermaid (flowchart) and Graphviz DOT: components are boxes around their children
 * (parent URN), arrows run from a resource to the ones that wait for it (dependencies). Built from the masked
 * plan, so labels cannot carry secrets. The root stack is the diagram itself, not a node.
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
  const deps = new Map(nodes.map((r) => [r.urn, r.dependsOn.filter((d) => id.has(d))]));
  // Transitive reduction: drop a -> c when c already waits for a through another resource (the serialised
  // server writes would otherwise draw every write from the server and the resource group).
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
    (deps.get(from) ?? []).some((d) => d === to || (!seen.has(d) && (seen.add(d), reaches(d, to, seen))));
  const edges: Array<[string, string]> = [];
  for (const r of nodes) {
    const direct = deps.get(r.urn) ?? [];
    for (const d of direct) {
      if (direct.some((other) => other !== d && reaches(other, d))) continue;
      edges.push([id.get(d)!, id.get(r.urn)!]);
    }
  }
  return { nodes, id, children, edges };
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
