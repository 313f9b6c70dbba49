/**
 * How configuration problems are reported: one ConfigError per stack listing every problem (key, value given, what
 * is allowed, the closest valid key), so a person can fix them all in one go. Readers that know the stack file (the
 * offline tools) fill in `where` (`Pulumi.prod.yaml:12:5`); the program, which only sees Pulumi's runtime config,
 * names the file in the heading.
 */
import type { z } from "zod";

export interface Problem {
  /** `key (got value): what is allowed`. */
  text: string;
  /** Path inside the project's config (["postgres", "backupRetentionDays"]), for readers that can point at a line. */
  path?: readonly PropertyKey[];
  /** A full config key outside the project's namespace ("azure-native:locaton"), for the same purpose. */
  key?: string;
  /** File, line and column, when known. */
  where?: string;
}

/**
 * Control characters (ANSI escapes, newlines, NUL), bidirectional overrides and isolates, zero-width characters and
 * line separators: never printed as they are (config/hostile.ts refuses them in values; messages escape them).
 */
// eslint-disable-next-line no-control-regex
export const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

/** `s` with every UNSAFE_CHARACTER written as \uXXXX, so a message stays one line of visible text. */
export function escapeUnsafe(s: string): string {
  return s.replace(new RegExp(UNSAFE_CHARACTER.source, "g"), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export class ConfigError extends Error {
  readonly problems: readonly Problem[];

  constructor(
    readonly stackName: string,
    problems: readonly (Problem | string)[],
    readonly file = `Pulumi.${stackName}.yaml`,
  ) {
    // Every problem is printed, and some quote the value they refuse: escaped, one visible line each.
    const list = problems.map((p) => (typeof p === "string" ? { text: p } : p)).map((p) => ({ ...p, text: escapeUnsafe(p.text), ...(p.where ? { where: escapeUnsafe(p.where) } : {}) }));
    super(`Invalid configuration for stack "${stackName}" (${file}):\n${list.map((p) => `  - ${p.where ? `${p.where}: ` : ""}${p.text}`).join("\n")}`);
    this.problems = list;
    this.name = "ConfigError";
  }
}

/** The candidate closest to `word` by edit distance, if close enough to be a likely typo (case-insensitive). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** ` (did you mean "x"?)` or nothing. */
export function didYouMean(word: string, candidates: readonly string[], show: (c: string) => string = (c) => c): string {
  const c = closest(word, candidates);
  return c === undefined ? "" : ` (did you mean "${show(c)}"?)`;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

// ---- zod issues as problems ----

export function keyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), "");
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined), raw);
}

type AnySchema = z.core.$ZodType;

/** The keys an object schema at `path` accepts (through optional/default/record/array wrappers). */
export function allowedKeysAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  let node: AnySchema | undefined = schema;
  const unwrap = (s: AnySchema | undefined): AnySchema | undefined => {
    for (let i = 0; s && i < 10; i++) {
      const def = s._zod.def as { type: string; innerType?: AnySchema; in?: AnySchema };
      if (def.innerType) s = def.innerType;
      else if (def.type === "pipe" && def.in) s = def.in;
      else break;
    }
    return s;
  };
  for (const key of path) {
    node = unwrap(node);
    const def = node?._zod.def as { type: string; shape?: Record<string, AnySchema>; valueType?: AnySchema; element?: AnySchema } | undefined;
    if (def?.type === "object") node = def.shape?.[String(key)];
    else if (def?.type === "record") node = def.valueType;
    else if (def?.type === "array") node = def.element;
    else return [];
  }
  const def = unwrap(node)?._zod.def as { type: string; shape?: Record<string, AnySchema> } | undefined;
  return def?.type === "object" ? Object.keys(def.shape ?? {}) : [];
}

/**
 * One problem per zod issue (one per unknown key): `key (got <value>): <what is allowed>`; an unknown key names the
 * closest valid key and lists the allowed ones, so a typo cannot silently fall back to a default. Under a key Pulumi
 * marks secret (`secretKeys`, top-level) the value is not shown: the program sees it decrypted, and Pulumi does not
 * say which value inside the key was the `secure:` one.
 */
export function describeIssue(issue: z.core.$ZodIssue, raw: unknown, schema: AnySchema, secretKeys: ReadonlySet<string> = new Set()): Problem[] {
  const where = keyPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const allowed = allowedKeysAt(schema, issue.path);
    return issue.keys.map((key) => ({
      path: [...issue.path, key],
      text: `${where ? `${where}: unknown key "${key}"` : `${key}: unknown key`}${didYouMean(key, allowed)}; allowed: ${allowed.join(", ")}`,
    }));
  }
  const value = valueAt(raw, issue.path);
  const secret = issue.path.length > 0 && secretKeys.has(String(issue.path[0]));
  const got =
    value === undefined ? "not set" : value === "" ? "got an empty value" : secret ? `value not shown: ${String(issue.path[0])} holds a secure: value` : `got ${JSON.stringify(value)}`;
  const at = where || "(root)";
  const path = issue.path;
  if (issue.code === "invalid_value") return [{ path, text: `${at} (${got}): must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}` }];
  if (issue.code === "invalid_type") {
    const expected = issue.expected === "object" ? "a mapping" : issue.expected === "int" ? "a whole number" : `a ${issue.expected}`;
    return [{ path, text: `${at} (${got}): must be ${expected}` }];
  }
  return [{ path, text: `${at} (${got}): ${issue.message}` }];
}
