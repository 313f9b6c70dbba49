/**
 * `npm run plan -- <stack> [options]`: what `pulumi up` would create for a stack, with no cloud account, Docker
 * engine or Pulumi CLI. Runs the real program on the mock runtime (mock-runtime/, the one place mocks live) and
 * renders the plan model (the other files here). With `--base <ref>` it runs that commit's program and stack file too
 * (plan/base.ts) and prints what changes (plan/diff.ts). Exit codes (tools/cli.ts EXIT): 0 plan printed; 1 bad stack or
 * config, including a policy exception whose rule finds nothing (nothing printed); 2 bad flags or a --base that is
 * not a commit; 3 a mandatory policy finding in any planned stack (the plan is still printed, in every format); 6 a
 * change against --base that pulumi up or Azure would refuse (printed too; it wins over 3).
 */
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../config/load";
import { ConfigError } from "../config/errors";
import { listStacks, parseStackFile, restoreNotes, staleExceptionMessage } from "../config/stack-files";
import { BaseRefError, BaseRunError, runBase } from "./base";
import { diffRuns } from "./diff";
import { restoreRefusals } from "./refusals";
import { renderDiffJson, renderDiffMarkdown, renderDiffText, type PlanDiff } from "./render-diff";
import { maskRun } from "./secrets";
import { staleExceptions } from "../policy/evaluate";
import { runProgram, type RunResult } from "../mock-runtime";
import { EXIT, type Io } from "../tools/cli";
import { DIAGRAM_FORMATS, parseArgs, USAGE, UsageError, type DiagramDetail, type DiagramExtension } from "./args";
import { renderSvg, toDot, toMermaid, toOverviewDot, toOverviewMermaid } from "./diagram";
import { renderJson } from "./json";
import { buildPlan, type Plan } from "./model";
import { renderText, type TextOptions } from "./render-text";

const PROJECT = projectRoot(__dirname);

class StackError extends Error {}

/**
 * Runs one stack's program under mocks; a missing stack (with the stacks that exist) or a program error becomes a
 * StackError. The stack file is first validated offline (config/stack-files.ts), which points each problem at its
 * line and checks the names every other stack file owns.
 */
async function run(stack: string, dir: string): Promise<{ result: RunResult; exceptions: Record<string, string>; production: boolean }> {
  const stacks = listStacks(dir);
  if (!stacks.includes(stack)) {
    const available = `stacks here: ${stacks.join(", ") || "none"} (Pulumi.<stack>.yaml in ${dir})`;
    throw new StackError(`no stack ${JSON.stringify(stack)}: Pulumi.${stack}.yaml does not exist; ${available}`);
  }
  const cfg = parseStackFile(stack, dir);
  const { exceptions } = cfg.policy;
  // From source (jest) the program is index.ts; compiled, it is dist/index.js beside dist/plan. A program error is
  // reported by its message (runProgram runs the program without stack frames).
  const result = await runProgram({ stack, dir, program: path.resolve(__dirname, "..", "index") });
  if (result.error) throw new StackError(result.error.message);
  return { result, exceptions, production: cfg.production };
}

/** What the program warned about (pulumi.log.warn; a preview shows the same): on stderr, never in the plan's formats. */
function printWarnings(result: RunResult, io: Io): void {
  for (const w of result.warnings ?? []) io.stderr(`plan: warning: ${w}\n`);
}

/** Checked before the program runs, so a diagram that cannot be written fails fast (a typo'd folder is not created). */
function diagramProblem(file: string): string | undefined {
  const folder = path.dirname(path.resolve(file));
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    return `--diagram (got ${JSON.stringify(file)}): folder ${path.dirname(file)} does not exist; create it first`;
  }
  return undefined;
}

/** Renders first and writes after, so a failure leaves no file that claims to be a diagram. */
async function writeDiagram(plan: Plan, file: string, detail: DiagramDetail, io: Io): Promise<void> {
  const ext = path.extname(file).toLowerCase() as DiagramExtension;
  const dot = () => (detail === "resources" ? toDot(plan) : toOverviewDot(plan));
  const body = ext === ".mmd" ? (detail === "resources" ? toMermaid(plan) : toOverviewMermaid(plan)) : ext === ".dot" ? dot() : await renderSvg(dot());
  fs.writeFileSync(file, body);
  io.stderr(`wrote ${file} (${DIAGRAM_FORMATS[ext]}, ${detail})\n`);
}

/**
 * The gate: any mandatory finding in any planned stack exits EXIT.policy, after the plan is printed, so the
 * pull-request checks fail on it. Advisory findings (documented exceptions) keep exit 0.
 */
function policyGate(plans: Plan[], io: Io): number {
  const blocked = plans
    .map((p) => ({ stack: p.stack, rules: [...new Set(p.violations.filter((v) => v.enforcement === "mandatory").map((v) => v.rule))] }))
    .filter((b) => b.rules.length > 0);
  if (blocked.length === 0) return EXIT.ok;
  for (const b of blocked) {
    io.stderr(
      `plan: stack ${b.stack} has mandatory policy findings (${b.rules.join(", ")}): fix them, or document a deviation under ` +
        `policy.exceptions in Pulumi.${b.stack}.yaml; exit ${EXIT.policy}\n`,
    );
  }
  return EXIT.policy;
}

/** The text plan, and for a job summary the same in a Markdown section (`--format markdown`). */
function renderMarkdownPlan(plan: Plan, o: TextOptions, others: Plan[]): string {
  const title = `### \`npm run plan -- ${[plan.stack, ...others.flatMap((p) => ["--diff", p.stack])].join(" ")}\``;
  return `${title}\n\n\`\`\`text\n${renderText(plan, { ...o, color: false }, others)}\`\`\`\n`;
}

