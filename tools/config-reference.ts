/**
 * docs/configuration.md: every stack config key, one table per block, generated from the zod schemas in config/
 * (`npm run docs`; test/docs.test.ts fails when the file is stale). Types, defaults, enums, ranges and lengths come
 * from `z.toJSONSchema`; each key's description is its `.describe()`, and limits a JSON schema cannot state (regular
 * expressions, custom checks) are the `rule` text config/fields.ts attaches. Names derived from `namePrefix` and the
 * stack are shown as their rule, found by deriving them for a placeholder prefix and stack with derive.ts itself.
 */
import { z } from "zod";
import { AZURE_ONLY, parseStackConfig, REQUIRED_BLOCKS, type StackConfig, stackConfigSchema } from "../config/schema";
import { SECRET_CAPABLE } from "../config/secrets";

/** The JSON schema fields the tables read (draft 2020-12, as zod writes it, plus zod's metadata). */
interface Json {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  properties?: Record<string, Json>;
  required?: string[];
  items?: Json;
  propertyNames?: Json;
  additionalProperties?: Json | boolean;
  rule?: string;
  derivedDefault?: string;
}

export interface ConfigRow {
  /** Path inside the block (`healthcheck.interval`, `firewallRules[].name`); the key itself at the top level. */
  key: string;
  type: string;
  default: string;
  allowed: string;
  description: string;
}

// Placeholders a derived name is computed for, then shown as `<namePrefix>` and `<stack>` (valid as both).
const PREFIX = "qqprefixqq";
const STACK = "qqstackqq";

/** The smallest valid stack of each platform, with every name left to derive.ts. */
function placeholderStacks(): StackConfig[] {
  return [
    parseStackConfig(STACK, { environment: "development", platform: "docker", namePrefix: PREFIX, docker: { api: { context: "api" } } }),
    parseStackConfig(STACK, { environment: "test", platform: "azure", namePrefix: PREFIX, azure: {}, postgres: {}, network: {} }),
  ];
}

const code = (v: unknown) => `\`${typeof v === "string" ? v : JSON.stringify(v)}\``;
/** Text for a table cell: pipes escaped, and `<...>` outside code spans shown rather than read as HTML. */
export const cell = (s: string) =>
  s
    .split("`")
    .map((part, i) => (i % 2 ? part : part.replace(/</g, "&lt;").replace(/>/g, "&gt;")))
    .join("`")
    .replace(/\|/g, "\\|");

function typeOf(s: Json): string {
  if (s.type === "array") return `list of ${typeOf(s.items ?? {})}s`.replace(/ys$/, "ies");
  if (s.type === "object") return s.properties ? "mapping" : `map of ${typeOf(typeof s.additionalProperties === "object" ? s.additionalProperties : {})}`;
  return s.type ?? "any";
}

function allowedOf(s: Json, key: string): string {
  const parts: string[] = [];
  if (s.enum) parts.push(s.enum.map(code).join(", "));
  if (s.rule) parts.push(s.rule.replace(/^must be /, ""));
  else if (s.format === "email") parts.push("an email address");
  else if (s.format === "uuid") parts.push("a GUID");
  else if (s.pattern) throw new Error(`${key}: a pattern without words; build it with matching() (config/fields.ts) so the docs can state the rule`);
  // z.number().int() alone states the safe-integer range: no limit worth a word.
  const min = s.minimum === Number.MIN_SAFE_INTEGER ? undefined : s.minimum;
  const max = s.maximum === Number.MAX_SAFE_INTEGER ? undefined : s.maximum;
  if (min !== undefined && max !== undefined) parts.push(`${min}–${max}`);
  else if (min !== undefined) parts.push(`≥ ${min}`);
  else if (max !== undefined) parts.push(`≤ ${max}`);
  if (s.type === "boolean") parts.push("`true`, `false`");
  if (s.minLength !== undefined && s.maxLength !== undefined) parts.push(`${s.minLength}–${s.maxLength} characters`);
  else if (s.minLength === 1) parts.push("not empty");
  if (s.maxItems !== undefined) parts.push(`at most ${s.maxItems}`);
  if (s.type === "array" && s.items && !s.items.properties) {
    const each = allowedOf(s.items, key);
    if (each) parts.push(`each ${each}`);
  }
  if (s.type === "object" && !s.properties) {
    const names = s.propertyNames ? allowedOf(s.propertyNames, key) : "";
    if (names) parts.push(`names: ${names}`);
  }
  return parts.join("; ");
}

/** A derived name at `path` in the placeholder stacks, as its rule (`<namePrefix>-db-<stack>`). */
function derivedName(stacks: StackConfig[], path: string[]): string | undefined {
  for (const cfg of stacks) {
    const value = path.reduce<unknown>((node, k) => (node && typeof node === "object" ? (node as Record<string, unknown>)[k] : undefined), cfg);
    // Absent, or a block the placeholder stack itself gives (docker.api): nothing derived.
    if (value === undefined || typeof value === "object") continue;
    if (typeof value === "string" && (value.includes(PREFIX) || value.includes(STACK))) {
      return code(value.replaceAll(PREFIX, "<namePrefix>").replaceAll(STACK, "<stack>"));
    }
    // A default computed from other keys that is not a name: only its rule (derivedDefault) may be shown.
    throw new Error(`${path.join(".")}: derived default ${JSON.stringify(value)} is not a name; state its rule with .meta({ derivedDefault })`);
  }
  return undefined;
}

