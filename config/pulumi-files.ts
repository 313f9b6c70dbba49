/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` exactly as the Pulumi CLI does, so the offline tools and the program
 * (which reads its sibling stacks' files to refuse names another stack owns) see the keys `pulumi up` sees. From
 * pulumi/pulumi's Go source (sdk/go/common/workspace/loaders.go, resource/config/key.go and object.go):
 *  - a key without ':' is the project's ("platform" = "amplifier-infra:platform"); any key with ':' is kept as is;
 *  - a key is `<namespace>:<name>` or the legacy `<namespace>:config:<name>` (the same key); others are errors;
 *  - `{secure: <string>}` (exactly that one key) is an encrypted value, and a top-level key with one anywhere inside
 *    is a secret key as a whole (PULUMI_CONFIG_SECRET_KEYS); a null value reaches the program as "";
 *  - values reach the program as strings: strings as they are, everything else as JSON.
 * Where the CLI is lax, this reader stops with file:line:col instead: a bare key next to its namespaced twin (the CLI
 * keeps one at random), unknown top-level keys (the CLI ignores `confg:`), anchors/aliases (alias bombs), nesting
 * deeper than 12, files over 256 KiB, and plain scalars Go's yaml.v3 reads differently from YAML 1.2 (`05432`).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { isAlias, isCollection, isMap, isScalar, LineCounter, parseDocument, visit, type Document, type Node as YNode, type Pair } from "yaml";
import { ConfigError, didYouMean, type Problem } from "./errors";
import { indentationMistake, type IndentationMistake } from "./yaml-indentation";

/** Top-level keys of a stack file (workspace.ProjectStack in pulumi/pulumi sdk/go/common/workspace/project.go). */
const STACK_FILE_KEYS = ["config", "environment", "secretsprovider", "encryptedkey", "encryptionsalt"] as const;
const MAX_BYTES = 256 * 1024;
const MAX_DEPTH = 12;
/** Stack names Pulumi accepts (pulumi/pulumi sdk/go/common/tokens/stack_name.go). */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export interface ConfigEntry {
  /** `<namespace>:<name>`, as the program sees it in `pulumi.runtime.allConfig()`. */
  key: string;
  namespace: string;
  name: string;
  value: unknown;
  /** Paths of `secure:` values inside the value ("" = the value itself, "api.settings.KEY" = nested). */
  securePaths: string[];
}

/**
 * Who encrypts the file's `secure:` values, from its top-level keys: a passphrase (`encryptionsalt:`), a cloud KMS
 * (`secretsprovider:` azurekeyvault://, awskms://, ...) or, with neither, the Pulumi Cloud service.
 */
export type SecretsProviderKind = "service" | "passphrase" | "cloud";

export interface StackFile {
  stack: string;
  secretsProvider: SecretsProviderKind;
  /** File name as shown in messages (`Pulumi.prod.yaml`). */
  file: string;
  entries: ConfigEntry[];
  /** `file:line:col` of a key's value, or of the deepest part of `path` inside it that the file has. */
  locate(key: string, path?: readonly PropertyKey[]): string;
}

/** The stacks that have a `Pulumi.<stack>.yaml` in `dir` (the CLI reads the extension of Pulumi.yaml: `.yaml`). */
export function listStacks(dir: string): string[] {
  const stacks: string[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    const m = /^Pulumi\.(.+)\.(yaml|yml|json)$/.exec(f);
    if (!m) continue;
    if (m[2] !== "yaml") {
      throw new ConfigError(m[1], [`${f}: the Pulumi CLI reads only Pulumi.<stack>.yaml in this project (the extension of Pulumi.yaml); rename it`], f);
    }
    if (!STACK_NAME.test(m[1])) {
      throw new ConfigError(m[1], [`${f}: "${m[1]}" is not a Pulumi stack name (1-100 letters, digits, '-', '_' or '.')`], f);
    }
    stacks.push(m[1]);
  }
  return stacks;
}

/** The project's name from Pulumi.yaml; refuses settings that would make the CLI read config the tools cannot see. */
export function projectName(dir: string): string {
  const file = path.join(dir, "Pulumi.yaml");
  const src = fs.readFileSync(file, "utf8");
  return remembered(projectNames, `${file}\0${src}`, () => readProjectName(src));
}

function readProjectName(src: string): string {
  const doc = parseYamlFile("Pulumi.yaml", src, "(project)").doc.toJS() as Record<string, unknown> | null;
  const fail = (text: string): never => {
    throw new ConfigError("(project)", [text], "Pulumi.yaml");
  };
  if (typeof doc?.name !== "string" || !doc.name) return fail("Pulumi.yaml has no project name");
  // Project-level config and stackConfigDir change what `pulumi up` reads (pkg/workspace/config.go mergeConfig).
  if (doc.config !== undefined) fail("Pulumi.yaml: `config:` is not supported here; put values in Pulumi.<stack>.yaml so every tool sees them");
  if (doc.stackConfigDir !== undefined) fail("Pulumi.yaml: `stackConfigDir` is not supported; stack files live beside Pulumi.yaml");
  return doc.name;
}

/** Reads and checks `Pulumi.<stack>.yaml` in `dir`. */
export function readStackFile(stack: string, dir: string, project: string): StackFile {
  const file = `Pulumi.${stack}.yaml`;
  const full = path.join(dir, file);
  if (!fs.existsSync(full)) throw new ConfigError(stack, [`no stack "${stack}": ${full} does not exist`], file);
  const src = fs.readFileSync(full, "utf8");
  const parsed = remembered(stackFiles, `${full}\0${project}\0${src}`, () => parseStackYaml(stack, src, project));
  // A copy per caller: nobody can change what the next one reads.
  return { ...parsed, entries: parsed.entries.map((e) => ({ ...e, value: structuredClone(e.value), securePaths: [...e.securePaths] })) };
}

/**
 * Parsed files by path and text. One plan reads each stack file and Pulumi.yaml several times (the offline check, the
 * program, each one's sibling check), a jest worker hundreds of times; keyed by the text, so an edited file is parsed
 * anew, and a file that fails is never kept (its error is thrown again). The oldest go first past MAX_REMEMBERED.
 */
const stackFiles = new Map<string, StackFile>();
const projectNames = new Map<string, string>();
const MAX_REMEMBERED = 64;

/** `make()` once per key (a throw keeps nothing), in a cache of at most MAX_REMEMBERED, the oldest out first. */
export function remembered<T>(cache: Map<string, T>, key: string, make: () => T): T {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = make();
  if (cache.size >= MAX_REMEMBERED) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

/** Parses a stack file's text (exported for tests of the rules above). */
export function parseStackYaml(stack: string, src: string, project: string): StackFile {
  const file = `Pulumi.${stack}.yaml`;
  const { doc, at, fail } = parseYamlFile(file, src, stack);
  const entries: ConfigEntry[] = [];
  const written = new Map<string, string>();
  // The deepest part of the path the file has: a mapping key where the path names one, else the list item.
  const locate = (key: string, keyPath: readonly PropertyKey[] = []): string => {
    const w = written.get(key);
    if (w === undefined) return file;
    let found = at(start(keyNodeIn(doc.getIn(["config"], true), w)));
    let node: unknown = doc.getIn(["config", w], true);
    for (const part of keyPath) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
        if (!pair) break;
        found = at(start(pair.key));
        node = pair.value;
      } else if (isCollection(node) && typeof part === "number" && node.items[part]) {
        node = node.items[part];
        found = at(start(node));
      } else break;
    }
    return found;
  };
  const result: StackFile = { stack, file, entries, locate, secretsProvider: "service" };
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return result; // empty file: no config, as in Pulumi
  if (!isMap(root)) return fail(start(root), "a stack file must be a mapping with a `config:` key");
  let configNode: YNode | null = null;
  for (const pair of root.items as Pair<YNode, YNode | null>[]) {
    const k = String((pair.key as { value?: unknown }).value);
    if (!(STACK_FILE_KEYS as readonly string[]).includes(k)) {
      fail(start(pair.key), `unknown top-level key "${k}"${didYouMean(k, STACK_FILE_KEYS)}; allowed: ${STACK_FILE_KEYS.join(", ")}`);
    }
    // ESC environments are resolved by Pulumi Cloud only: the offline plan could not see their values.
    if (k === "environment") fail(start(pair.key), "`environment:` (Pulumi ESC imports) is not supported: the offline plan could not see those values");
    if (k === "config") configNode = pair.value;
    const v = isScalar(pair.value) ? String(pair.value.value ?? "") : "";
    if (k === "encryptionsalt" || (k === "secretsprovider" && v.startsWith("passphrase"))) result.secretsProvider = "passphrase";
    else if (k === "secretsprovider" && result.secretsProvider === "service") result.secretsProvider = "cloud";
  }
  if (configNode === null || (isScalar(configNode) && configNode.value === null)) return result;
  if (!isMap(configNode)) return fail(start(configNode), "`config:` must be a mapping of keys to values");
  for (const pair of configNode.items as Pair<YNode, YNode | null>[]) {
    const w = String((pair.key as { value?: unknown }).value);
    const parsed = parseConfigKey(w, project);
    if (typeof parsed === "string") return fail(start(pair.key), parsed);
    const key = `${parsed.namespace}:${parsed.name}`;
    const twin = written.get(key);
    // Pulumi keeps one of the two (Go map order, i.e. at random): never let that decide.
    if (twin !== undefined) fail(start(pair.key), `"${w}" and "${twin}" are the same key ${key}; keep one`);
    if (pair.value) rejectAmbiguousScalars(pair.value, fail);
    const value = pair.value === null ? null : pair.value.toJS(doc, { maxAliasCount: 0 });
    written.set(key, w);
    entries.push({ key, ...parsed, value, securePaths: securePaths(value) });
  }
  return result;
}

/** Pulumi's key rules (config/key.go ParseKey after loaders.go's namespacing): the parts, or an error message. */
export function parseConfigKey(written: string, project: string): { namespace: string; name: string } | string {
  const parts = written.split(":");
  if (parts.length === 1) return { namespace: project, name: written };
  if (parts.length === 2 && parts[0] && parts[1]) return { namespace: parts[0], name: parts[1] };
  if (parts.length === 3 && parts[1] === "config" && parts[0] && parts[2]) return { namespace: parts[0], name: parts[2] };
  return `"${written}" is not a configuration key: write <namespace>:<name> (e.g. ${project}:app) or a bare name; nested settings go inside the value`;
}

/** Exactly Pulumi's isSecureValue (config/object.go): a mapping whose only key is `secure`, with a string value. */
export function isSecureValue(v: unknown): v is { secure: string } {
  return isPlainObject(v) && Object.keys(v).length === 1 && typeof v.secure === "string";
}

function securePaths(v: unknown, at = ""): string[] {
  if (isSecureValue(v)) return [at];
  if (Array.isArray(v)) return v.flatMap((x, i) => securePaths(x, `${at}[${i}]`));
  if (isPlainObject(v)) return Object.entries(v).flatMap(([k, x]) => securePaths(x, at ? `${at}.${k}` : k));
  return [];
}

/**
 * A secure value as the offline tools see it: they cannot decrypt, so each gets its own placeholder (stack, key and
 * path hashed), and masking by value can never work by coincidence.
 */
export function offlineSecret(stack: string, key: string, at: string): string {
  return `offline-secret-${crypto.createHash("sha256").update(`${stack}\0${key}\0${at}`).digest("hex").slice(0, 16)}`;
}

/**
 * The config map as the language host hands it to the program (PULUMI_CONFIG, PULUMI_CONFIG_SECRET_KEYS): every
 * value a string (null -> "", non-strings as JSON), secure values replaced by `offlineSecret`, and a key secret when
 * anything inside it is secure.
 */
export function toRuntimeConfig(stack: string, config: ReadonlyMap<string, unknown>): { values: Record<string, string>; secretKeys: string[] } {
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of config) {
    let secret = false;
    const replace = (v: unknown, at: string): unknown => {
      if (isSecureValue(v)) {
        secret = true;
        return offlineSecret(stack, key, at);
      }
      if (Array.isArray(v)) return v.map((x, i) => replace(x, `${at}[${i}]`));
      if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replace(x, at ? `${at}.${k}` : k)]));
      return v;
    };
    const plain = replace(value, "");
    values[key] = plain === null || plain === undefined ? "" : typeof plain === "string" ? plain : JSON.stringify(plain);
    if (secret) secretKeys.push(key);
  }
  return { values, secretKeys };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A YAML file of the project other than a stack file, read with the same limits (size, no anchors, depth); errors located. */
export function parseYaml(file: string, src: string): unknown {
  return parseYamlFile(file, src, "(project)").doc.toJS({ maxAliasCount: 0 });
}

// ---- YAML with positions ----

type Fail = (offset: number, msg: string) => never;

function parseYamlFile(file: string, src: string, stack: string): { doc: Document; at: (offset: number) => string; fail: Fail } {
  const lc = new LineCounter();
  const at = (offset: number) => {
    const { line, col } = lc.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const fail: Fail = (offset, msg) => {
    throw new ConfigError(stack, [{ text: msg, where: at(offset) }], file);
  };
  if (Buffer.byteLength(src) > MAX_BYTES) throw new ConfigError(stack, [{ text: `larger than ${MAX_BYTES / 1024} KiB; a stack file needs far less`, where: `${file}:1:1` }], file);
  const doc = parseDocument(src, { lineCounter: lc, prettyErrors: true, uniqueKeys: true, stringKeys: true, merge: false, version: "1.2" });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    // The parser places an indentation mistake on the line above it, or names no fix: say which line and what to change.
    const indent = pos && indentationMistakeAt(src, pos.line);
    if (indent) throw new ConfigError(stack, [{ text: indent.text, where: `${file}:${indent.line}:${indent.col}` }], file);
    const where = pos ? `${file}:${pos.line}:${pos.col}` : at(first.pos[0]);
    throw new ConfigError(stack, [{ text: first.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""), where }], file);
  }
  checkStructure(doc, fail);
  return { doc, at, fail };
}

/** The indentation mistake behind a parse error reported on `line`: on that line, or on the next entry below it. */
function indentationMistakeAt(src: string, line: number): IndentationMistake | undefined {
  const mistake = indentationMistake(src);
  if (!mistake || mistake.line < line) return undefined;
  const between = src.split(/\r?\n/).slice(line, mistake.line - 1);
  return mistake.line === line || between.every((l) => /^\s*(#.*)?$/.test(l)) ? mistake : undefined;
}

/**
 * No anchors or aliases (an alias bomb throws without a position in toJS), no explicit tags (`!!binary` reads as bytes
 * here and as a string in Go's yaml.v3, an unknown `!tag` is dropped with a warning), no nesting deeper than MAX_DEPTH.
 */
function checkStructure(doc: Document, fail: Fail): void {
  visit(doc, {
    Node(_key, node, ancestors) {
      if (isAlias(node)) fail(start(node), `alias *${node.source}: anchors and aliases are not allowed in stack files`);
      if ((isScalar(node) || isCollection(node)) && node.anchor) fail(start(node), `anchor &${node.anchor}: anchors and aliases are not allowed in stack files`);
      if ((isScalar(node) || isCollection(node)) && node.tag) fail(start(node), `tag ${node.tag.replace("tag:yaml.org,2002:", "!!")}: explicit tags are not allowed in stack files (the Pulumi CLI would read the value differently); write the plain value`);
      const depth = ancestors.filter((p) => isCollection(p)).length + (isCollection(node) ? 1 : 0);
      if (depth > MAX_DEPTH) fail(start(node), `nested more than ${MAX_DEPTH} levels deep`);
    },
  });
}

/** Plain scalars Go's yaml.v3 (the CLI) reads differently from YAML 1.2 (octal 017, 1_000, 0b11, .inf, dates). */
function rejectAmbiguousScalars(node: YNode, fail: Fail): void {
  visit(node, {
    Scalar(_k, s) {
      if (s.type !== "PLAIN" || typeof s.source !== "string") return;
      const t = s.source;
      if (/^[-+.\d]/.test(t) && /^[-+]?0\d+$|_|^[-+]?0b[01]+$|^[-+]?\.(inf|nan)$|^\d{4}-\d\d?-\d\d?([Tt ]|$)/i.test(t)) {
        fail(start(s), `"${t}" reads differently in the Pulumi CLI (Go yaml.v3) and here; quote it or write a plain decimal`);
      }
    },
  });
}

function keyNodeIn(map: unknown, key: string): unknown {
  return isMap(map) ? map.items.find((p) => isScalar(p.key) && String(p.key.value) === key)?.key : undefined;
}

function start(n: unknown): number {
  return (n as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
}

/** Re-raises a ConfigError with each problem pointed at its place in the stack file. */
export function located(err: ConfigError, file: StackFile, project: string): ConfigError {
  const where = (p: Problem) => p.where ?? (p.key ? file.locate(p.key) : p.path?.length ? file.locate(`${project}:${String(p.path[0])}`, p.path.slice(1)) : file.file);
  return new ConfigError(err.stackName, err.problems.map((p) => ({ ...p, where: where(p) })), file.file);
}

/**
 * How Pulumi marks a secret value in a serialised property map (on the wire and in `pulumi stack export`):
 * `{ [SECRET_SIG.key]: SECRET_SIG.secret, value | ciphertext }` (pulumi/pulumi sdk/go/common/resource/sig/sig.go,
 * Key and Secret). The mock runtime and the drift check read it; one definition.
 */
export const SECRET_SIG = { key: "4dabf18193072939515e22adb298388d", secret: "1b47061264138c4ac30d75fd1eb44270" } as const;
