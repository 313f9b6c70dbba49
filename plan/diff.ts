/**
 * Before and after: two masked runs of the program (the base commit's and the working tree's) compared resource by
 * resource, by URN, as `pulumi preview` would against a stack deployed from the base: create, update (the inputs that
 * changed), replace (an input that cannot change in place changed: plan/create-only.ts), delete or unchanged. Then
 * the changes Pulumi or Azure would refuse (plan/refusals.ts) and the cost before and after. Pure functions.
 */
import type { RegisteredResource, RunResult } from "../mock-runtime";
import { isPlainObject } from "../config/pulumi-files";
import { costOf, formatDifference, totalOf, type CostTotal, type PriceTable, PRICES, type ResourceCost } from "./cost";
import { createOnlyOf } from "./create-only";
import { displayType } from "./model";
import { refusalsOf, type Refusal } from "./refusals";

export type Action = "create" | "update" | "replace" | "delete" | "same";
export const ACTIONS: readonly Action[] = ["create", "update", "replace", "delete", "same"];

export interface InputChange {
  /** Input path as azure-native takes it: `storage.storageSizeGB`, `siteConfig.appSettings[LOG_LEVEL].value`. */
  path: string;
  /** Values as shown (secrets already masked as [secret]); absent when the input is not set on that side. */
  before?: string;
  after?: string;
  /** This input cannot change in place (plan/create-only.ts): it is why the resource is replaced. */
  createOnly: boolean;
}

export interface ResourceChange {
  urn: string;
  type: string;
  name: string;
  action: Action;
  /** `protect` in the base (the state `pulumi up` would start from) and in the working tree. */
  protect: { before?: boolean; after?: boolean };
  changes: InputChange[];
  /** The create-only inputs that changed (a replace), sorted. */
  replaceBecause: string[];
  cost: { before?: ResourceCost; after?: ResourceCost };
}

export interface StackDiff {
  resources: ResourceChange[];
  refusals: Refusal[];
  counts: Record<Action, number>;
  cost: { before: CostTotal; after: CostTotal; difference: string };
}

/** Inputs that are the mechanism, not the resource: the serialised code of a dynamic provider. */
const IGNORED_INPUTS = new Set(["__provider"]);

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isPlainObject(v)) return Object.fromEntries(Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => [k, canonical(v[k])]));
  return v;
}

/** A value as a reviewer reads it: strings as they are (`""` when empty), anything else as compact JSON. */
export function showValue(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string") return v === "" ? '""' : v;
  return JSON.stringify(canonical(v));
}

const join = (at: string, key: string) => (at ? `${at}.${key}` : key);
const named = (xs: unknown[]): xs is Array<{ name: string }> => xs.every((x) => isPlainObject(x) && typeof x.name === "string");

/**
 * The leaves that differ; lists of `{ name, ... }` (app settings, receivers) are compared by name, so a change shows
 * as the setting it is. The same items in another order are a change too: azure-native diffs arrays by position
 * (pulumi/pulumi-azure-native provider/pkg/provider/diff.go, calculateValueDiff: array updates by index), so
 * `pulumi up` sends the list again; it shows as the list's names before and after.
 */
function leafChanges(a: unknown, b: unknown, at: string, out: Array<{ path: string; before: unknown; after: unknown }>): void {
  if (deepEqual(a, b)) return;
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (!at && IGNORED_INPUTS.has(k)) continue;
      leafChanges(a[k], b[k], join(at, k), out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (named(a) && named(b) && new Set(a.map((x) => x.name)).size === a.length && new Set(b.map((x) => x.name)).size === b.length) {
      const byName = (xs: Array<{ name: string }>) => new Map(xs.map((x) => [x.name, x]));
      const [ma, mb] = [byName(a), byName(b)];
      const found = out.length;
      for (const n of [...new Set([...ma.keys(), ...mb.keys()])].sort()) leafChanges(ma.get(n), mb.get(n), `${at}[${n}]`, out);
      if (out.length === found) out.push({ path: at, before: a.map((x) => x.name), after: b.map((x) => x.name) });
      return;
    }
    if (a.length === b.length) {
      a.forEach((x, i) => leafChanges(x, b[i], `${at}[${i}]`, out));
      return;
    }
  }
  out.push({ path: at, before: a, after: b });
}

function valueAt(v: unknown, path: string): unknown {
  return (path.match(/[^.[\]]+/g) ?? []).reduce<unknown>((node, part) => (isPlainObject(node) ? node[part] : Array.isArray(node) ? node[Number(part)] : undefined), v);
}

/** Whether `path` is `ignored` or inside it (`ignoreChanges` of the working tree's resource, as Pulumi applies it). */
const under = (path: string, ignored: string) => path === ignored || path.startsWith(`${ignored}.`) || path.startsWith(`${ignored}[`);

