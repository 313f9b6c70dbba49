/**
 * Human-readable plan, laid out like `pulumi preview`: a resource tree (Type / Name / Plan) with each resource's
 * settings under it, then the summary, outputs, estimated cost and, with --diff, the environment comparison.
 */
import { isPending } from "../policy/evaluate";
import { compareStacks, displayType, type Plan, type PlanResource } from "./model";

export interface TextOptions {
  /** ANSI colour (only when stdout is a TTY and NO_COLOR is unset; the CLI decides). */
  color: boolean;
  /** Terminal width to fit; long values are wrapped onto further lines, never cut. */
  width: number;
}

type Paint = (s: string) => string;
function palette(on: boolean): Record<"bold" | "dim" | "green" | "yellow" | "red" | "cyan", Paint> {
  const code = (n: string): Paint => (s) => (on ? `\u001b[${n}m${s}\u001b[0m` : s);
  return { bold: code("1"), dim: code("2"), green: code("32"), yellow: code("33"), red: code("31"), cyan: code("36") };
}

const usd = (n: number): string => `$${n.toFixed(2)}`;

/** Tree prefixes (`│  ├─ `) for each resource, from whether each ancestor is the last of its siblings. */
function treePrefixes(resources: PlanResource[]): Array<{ line: string; cont: string }> {
  return resources.map((r, idx) => {
    const isLast = (i: number): boolean => {
      const me = resources[i];
      for (let j = i + 1; j < resources.length; j++) {
        if (resources[j].depth < me.depth) return true;
        if (resources[j].depth === me.depth) return false;
      }
      return true;
    };
    const chain: number[] = [];
    let cur = idx;
    for (let d = r.depth; d > 0; d--) {
      chain.unshift(cur);
      let p = cur - 1;
      while (p >= 0 && resources[p].depth >= resources[cur].depth) p--;
      cur = p;
    }
    if (r.depth === 0) return { line: "", cont: "" };
    const ancestors = chain.slice(0, -1).map((i) => (isLast(i) ? "   " : "│  ")).join("");
    const own = isLast(idx);
    return { line: `${ancestors}${own ? "└─ " : "├─ "}`, cont: `${ancestors}${own ? "   " : "│  "}` };
  });
}

/** Joins `key: value` pairs with ` · ` into lines of at most `width` characters; a pair longer than a line wraps. */
function wrapSettings(pairs: string[], width: number): string[] {
  const lines: string[] = [];
  let cur = "";
  for (const p of pairs) {
    if (cur && cur.length + 3 + p.length > width) {
      lines.push(cur);
      cur = "";
    }
    if (!cur && p.length > width) {
      const parts = wrapCell(p, width);
      lines.push(...parts.slice(0, -1));
      cur = parts[parts.length - 1];
    } else cur = cur ? `${cur} · ${p}` : p;
  }
  if (cur) lines.push(cur);
  return lines;
}

export function renderTree(plan: Plan, o: TextOptions): string[] {
  const c = palette(o.color);
  const prefixes = treePrefixes(plan.resources);
  // The type column leaves the name its 24 columns and 40 for the plan and flags, so a long type
  // (dbforpostgresql:AdministratorsMicrosoftEntra under two tree levels) cannot push a row past the width.
  const types = plan.resources.map((r) => displayType(r.type));
  const typeW = Math.min(Math.max(4, ...types.map((t, i) => prefixes[i].line.length + t.length)), Math.max(30, Math.min(Math.floor(o.width * 0.5), o.width - 40 - 24)));
  const nameW = Math.min(Math.max(4, ...plan.resources.map((r) => r.name.length)), Math.max(24, o.width - typeW - 40));
  const out = [`     ${c.bold("Type".padEnd(typeW))}  ${c.bold("Name".padEnd(nameW))}  ${c.bold("Plan")}`];
  plan.resources.forEach((r, i) => {
    const flags = [
      r.protect ? c.yellow("protected") : "",
      r.cost?.unpriced ? c.red("unpriced") : r.cost && r.cost.usd > 0 ? c.cyan(`~${usd(r.cost.usd)}/mo`) : "",
    ].filter(Boolean);
    // A long type or name continues on the next lines of its column: nothing is cut.
    const below = `${prefixes[i].cont}${plan.resources[i + 1]?.depth > r.depth ? "│  " : "   "}`;
    const typeLines = wrapCell(types[i], Math.max(8, typeW - prefixes[i].line.length)).map((t, j) => `${j ? below : prefixes[i].line}${t}`);
    const nameLines = wrapCell(r.name, nameW);
    const rows = Math.max(typeLines.length, nameLines.length);
    for (let j = 0; j < rows; j++) {
      const type = (typeLines[j] ?? below).padEnd(typeW);
      const name = (nameLines[j] ?? "").padEnd(nameW);
      const tail = j === 0 ? `  ${c.green("create")}${flags.length ? `  ${flags.join("  ")}` : ""}` : "";
      out.push(`${j === 0 ? ` ${c.green("+")}   ` : "     "}${type}  ${name}${tail}`.trimEnd());
    }
    const indent = `     ${below}`;
    const pairs = r.settings.map(([k, v]) => `${k}: ${v}`);
    for (const line of wrapSettings(pairs, Math.max(20, o.width - indent.length))) out.push(c.dim(`${indent}${line}`));
  });
  return out;
}

