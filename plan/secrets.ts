/**
 * Secret masking for every plan format. The masked copy of a run is the only thing renderers see, so a secret
 * cannot reach text, JSON or a diagram by a path nobody thought of.
 *
 * Secret values come from three places: inputs the program passed as secrets (`secretInputs`), outputs the
 * provider declares secret (`additionalSecretOutputs`, e.g. RandomPassword.result — the mock monitor does not
 * apply these, so a password flowing into another resource's input arrives there unmarked) and secret stack
 * outputs. Any string equal to or containing one of them (plain or percent-encoded) is masked.
 */
import type { RegisteredResource, RunResult } from "../mock-runtime";

export const MASK = "[secret]";

/** Shorter strings are not searched for inside other strings (a secret "on" would mask every "on"). */
const MIN_EMBEDDED_LENGTH = 6;

function getPath(value: unknown, dotted: string): unknown {
  const parts = dotted.match(/[^.[\]]+/g) ?? [];
  let node: unknown = value;
  for (const part of parts) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function setPath(target: any, dotted: string, value: unknown): void {
  const parts = dotted.match(/[^.[\]]+/g) ?? [];
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (node === null || typeof node !== "object") return;
    node = node[part];
  }
  const last = parts[parts.length - 1];
  if (node !== null && typeof node === "object" && last !== undefined && last in node) node[last] = value;
}

function stringsIn(value: unknown, out: string[]): void {
  if (typeof value === "string") out.push(value);
  else if (typeof value === "number" || typeof value === "boolean") out.push(String(value));
  else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => stringsIn(v, out));
}

/** `NAME=value` (container env) keeps its name visible: only the value is secret. */
const ENV_ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/** Every secret value in a run, longest first (so a containing secret is replaced before its parts). */
export function collectSecrets(result: RunResult): string[] {
  const found: string[] = [];
  for (const r of result.resources) {
    for (const p of r.secretInputs) stringsIn(getPath(r.inputs, p), found);
    for (const p of r.options.additionalSecretOutputs) stringsIn(getPath(r.state, p), found);
  }
  for (const key of result.secretOutputs) stringsIn(result.outputs[key], found);
  const expanded = new Set<string>();
  for (const s of found) {
    if (!s) continue;
    expanded.add(s);
    const env = ENV_ASSIGNMENT.exec(s);
    if (env && env[2]) expanded.add(env[2]);
  }
  for (const s of [...expanded]) {
    const encoded = encodeURIComponent(s);
    if (encoded !== s) expanded.add(encoded);
  }
  return [...expanded].sort((a, b) => b.length - a.length || a.localeCompare(b));
}

export interface Masker {
  /** Masks a string: whole secrets become `[secret]`, embedded ones are cut out. */
  text(value: string): string;
  /** Deep copy of any JSON-like value with every string masked. */
  value<T>(value: T): T;
}

export function makeMasker(secrets: string[]): Masker {
  const text = (value: string): string => {
    if (secrets.includes(value)) return MASK;
    let out = value;
    for (const s of secrets) {
      if (s.length >= MIN_EMBEDDED_LENGTH && out.includes(s)) out = out.split(s).join(MASK);
    }
    return out;
  };
  const deep = (value: any): any => {
    if (typeof value === "string") return text(value);
    if (typeof value === "number" && secrets.includes(String(value))) return MASK;
    if (Array.isArray(value)) return value.map(deep);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deep(v)]));
    return value;
  };
  return { text, value: deep };
}

/** Inputs with each secret path replaced (`NAME=[secret]` for env assignments), then value-masked. */
function maskResource(r: RegisteredResource, masker: Masker): RegisteredResource {
  const inputs = structuredClone(r.inputs);
  for (const p of r.secretInputs) {
    const v = getPath(inputs, p);
    const env = typeof v === "string" ? ENV_ASSIGNMENT.exec(v) : null;
    setPath(inputs, p, env ? `${env[1]}=${MASK}` : MASK);
  }
  const state = structuredClone(r.state);
  for (const p of r.options.additionalSecretOutputs) if (getPath(state, p) !== undefined) setPath(state, p, MASK);
  return { ...r, inputs: masker.value(inputs), state: masker.value(state) };
}

/** A copy of the run that is safe to print: secret inputs, provider secrets and secret outputs masked. */
export function maskRun(result: RunResult): RunResult {
  const masker = makeMasker(collectSecrets(result));
  const outputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result.outputs)) outputs[k] = result.secretOutputs.includes(k) ? MASK : masker.value(v);
  return {
    ...result,
    resources: result.resources.map((r) => maskResource(r, masker)),
    outputs,
    error: result.error ? new Error(masker.text(result.error.message)) : undefined,
  };
}
