/**
 * Which jobs of a workflow run, as GitHub decides it, for the tests that check the delivery path end to end
 * (test/workflows-jobs.test.ts). Only what these workflows use is modelled:
 * - a job-level `if` without a status function means `success() && (<if>)`, no `if` means `success()`
 *   (docs.github.com, "Workflow syntax for GitHub Actions", jobs.<job_id>.if);
 * - `success()` in a job's `if` is false when ANY earlier job in its `needs` chain failed or was skipped, not only a
 *   direct one (actions/runner#2205: a skipped grandparent skips the job even though its direct needs succeeded);
 * - a job that runs with an empty `fromJSON(...)` matrix fails ("Matrix vector 'stack' does not contain any values").
 * Expressions: literals, context paths (`needs.<job>.result|outputs.<name>`, `github.*`), `==`/`!=` (strings
 * compared ignoring case, as GitHub does), `!`, `&&`, `||`, parentheses and the functions success(), failure(),
 * cancelled(), always(), format() and fromJSON().
 */
import { needsOf, type Workflow } from "./workflows";

export type Result = "success" | "failure" | "skipped";
export interface Scenario {
  /** Each job's step outputs when it runs, by output name (the `stacks` job's lists). */
  outputs?: Record<string, Record<string, string>>;
  /** Jobs whose steps fail when they run. */
  failing?: string[];
  /** The `github` context. */
  github?: Record<string, unknown>;
}

const STATUS = /\b(success|failure|cancelled|always)\(\)/;

/** Tokens of an expression: strings, numbers, words (paths with '-' and '.'), operators, punctuation. */
function lex(src: string): string[] {
  const re = /\s*('(?:[^']|'')*'|\d+(?:\.\d+)?|[A-Za-z_][\w.-]*|==|!=|&&|\|\||[!(),])/y;
  const s = src.trimEnd();
  const out: string[] = [];
  while (re.lastIndex < s.length) {
    const m = re.exec(s);
    if (!m) throw new Error(`cannot read expression at ${JSON.stringify(s.slice(re.lastIndex))}`);
    out.push(m[1]);
  }
  return out;
}

type Value = unknown;
const truthy = (v: Value) => !(v === false || v === null || v === undefined || v === "" || v === 0);
const equal = (a: Value, b: Value) => (typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b);

/** Evaluates one expression (without `${{ }}`) against a context and status functions. */
export function evaluate(src: string, context: Record<string, unknown>, fns: Record<string, (...a: Value[]) => Value>): Value {
  const t = lex(src);
  let i = 0;
  const peek = () => t[i];
  const take = (want?: string) => {
    const x = t[i++];
    if (want !== undefined && x !== want) throw new Error(`expected ${want} in ${src}, got ${x}`);
    return x;
  };
  const primary = (): Value => {
    const x = take();
    if (x === "(") {
      const v = or();
      take(")");
      return v;
    }
    if (x.startsWith("'")) return x.slice(1, -1).replace(/''/g, "'");
    if (/^\d/.test(x)) return Number(x);
    if (x === "true" || x === "false") return x === "true";
    if (peek() === "(") {
      take("(");
      const args: Value[] = [];
      while (peek() !== ")") {
        args.push(or());
        if (peek() === ",") take(",");
      }
      take(")");
      const fn = fns[x];
      if (!fn) throw new Error(`function ${x}() is not modelled`);
      return fn(...args);
    }
    return x.split(".").reduce<Value>((o, k) => (o as Record<string, unknown> | undefined)?.[k], context);
  };
  const unary = (): Value => (peek() === "!" ? (take(), !truthy(unary())) : primary());
  const cmp = (): Value => {
    const a = unary();
    if (peek() === "==" || peek() === "!=") {
      const op = take();
      const b = unary();
      return op === "==" ? equal(a, b) : !equal(a, b);
    }
    return a;
  };
  // `a && b` is b when a is truthy, else a; `a || b` is a when a is truthy, else b.
  const chain = (op: string, next: () => Value, keepLeft: (v: Value) => boolean) => (): Value => {
    let v = next();
    while (peek() === op) {
      take();
      const r = next();
      v = keepLeft(v) ? v : r;
    }
    return v;
  };
  const and = chain("&&", cmp, (v) => !truthy(v));
  const or = chain("||", and, truthy);
  const v = or();
  if (i !== t.length) throw new Error(`unexpected ${t[i]} in ${src}`);
  return v;
}

/** The expression inside `${{ }}`, or the text itself (a job's `if` may omit the braces). */
const inner = (s: string) => s.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, "$1").trim();

/** Every job's result in one run of `wf` under `scenario`, in the order GitHub can start them. */
export function runJobs(wf: Workflow, scenario: Scenario): Record<string, Result> {
  const results: Record<string, Result> = {};
  const outputs: Record<string, Record<string, string>> = {};
  const ancestors = (id: string): string[] => needsOf(wf.jobs[id]).flatMap((n) => [n, ...ancestors(n)]);
  const pending = new Set(Object.keys(wf.jobs));
  while (pending.size) {
    const id = [...pending].find((j) => needsOf(wf.jobs[j]).every((n) => n in results));
    if (!id) throw new Error(`needs cycle among ${[...pending].join(", ")}`);
    pending.delete(id);
    const job = wf.jobs[id];
    const earlier = ancestors(id).map((a) => results[a]);
    const needs = Object.fromEntries(needsOf(job).map((n) => [n, { result: results[n], outputs: outputs[n] ?? {} }]));
    const fns = {
      success: () => earlier.every((r) => r === "success"),
      failure: () => earlier.some((r) => r === "failure"),
      cancelled: () => false,
      always: () => true,
      format: (f: Value, ...args: Value[]) => String(f).replace(/\{(\d+)\}/g, (_, n) => String(args[Number(n)])),
      fromJSON: (s: Value) => JSON.parse(String(s)),
    };
    const cond = job.if === undefined ? "success()" : STATUS.test(inner(job.if)) ? inner(job.if) : `success() && (${inner(job.if)})`;
    if (!truthy(evaluate(cond, { needs, github: scenario.github ?? {} }, fns))) {
      results[id] = "skipped";
      continue;
    }
    const matrix = job.strategy?.matrix?.stack;
    const stacks = matrix === undefined ? undefined : evaluate(inner(String(matrix)), { needs, github: scenario.github ?? {} }, fns);
    const emptyMatrix = Array.isArray(stacks) && stacks.length === 0;
    results[id] = emptyMatrix || scenario.failing?.includes(id) ? "failure" : "success";
    if (results[id] === "success") {
      // `outputs: { name: ${{ steps.<id>.outputs.<name> }} }`: the scenario gives the step outputs by name.
      outputs[id] = Object.fromEntries(
        Object.entries(job.outputs ?? {}).map(([name, ref]) => [name, scenario.outputs?.[id]?.[/outputs\.([\w-]+) \}\}$/.exec(ref)?.[1] ?? name] ?? ""]),
      );
    }
  }
  return results;
}