/** A reason several findings share, printed once above them with its count (`exception (5 findings): ...`). */
function groupByReason<T>(items: T[], reason: (t: T) => string | undefined): Array<{ reason?: string; items: T[] }> {
  const groups: Array<{ reason?: string; items: T[] }> = [];
  for (const item of items) {
    const r = reason(item);
    const group = r === undefined ? undefined : groups.find((g) => g.reason === r);
    if (group) group.items.push(item);
    else groups.push({ reason: r, items: [item] });
  }
  return groups;
}

export function renderSummary(plan: Plan, o: TextOptions): string[] {
  const c = palette(o.color);
  const out = ["", c.bold("Resources:"), `    ${c.green(`+ ${plan.summary.total} to create`)}`];
  const byType = Object.entries(plan.summary.countsByType).sort(([a], [b]) => a.localeCompare(b));
  const countW = Math.max(...byType.map(([, n]) => String(n).length));
  for (const [type, n] of byType) out.push(`      ${String(n).padStart(countW)} ${type}`);
  out.push("", c.bold("Protected") + " (pulumi destroy and replacements refuse to delete these):");
  out.push(...(plan.summary.protected.length ? plan.summary.protected.map((p) => `    ${c.yellow(p)}`) : ["    none"]));
  out.push("", c.bold("Alert recipients") + " (who the stack's alerts reach):");
  out.push(...(plan.summary.alertRecipients.length ? plan.summary.alertRecipients.map((r) => `    ${r}`) : ["    none"]));
  out.push("", c.bold("Outputs:"));
  const keys = Object.keys(plan.summary.outputs).sort();
  const keyW = Math.max(0, ...keys.map((k) => k.length));
  for (const k of keys) {
    const v = plan.summary.outputs[k];
    const [first, ...rest] = wrapCell(typeof v === "string" ? JSON.stringify(v) : String(JSON.stringify(v)), Math.max(20, o.width - keyW - 6));
    out.push(`    ${k.padEnd(keyW)}: ${first}`, ...rest.map((l) => `    ${"".padEnd(keyW)}  ${l}`));
  }
  const mandatory = plan.violations.filter((v) => v.enforcement === "mandatory");
  const pending = plan.violations.filter(isPending);
  const advisory = plan.violations.filter((v) => v.enforcement === "advisory" && !isPending(v));
  out.push(
    "",
    c.bold("Policy") +
      ` (policy/rules/, enforced by \`pulumi preview --policy-pack policy\`): ${mandatory.length} mandatory, ` +
      `${pending.length + advisory.length} advisory (${pending.length} pending)`,
  );
  const finding = (label: string, paint: Paint, text: string, indent = 4) => {
    const [first, ...rest] = wrapCell(text, Math.max(20, o.width - indent - Math.max(label.length + 1, 4)));
    out.push(`${" ".repeat(indent)}${paint(label)} ${first}`, ...rest.map((l) => `${" ".repeat(indent + 4)}${l}`));
  };
  for (const v of mandatory) finding("mandatory", c.red, `${v.severity}: ${v.message}`);
  // Documented exceptions: a reason shared by several findings prints once, with its count, above them.
  // PENDING ones are advisory today, but each is something to fix before the first deploy.
  for (const [label, paint, list] of [["PENDING", c.red, pending], ["advisory", c.yellow, advisory]] as const) {
    for (const g of groupByReason(list, (v) => v.exception)) {
      if (g.items.length === 1) {
        const v = g.items[0];
        finding(label, paint, `${v.severity}: ${v.message}${v.exception ? ` — exception: ${v.exception}` : ""}`);
        continue;
      }
      finding(label, paint, `${g.items.length} findings — exception: ${g.reason}`);
      for (const v of g.items) finding("-", (x) => x, `${v.severity}: ${v.message}`, 6);
    }
  }
  return out;
}

