/**
 * The plan against --base in each format: text (a terminal), Markdown (a pull request's job summary) and JSON (a
 * tool; documented in docs/offline-plan.md, "JSON against a base"). Only what changes is listed, every value whole
 * (wrapped in text, never cut); a reason shared by several refusals prints once with their count.
 */
import type { Violation } from "../policy/evaluate";
import { EXIT } from "../tools/cli";
import { isPending } from "../policy/evaluate";
import { formatTotal, priceSources, type PriceSource } from "./cost";
import { ACTIONS, type Action, costChange, type ResourceChange, type StackDiff } from "./diff";
import { stableStringify } from "./json";
import { displayType } from "./model";
import type { Refusal } from "./refusals";
import { wrapCell, type TextOptions } from "./render-text";

export interface PlanDiff {
  stack: string;
  base: { ref: string; commit: string; stackFile: boolean };
  head: { stackFile: boolean };
  diff: StackDiff;
  /** The working tree's policy findings (the same gate as the plain plan) and its waivers (policy.exceptions). */
  violations: Violation[];
  waivers: { count: number; rules: string[] };
}

/** The version of the JSON below; a change to its shape raises it (docs/offline-plan.md). */
export const DIFF_JSON_VERSION = 1;

const SYMBOL: Record<Action, string> = { create: "+", update: "~", replace: "+-", delete: "-", same: " " };
const changed = (d: PlanDiff) => d.diff.resources.filter((r) => r.action !== "same");
const short = (commit: string) => commit.slice(0, 12);
const sources = (d: PlanDiff): PriceSource[] => priceSources(d.diff.resources.flatMap((r) => [r.cost.before, r.cost.after]));

/** `1 to update · 1 to replace · 60 unchanged`: the counts a reviewer reads first. */
export function countsLine(d: PlanDiff, sep = ", "): string {
  const c = d.diff.counts;
  const parts = (["create", "update", "replace", "delete"] as const).filter((a) => c[a]).map((a) => `${c[a]} to ${a}`);
  return parts.length ? `${parts.join(sep)}${sep}${c.same} unchanged` : `no changes (${c.same} unchanged)`;
}

const costLine = (d: PlanDiff) => {
  const diff = d.diff.cost.difference;
  return `${formatTotal(d.diff.cost.before)} → ${formatTotal(d.diff.cost.after)}, ${diff.startsWith("unknown") ? `difference ${diff}` : diff}`;
};

/** Refusals grouped by what to do instead: a shared instruction prints once, with the number of changes it covers. */
function groupRefusals(refusals: Refusal[]): Array<{ instead: string; items: Refusal[] }> {
  const groups: Array<{ instead: string; items: Refusal[] }> = [];
  for (const r of refusals) {
    const g = groups.find((x) => x.instead === r.instead);
    if (g) g.items.push(r);
    else groups.push({ instead: r.instead, items: [r] });
  }
  return groups;
}

/** The working tree's waivers, as the plain plan's header says them. */
const waiverText = (d: PlanDiff) =>
  d.waivers.count
    ? `Stack ${d.stack}: ${d.waivers.count} policy waiver(s), rules made advisory by policy.exceptions in Pulumi.${d.stack}.yaml: ${d.waivers.rules.join(", ")}.`
    : `Stack ${d.stack}: no policy waivers, every rule is mandatory.`;

const sideText = (d: PlanDiff) =>
  !d.base.stackFile ? `Pulumi.${d.stack}.yaml is new: every resource is a create` : !d.head.stackFile ? `Pulumi.${d.stack}.yaml is deleted: every resource is a delete` : "";

// ---- text ----