/** The create-only inputs (by the table) whose values differ, ignoring what the program's ignoreChanges ignores. */
function replacedBy(type: string, before: Record<string, unknown>, after: Record<string, unknown>, changed: string[], ignored: string[]): string[] {
  const rule = createOnlyOf(type);
  if (!rule) return [];
  const live = (p: string) => !ignored.some((i) => under(p, i));
  if (rule.allExcept) return changed.filter((p) => live(p) && !rule.allExcept!.some((e) => under(p, e)));
  return [...rule.path, ...rule.body].filter((p) => live(p) && !deepEqual(valueAt(before, p), valueAt(after, p))).sort();
}

function compare(before: RegisteredResource | undefined, after: RegisteredResource | undefined, table: PriceTable): ResourceChange {
  const r = (after ?? before)!;
  const base = {
    urn: r.urn,
    type: r.type,
    name: r.name,
    protect: { before: before?.options.protect, after: after?.options.protect },
    cost: { before: before ? costOf(before, table) : undefined, after: after ? costOf(after, table) : undefined },
  };
  if (!before) return { ...base, action: "create", changes: [], replaceBecause: [] };
  if (!after) return { ...base, action: "delete", changes: [], replaceBecause: [] };
  const ignored = after.options.ignoreChanges ?? [];
  const raw: Array<{ path: string; before: unknown; after: unknown }> = [];
  leafChanges(before.inputs ?? {}, after.inputs ?? {}, "", raw);
  const leaves = raw.filter((c) => !ignored.some((i) => under(c.path, i)));
  const replaceBecause = replacedBy(r.type, before.inputs ?? {}, after.inputs ?? {}, leaves.map((c) => c.path), ignored);
  const changes = leaves.map((c) => ({
    path: c.path,
    before: showValue(c.before),
    after: showValue(c.after),
    createOnly: replaceBecause.some((p) => under(c.path, p) || under(p, c.path)),
  }));
  const action: Action = replaceBecause.length ? "replace" : changes.length ? "update" : "same";
  return { ...base, action, changes, replaceBecause };
}

const zero = (): Record<Action, number> => ({ create: 0, update: 0, replace: 0, delete: 0, same: 0 });

/**
 * `before`/`after`: masked runs, or undefined where the stack file does not exist on that side (every resource a
 * create, or a delete). Resources come in the working tree's order, then the deleted ones in the base's order.
 */
export function diffRuns(before: RunResult | undefined, after: RunResult | undefined, table: PriceTable = PRICES): StackDiff {
  const olds = new Map((before?.resources ?? []).map((r) => [r.urn, r]));
  const news = new Map((after?.resources ?? []).map((r) => [r.urn, r]));
  const resources = [
    ...(after?.resources ?? []).map((r) => compare(olds.get(r.urn), r, table)),
    ...(before?.resources ?? []).filter((r) => !news.has(r.urn)).map((r) => compare(r, undefined, table)),
  ];
  const counts = zero();
  for (const c of resources) counts[c.action]++;
  const total = (side: "before" | "after") =>
    totalOf(resources.filter((c) => (side === "before" ? c.action !== "create" : c.action !== "delete")).map((c) => ({ label: `${displayType(c.type).split(":").pop()} ${c.name}`, cost: c.cost[side] })));
  const cost = { before: total("before"), after: total("after") };
  const refusals = resources.flatMap((c) => refusalsOf(c, olds.get(c.urn), news.get(c.urn)));
  return { resources, refusals, counts, cost: { ...cost, difference: formatDifference(cost.before, cost.after) } };
}

/** A resource's monthly cost before -> after, for the rows: `$274.60/mo → $304.04/mo (+$29.44)`, or why it is unknown. */
export function costChange(c: ResourceChange): string | undefined {
  const b = c.action === "create" ? undefined : c.cost.before;
  const a = c.action === "delete" ? undefined : c.cost.after;
  if (!b && !a) return undefined;
  const fig = (x?: ResourceCost) => (x === undefined ? "$0.00/mo" : x.unpriced ? "unpriced" : `$${x.usd.toFixed(2)}/mo`);
  if (!b?.unpriced && !a?.unpriced && (b?.usd ?? 0) === (a?.usd ?? 0)) return c.action === "same" ? undefined : `${fig(a ?? b)}, no change`;
  if (b?.unpriced || a?.unpriced) return `${fig(b)} → ${fig(a)} (difference unknown)`;
  const d = (a?.usd ?? 0) - (b?.usd ?? 0);
  return `${fig(b)} → ${fig(a)} (${d >= 0 ? "+" : "-"}$${Math.abs(d).toFixed(2)})`;
}