export function renderCost(plan: Plan, o: TextOptions): string[] {
  const c = palette(o.color);
  const k = plan.cost;
  const out = ["", c.bold(`Estimated monthly cost`) + ` (${k.currency}, pay-as-you-go, ${k.region} list prices; an estimate, not a quote):`];
  // One date per price source, here rather than on every line.
  if (k.sources.length) out.push(...wrapCell(`Price dates: ${k.sources.map((s) => `${s.asOf} for ${s.source}`).join("; ")}`, o.width - 4).map((l) => `  ${l}`));
  const rows: Array<[string, string, string, boolean?]> = [];
  for (const r of plan.resources) {
    if (!r.cost) continue;
    const label = `${displayType(r.type).split(":").pop()} ${r.name}`;
    if (r.cost.unpriced) rows.push([label, `not priced: ${r.cost.unpriced}`, "?"]);
    r.cost.lines.forEach((l, i) => rows.push([i === 0 ? label : "", l.what, usd(l.usd)]));
    if (!r.cost.lines.length && !r.cost.unpriced) rows.push([label, r.cost.notes.join("; "), usd(0)]);
    else r.cost.notes.forEach((n) => rows.push(["", `(${n})`, "", true]));
  }
  if (!rows.length) rows.push(["(nothing billable)", "local Docker and free Azure resources only", usd(0)]);
  const w0 = Math.min(36, Math.max(...rows.map((r) => r[0].length)));
  // An unpriced resource makes the total a lower bound: say so in the figure itself, not only beside it.
  const totalText = k.total.usd !== null ? usd(k.total.usd) : `at least ${usd(k.total.pricedUsd)}`;
  const w2 = Math.max(...rows.map((r) => r[2].length), totalText.length);
  const w1 = Math.min(Math.max(...rows.map((r) => (r[2] ? r[1].length : 0))), Math.max(20, o.width - w0 - w2 - 10));
  // Money rows align in columns; note rows (no amount) may use the whole width. Long cells wrap, never cut.
  for (const [a, b, m, dim] of rows) {
    const labels = wrapCell(a, w0);
    const texts = wrapCell(b, m ? w1 : Math.max(20, o.width - w0 - 6));
    for (let j = 0; j < Math.max(labels.length, texts.length); j++) {
      const text = m ? (texts[j] ?? "").padEnd(w1) : dim ? c.dim(texts[j] ?? "") : (texts[j] ?? "");
      const money = j === 0 ? m.padStart(m ? w2 : 0) : "";
      out.push(`    ${(labels[j] ?? "").padEnd(w0)}  ${text}  ${money}`.trimEnd());
    }
  }
  out.push(`    ${c.bold("Total".padEnd(w0))}  ${"".padEnd(w1)}  ${c.bold(totalText.padStart(w2))}`);
  if (k.total.usd === null) {
    out.push(c.red(`    Incomplete: ${k.total.unpriced.length} resource(s) not priced, so the real total is higher:`));
    for (const u of k.total.unpriced) out.push(...wrapCell(u, o.width - 8).map((l, j) => c.red(`${j ? "        " : "      "}${l}`)));
  }
  if (k.spec) {
    const items = Object.entries(k.spec.items).map(([name, v]) => `${name} ${v}`).join(" + ");
    out.push(`    Spec's figure (${k.spec.source}): ~$${k.spec.total}/month`, `      = ${items}`);
  }
  out.push(c.dim(`    Prices: pricing/azure-eastus.json (each price names its source).`));
  return out;
}

/**
 * Splits text into lines of at most `width`, at spaces where possible; a word longer than a line breaks after a `-`,
 * `/`, `:`, `.`, `,` or `=` where it can, else at the width. Every character is kept: values are wrapped, never cut.
 */