export function renderDiffText(d: PlanDiff, o: TextOptions): string {
  const paint = (code: string) => (s: string) => (o.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const [bold, red, green, yellow, dim] = ["1", "31", "32", "33", "2"].map(paint);
  const colour: Record<Action, (s: string) => string> = { create: green, update: yellow, replace: red, delete: red, same: (s) => s };
  const wrap = (text: string, indent: number, width = o.width) => wrapCell(text, Math.max(20, width - indent)).map((l) => `${" ".repeat(indent)}${l}`);
  const out = [
    ...wrap(
      `${bold(`Offline plan for stack ${d.stack} against --base ${d.base.ref}`)} (${short(d.base.commit)}): the base commit's program and stack ` +
        "file, and the working tree's, both run under Pulumi's mocks; nothing is deployed and no cloud account is used.",
      0,
      o.width + (o.color ? 8 : 0),
    ),
  ];
  if (sideText(d)) out.push(sideText(d));
  if (d.head.stackFile) out.push(...wrap(waiverText(d), 0).map((l) => (d.waivers.count ? yellow(l) : l)));
  if (d.diff.refusals.length) out.push(...wrap(`${d.diff.refusals.length} change(s) refused: the plan exits ${EXIT.refused} (see Refused below).`, 0).map(red));
  out.push("", bold("Changes: ") + countsLine(d));
  const rows = changed(d);
  const typeW = Math.min(Math.max(4, ...rows.map((r) => displayType(r.type).length)), 48);
  const nameW = Math.min(Math.max(4, ...rows.map((r) => r.name.length)), Math.max(20, o.width - typeW - 20));
  for (const r of rows) {
    const types = wrapCell(displayType(r.type), typeW);
    const names = wrapCell(r.name, nameW);
    const flags = [r.protect.before || r.protect.after ? "protected" : "", costChange(r) ?? ""].filter(Boolean).join("  ");
    // The flags stay on the row when they fit, else they take the next line: nothing runs past the width.
    const inline = 13 + typeW + 2 + nameW + 2 + flags.length <= o.width;
    for (let j = 0; j < Math.max(types.length, names.length); j++) {
      const head = j === 0 ? ` ${colour[r.action](`${SYMBOL[r.action].padEnd(3)}${r.action.padEnd(8)}`)}` : " ".repeat(12);
      out.push(`${head} ${(types[j] ?? "").padEnd(typeW)}  ${(names[j] ?? "").padEnd(nameW)}${j === 0 && flags && inline ? `  ${flags}` : ""}`.trimEnd());
    }
    if (flags && !inline) out.push(...wrap(flags, 16));
    for (const c of r.changes) {
      const mark = c.createOnly ? " (create-only: forces the replacement)" : "";
      out.push(...wrap(`${c.path}: ${c.before ?? "(not set)"} → ${c.after ?? "(not set)"}${mark}`, 16).map((l, i) => (i === 0 && c.createOnly ? red(l) : l)));
    }
  }
  if (d.diff.refusals.length) {
    out.push("", red(bold(`Refused (${d.diff.refusals.length}):`)) + " what pulumi up or Azure would do, and what to do instead");
    for (const g of groupRefusals(d.diff.refusals)) {
      for (const r of g.items) out.push(...wrap(`- ${r.what}`, 4).map(red));
      out.push(...wrap(`instead${g.items.length > 1 ? ` (all ${g.items.length})` : ""}: ${g.instead}`, 6));
    }
  }
  out.push("", `${bold("Estimated monthly cost:")} ${costLine(d)}`);
  const src = sources(d);
  if (src.length) out.push(...wrap(`Price dates: ${src.map((s) => `${s.asOf} for ${s.source}`).join("; ")}`, 2).map(dim));
  const mandatory = d.violations.filter((v) => v.enforcement === "mandatory");
  const pending = d.violations.filter(isPending).length;
  out.push("", `${bold("Policy")} (working tree): ${mandatory.length} mandatory, ${d.violations.length - mandatory.length} advisory (${pending} pending); npm run plan -- ${d.stack} lists them all`);
  for (const v of mandatory) out.push(...wrap(`mandatory ${v.severity}: ${v.message}`, 4).map(red));
  return `${out.join("\n")}\n`;
}

// ---- Markdown ----

/** Inline code in a table cell: pipes escaped, and longer backtick fences when the text has backticks. */
function code(s: string): string {
  const fence = s.includes("`") ? "``" : "`";
  return `${fence}${fence.length > 1 ? " " : ""}${s.replace(/\|/g, "\\|").replace(/\n/g, " ")}${fence.length > 1 ? " " : ""}${fence}`;
}
const text = (s: string) => s.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\n/g, "<br>");