/** The exit code of a printed plan: a refused change (6) before a mandatory policy finding (3). */
function refusalGate(d: PlanDiff, io: Io): number {
  if (!d.diff.refusals.length) return EXIT.ok;
  io.stderr(`plan: stack ${d.stack} against ${d.base.ref}: ${d.diff.refusals.length} change(s) refused (${[...new Set(d.diff.refusals.map((r) => r.rule))].join(", ")}); see Refused in the plan; exit ${EXIT.refused}\n`);
  return EXIT.refused;
}

/** `dir` holds the stack files (tests point it at a scratch project); the program is always this project's. */
export async function main(argv: string[], io: Io, dir = PROJECT): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`plan: ${err.message}\n\n${USAGE}`);
    return err.exitCode;
  }
  if (args.help) {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  const problem = args.diagram ? diagramProblem(args.diagram) : undefined;
  if (problem) {
    io.stderr(`plan: ${problem}\n`);
    return EXIT.usage;
  }
  try {
    const stale: string[] = [];
    const planOf = async (stack: string) => {
      // The stack file is validated once, before the program runs: a missing stack or bad config stops here.
      const { result, exceptions, production } = await run(stack, dir);
      printWarnings(result, io);
      const built = buildPlan(result, { exceptions, stack: { production } });
      stale.push(...staleExceptions(built.violations, exceptions).map((rule) => staleExceptionMessage(stack, rule, dir)));
      return { built, result };
    };
    const color = args.color && io.isTTY && !io.env.NO_COLOR;
    const width = Math.max(80, Math.min(io.isTTY ? (io.columns ?? 120) : 120, 200));
    const plain = async (): Promise<number> => {
      const { built: plan } = await planOf(args.stack);
      const others: Plan[] = [];
      for (const other of args.diff) others.push((await planOf(other)).built);
      // A stale exception is a config error like any other: nothing is printed until the stack file is fixed.
      if (stale.length) throw new StackError(stale.join("\nplan: "));
      if (args.diagram) await writeDiagram(plan, args.diagram, args.diagramDetail, io);
      if (args.format === "json") io.stdout(renderJson(plan, others));
      else if (args.format === "markdown") io.stdout(renderMarkdownPlan(plan, { color, width }, others));
      else io.stdout(renderText(plan, { color, width }, others));
      return policyGate([plan, ...others], io);
    };
    if (args.base === undefined) return await plain();
    try {
      return await planAgainstBase(args.stack, args.base, args.format, { color, width }, dir, planOf, stale, io);
    } catch (err) {
      // Only the base failed (its own code or stack file no longer plans, e.g. a check that has since changed): the
      // working tree's full plan instead, said plainly, since what the change does cannot be told. A working tree
      // that fails too is a config error as always.
      if (!(err instanceof BaseRunError) || !listStacks(dir).includes(args.stack)) throw err;
      io.stderr(
        `plan: warning: ${err.message}\nplan: warning: what changes against ${args.base} cannot be told (no create/update/replace/delete, no refused changes); ` +
          `the full plan of the working tree follows instead\n`,
      );
      return await plain();
    }
  } catch (err) {
    if (err instanceof BaseRefError) {
      io.stderr(`plan: ${err.message}\n`);
      return EXIT.usage;
    }
    if (!(err instanceof StackError || err instanceof ConfigError || err instanceof BaseRunError)) throw err;
    io.stderr(`plan: ${err.message}\n`);
    return EXIT.config;
  }
}

type PlanOf = (stack: string) => Promise<{ built: Plan; result: RunResult }>;

const SERVER = "azure-native:dbforpostgresql:Server";

/** A restore block added or changed with a point outside the source's window is refused (plan/refusals.ts). */
function withRestoreRefusals(diff: PlanDiff["diff"], base: RunResult | undefined, head: RunResult | undefined, notes: string[]): PlanDiff["diff"] {
  const server = (r?: RunResult) => r?.resources.find((x) => x.type === SERVER);
  const extra = restoreRefusals(server(base), server(head), notes);
  return extra.length ? { ...diff, refusals: [...diff.refusals, ...extra] } : diff;
}

/**
 * The working tree against a commit: both sides run offline, compared by URN. A stack file that exists on one side
 * only plans every resource as a create (new file) or a delete (deleted file); neither side is an unknown stack.
 */
async function planAgainstBase(stack: string, ref: string, format: string, o: TextOptions, dir: string, planOf: PlanOf, stale: string[], io: Io): Promise<number> {
  const base = await runBase(dir, ref, stack);
  const headExists = listStacks(dir).includes(stack);
  if (!headExists && !base.stackFile) await run(stack, dir); // the unknown-stack error, with the stacks that exist
  const head = headExists ? await planOf(stack) : undefined;
  if (stale.length) throw new StackError(stale.join("\nplan: "));
  const d: PlanDiff = {
    stack,
    base: { ref, commit: base.commit, stackFile: base.stackFile },
    head: { stackFile: headExists },
    diff: withRestoreRefusals(diffRuns(base.run, head ? maskRun(head.result) : undefined), base.run, head?.result, head ? restoreNotes(stack, dir) : []),
    violations: head?.built.violations ?? [],
    waivers: head?.built.waivers ?? { count: 0, rules: [] },
  };
  io.stdout(format === "json" ? renderDiffJson(d) : format === "markdown" ? renderDiffMarkdown(d) : renderDiffText(d, o));
  const refused = refusalGate(d, io);
  const policy = head ? policyGate([head.built], io) : EXIT.ok;
  return refused !== EXIT.ok ? refused : policy;
}