export function wrapCell(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = "";
  for (const word of text.split(" ")) {
    let w = word;
    while (w.length > width) {
      if (cur) lines.push(cur);
      const window = w.slice(0, width);
      const at = Math.max(...["-", "/", ":", ".", ",", "="].map((sep) => window.lastIndexOf(sep)));
      const cut = at >= Math.floor(width / 3) ? at + 1 : width;
      lines.push(w.slice(0, cut));
      w = w.slice(cut);
      cur = "";
    }
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  lines.push(cur);
  return lines;
}

export function renderComparison(plans: Plan[], o: TextOptions): string[] {
  const c = palette(o.color);
  const t = compareStacks(plans);
  const aspectW = Math.max(...t.rows.map((r) => r.aspect.length));
  const longest = Math.max(...t.stacks.map((s) => s.length), ...t.rows.flatMap((r) => r.values.map((v) => v.length)));
  const colW = Math.min(longest, Math.max(12, Math.floor((o.width - aspectW - 4) / t.stacks.length) - 3));
  const out = ["", c.bold(`Environment comparison (generated from the program: ${t.stacks.join(" vs ")}):`)];
  out.push(`  ${"".padEnd(aspectW)} | ${t.stacks.map((s) => c.bold(s.padEnd(colW))).join(" | ")}`.trimEnd());
  out.push(`  ${"-".repeat(aspectW)}-+-${t.stacks.map(() => "-".repeat(colW)).join("-+-")}`);
  for (const r of t.rows) {
    // Rows whose values differ between stacks are bold: they are what the comparison is for.
    const mark = new Set(r.values).size > 1 ? c.bold : (s: string) => s;
    const cells = r.values.map((v) => wrapCell(v, colW));
    const height = Math.max(...cells.map((x) => x.length));
    for (let line = 0; line < height; line++) {
      const head = line === 0 ? mark(r.aspect.padEnd(aspectW)) : "".padEnd(aspectW);
      out.push(`  ${head} | ${cells.map((x) => (x[line] ?? "").padEnd(colW)).join(" | ")}`.trimEnd());
    }
  }
  return out;
}

/** A stack's waivers in one sentence: the count and every rule its own file makes advisory. */
export function waiverLine(plan: Plan): string {
  return plan.waivers.count
    ? `Stack ${plan.stack}: ${plan.waivers.count} policy waiver(s), rules made advisory by policy.exceptions in Pulumi.${plan.stack}.yaml: ${plan.waivers.rules.join(", ")}.`
    : `Stack ${plan.stack}: no policy waivers, every rule is mandatory.`;
}

/**
 * What a reviewer must not miss, above the tree: every waiver of every planned stack (always, a rule a stack file
 * made advisory is the first thing to check), then mandatory and pending findings (details under Policy).
 */
function reviewBanner(plan: Plan, o: TextOptions, others: Plan[]): string[] {
  const c = palette(o.color);
  const mandatory = plan.violations.filter((v) => v.enforcement === "mandatory").length;
  const pending = plan.violations.filter(isPending).length;
  const waivers = [plan, ...others].flatMap((p) => wrapCell(waiverLine(p), o.width).map((l) => (p.waivers.count ? c.yellow(l) : l)));
  const lines = [
    ...(mandatory ? [`${mandatory} mandatory policy finding(s): the plan exits 3 and \`pulumi up\` would be refused (see Policy below).`] : []),
    ...(pending ? [`${pending} policy finding(s) PENDING before the first deploy: documented exceptions to resolve (see Policy below).`] : []),
  ];
  return [...waivers, ...lines.flatMap((l) => wrapCell(l, o.width)).map((l) => c.red(l))];
}

/** The whole text plan: the stack's tree, summary and cost, then the comparison when other stacks are given. */
export function renderText(plan: Plan, o: TextOptions, others: Plan[] = []): string {
  const c = palette(o.color);
  const head = [
    `${c.bold(`Offline plan for stack ${plan.stack}`)} (project ${plan.project}): the real program run under Pulumi's mocks;`,
    "nothing is deployed and no cloud account is used. Computed values (ids, FQDNs) are stand-ins.",
    ...reviewBanner(plan, o, others),
    "",
  ];
  const lines = [...head, ...renderTree(plan, o), ...renderSummary(plan, o), ...renderCost(plan, o)];
  if (others.length) lines.push(...renderComparison([plan, ...others], o));
  return `${lines.join("\n")}\n`;
}