function defaultOf(s: Json, path: string[], required: boolean, stacks: StackConfig[]): string {
  if (s.default !== undefined) {
    const d = s.default;
    if (Array.isArray(d)) return d.length ? d.map(code).join(", ") : "none";
    if (d !== null && typeof d === "object") {
      const entries = Object.entries(d);
      if (!entries.length) return s.properties ? "its keys' defaults" : "none";
      return entries.map(([k, v]) => code(`${k}: ${v}`)).join(", ");
    }
    return code(d);
  }
  if (s.derivedDefault) return s.derivedDefault;
  if (required) return "**required**";
  return derivedName(stacks, path) ?? "not set";
}

/** How SECRET_CAPABLE (config/secrets.ts) lets the key be a `secure:` value, in words. */
function secretNote(path: string[]): string {
  const p = path.join(".");
  if (SECRET_CAPABLE.some((c) => c === p)) return " May be a `secure:` value.";
  return SECRET_CAPABLE.some((c) => c === `${p}.*`) ? " Each value may be a `secure:` value." : "";
}

/** One row per key of `s` (an object schema), nested mappings and lists of mappings flattened with dotted keys. */
function rowsOf(s: Json, path: string[], prefix: string, stacks: StackConfig[]): ConfigRow[] {
  return Object.entries(s.properties ?? {}).flatMap(([name, field]) => {
    const at = [...path, name];
    const key = `${prefix}${name}`;
    if (!field.description) throw new Error(`${at.join(".")}: no description; add .describe("...") to its schema`);
    const row: ConfigRow = {
      key,
      type: typeOf(field),
      default: defaultOf(field, at, (s.required ?? []).includes(name), stacks),
      allowed: allowedOf(field, at.join(".")),
      description: field.description + secretNote(at),
    };
    if (field.properties) return [row, ...rowsOf(field, at, `${key}.`, stacks)];
    if (field.items?.properties) return [row, ...rowsOf(field.items, [...at, "[]"], `${key}[].`, stacks)];
    return [row];
  });
}

function table(rows: ConfigRow[]): string {
  return [
    "| Key | Type | Default | Allowed | Description |",
    "|---|---|---|---|---|",
    ...rows.map((r) => `| \`${r.key}\` | ${r.type} | ${cell(r.default)} | ${cell(r.allowed) || "–"} | ${cell(r.description)} |`),
  ].join("\n");
}

/** Which stacks may (or must) carry a top-level key; `hasRequired`: the block, when given, needs some keys. */
function whereUsed(key: string, hasRequired = false): string {
  for (const [platform, blocks] of Object.entries(REQUIRED_BLOCKS)) {
    if ((blocks as readonly string[]).includes(key)) return `${platform === "docker" ? "Docker" : "Azure"} stacks only; required there.`;
  }
  if (!(AZURE_ONLY as readonly string[]).includes(key)) return "Every stack; optional.";
  return hasRequired ? "Azure stacks only; optional (absent, nothing of it is created; present, its required keys must be set)." : "Azure stacks only; optional (every key has a default).";
}

/**
 * The rows of every key, by block ("" = top-level scalars), in schema order. Throws when a key has no description,
 * a pattern no words, or a computed default no stated rule: the reference never shows less than the schema checks.
 */
export function configReference(schema: z.ZodType = stackConfigSchema): { block: string; description?: string; rows: ConfigRow[] }[] {
  const root = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
  const stacks = placeholderStacks();
  const entries = Object.entries(root.properties ?? {});
  const scalars = { properties: Object.fromEntries(entries.filter(([, s]) => !s.properties)), required: root.required };
  const topRows = rowsOf(scalars, [], "", stacks).map((r) => ((AZURE_ONLY as readonly string[]).includes(r.key) ? { ...r, description: `${r.description} Azure stacks only.` } : r));
  return [
    { block: "", rows: topRows },
    ...entries.filter(([, s]) => s.properties).map(([block, s]) => ({ block, description: s.description, rows: rowsOf(s, [block], "", stacks) })),
  ];
}

export function renderConfigReference(): string {
  const sections = configReference().map(({ block, description, rows }) =>
    block
      ? [`## \`${block}\``, "", cell(`${whereUsed(block, rows.some((r) => !r.key.includes(".") && r.default === "**required**"))} ${description ?? ""}`.trim()), "", table(rows)].join("\n")
      : ["## Top-level keys", "", table(rows)].join("\n"),
  );
  return [
    "# Stack configuration reference",
    "",
    "<!-- Generated by `npm run docs` from the zod schemas in config/; do not edit. test/docs.test.ts fails when it is stale. -->",
    "",
    "Every key of a `Pulumi.<stack>.yaml` under the project namespace (`amplifier-infra:`), one table per block. A",
    "nested key is written inside its block in YAML, or set with `pulumi config set --path '<block>.<key>' <value>`;",
    "`a.b` is key `b` inside mapping `a`, `a[].b` key `b` of each item of list `a`. Every value is checked before",
    "anything is registered, and a bad one stops with the key, the value and what is allowed (docs/stack-files.md).",
    "`<namePrefix>` in a default is the value of `namePrefix`, `<stack>` the stack name reduced to lowercase letters and",
    "digits. Keys of other namespaces are refused, and of the providers' own keys only `azure-native:location` is taken (Azure",
    "stacks; it must equal `azure.location`): credentials, identities and endpoints come from the job's environment.",
    "Every string is at most 2048 printable characters (no control or invisible characters, no backticks). A stack that",
    "`non-production-stacks.yaml` does not list is production and held to production's floors (docs/threat-model.md).",
    "",
    ...sections.flatMap((s) => [s, ""]),
  ].join("\n");
}
