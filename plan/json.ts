/**
 * Machine-readable plan: the same model as the text, with keys sorted at every level so two runs of the same
 * program give the same bytes (CI can diff or hash it). Resource order is the tree order, which is deterministic.
 */
import { compareStacks, type Plan } from "./model";

/** JSON with object keys sorted recursively; undefined values dropped as JSON.stringify does. */
export function stableStringify(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

/**
 * `{ version, plans: [stack, ...diffed], comparison }`; each plan carries its own `violations` list. Version 2:
 * `cost.total` is `{ usd, pricedUsd, unpriced }` with `usd: null` when a resource is unpriced (version 1 had a bare
 * `totalUsd` that read as the whole cost even when it was not).
 */
export function renderJson(plan: Plan, others: Plan[] = []): string {
  return stableStringify({
    version: 2,
    plans: [plan, ...others],
    comparison: others.length ? compareStacks([plan, ...others]) : null,
  });
}