function changesCell(r: ResourceChange): string {
  if (r.action === "create") return "new";
  if (r.action === "delete") return "removed";
  return r.changes
    .map((c) => `${code(c.path)}: ${c.before === undefined ? "(not set)" : code(c.before)} → ${c.after === undefined ? "(not set)" : code(c.after)}${c.createOnly ? " **(create-only)**" : ""}`)
    .join("<br>");
}

export function renderDiffMarkdown(d: PlanDiff): string {
  const out = [`### \`${d.stack}\`: ${countsLine(d, " · ")}`, ""];
  out.push(
    `Against \`${d.base.ref}\` (\`${short(d.base.commit)}\`), offline: \`npm run plan -- ${d.stack} --base ${d.base.ref}\`. ` +
      `Estimated cost: ${costLine(d)}.${sideText(d) ? ` ${sideText(d)}.` : ""}${d.head.stackFile ? ` ${waiverText(d)}` : ""}`,
  );
  if (d.diff.refusals.length) {
    out.push("", "> [!CAUTION]", `> **${d.diff.refusals.length} change(s) refused** (the plan exits ${EXIT.refused}): what \`pulumi up\` or Azure would do, and what to do instead.`);
    for (const g of groupRefusals(d.diff.refusals)) {
      for (const r of g.items) out.push(`> - ${text(r.what)}`);
      out.push(`>   **Instead${g.items.length > 1 ? ` (all ${g.items.length})` : ""}:** ${text(g.instead)}`);
    }
  }
  const rows = changed(d);
  if (rows.length) {
    out.push("", "| | Type | Name | Changes | Cost/month |", "|---|---|---|---|---|");
    for (const r of rows) {
      const lock = r.protect.before || r.protect.after ? " (protected)" : "";
      out.push(`| ${SYMBOL[r.action].trim()} ${r.action} | ${code(displayType(r.type))} | ${code(r.name)}${lock} | ${changesCell(r)} | ${text(costChange(r) ?? "")} |`);
    }
  }
  const src = sources(d);
  if (src.length) out.push("", `Price dates: ${src.map((s) => `${s.asOf} for ${text(s.source)}`).join("; ")}.`);
  const mandatory = d.violations.filter((v) => v.enforcement === "mandatory");
  out.push("", `Policy (working tree): ${mandatory.length} mandatory, ${d.violations.length - mandatory.length} advisory (${d.violations.filter(isPending).length} pending).`);
  for (const v of mandatory) out.push(`- **mandatory** ${text(`${v.severity}: ${v.message}`)}`);
  return `${out.join("\n")}\n`;
}

// ---- JSON ----

const money = (c?: { usd: number; unpriced?: string }) => (c === undefined ? undefined : c.unpriced ? null : c.usd);

/** Byte-stable: keys sorted, resources by URN, changes by path, refusals by URN and rule. */
export function renderDiffJson(d: PlanDiff): string {
  const byUrn = <T extends { urn: string }>(xs: T[], tie: (x: T) => string = () => "") => [...xs].sort((a, b) => a.urn.localeCompare(b.urn) || tie(a).localeCompare(tie(b)));
  return stableStringify({
    format: "amplifier-plan-diff",
    version: DIFF_JSON_VERSION,
    stack: d.stack,
    base: d.base,
    head: d.head,
    summary: { ...Object.fromEntries(ACTIONS.map((a) => [a, d.diff.counts[a]])), refused: d.diff.refusals.length },
    resources: byUrn(changed(d)).map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      action: r.action,
      protect: r.protect,
      changes: [...r.changes].sort((a, b) => a.path.localeCompare(b.path)),
      replaceBecause: r.replaceBecause,
      cost: { beforeUsd: r.action === "create" ? undefined : money(r.cost.before), afterUsd: r.action === "delete" ? undefined : money(r.cost.after) },
    })),
    refusals: byUrn(d.diff.refusals, (r) => r.rule),
    cost: { ...d.diff.cost, sources: sources(d) },
    violations: d.violations,
    waivers: d.waivers,
  });
}
