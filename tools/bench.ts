/**
 * `npm run bench [-- --check] [-- --rounds N]`: wall time of fresh processes, in one run, each as a ratio to the floor:
 * - floor: `node -e "require('@pulumi/pulumi')"` on this Node, with no compile cache (what any Pulumi program pays);
 * - the plan process per stack: `node scripts/run.cjs plan <stack>`, what the npm script starts (staleness check,
 *   compile cache, plan); target <= 2x the floor;
 * - README's command per stack, as typed: `npm run plan -- <stack>`, npm included, on the Node that runs npm;
 *   target <= 3x the floor.
 * Rounds interleave the measurements so load from other processes affects all of them alike; medians are reported.
 * A benchmark is a measurement, not a test: it prints "targets met" or "targets NOT met" and exits 0, unless
 * `--check` is given, which makes a missed target exit EXIT.slow.
 */
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../config/load";
import { listStacks } from "../config/stack-files";
import { EXIT, tokenize, type Io } from "./cli";

const ROOT = projectRoot(__dirname);
const USAGE = "usage: npm run bench [-- --check] [-- --rounds N]   (default rounds: BENCH_ROUNDS or 11)\n";

interface Case {
  label: string;
  command: string;
  args: string[];
  /** Ratio to the floor to stay within; undefined: the floor itself. */
  target?: number;
}

/** A measured command that failed (a stack's config error, most likely): reported without a stack trace. */
class RunFailed extends Error {}

/**
 * Every row runs in the caller's environment minus what would skew it: a NODE_COMPILE_CACHE or
 * NODE_DISABLE_COMPILE_CACHE would give the floor a cache (or take the plan's away), and the npm_* variables of the
 * `npm run bench` around us would make the inner `npm run plan` differ from the command a user types.
 */
function cleanEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !/^(NODE_COMPILE_CACHE|NODE_DISABLE_COMPILE_CACHE|npm_.*|INIT_CWD|NODE)$/i.test(k)));
}

function time(c: Case, env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(c.command, c.args, { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // The plan exits 3 on a mandatory policy finding after printing the whole plan: still a full run to time.
  if (r.status !== EXIT.ok && r.status !== EXIT.policy) throw new RunFailed(`${c.label} failed (exit ${r.status ?? r.error?.message}): ${r.stderr}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function parse(argv: string[], env: NodeJS.ProcessEnv): { check: boolean; rounds: number } {
  let check = false;
  let rounds = Number(env.BENCH_ROUNDS ?? 11);
  for (const t of tokenize(argv, { check: { type: "boolean" }, rounds: { type: "string" } })) {
    if (t.kind === "flag" && t.name === "check" && !t.inline) check = true;
    else if (t.kind === "flag" && t.name === "rounds" && /^[1-9][0-9]*$/.test(t.value ?? "")) rounds = Number(t.value);
    else throw new Error(`bad argument ${JSON.stringify(t.kind === "flag" ? t.raw + (t.value ? `=${t.value}` : "") : t.value)}`);
  }
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`BENCH_ROUNDS (got ${JSON.stringify(env.BENCH_ROUNDS)}): must be a whole number >= 1`);
  return { check, rounds };
}

export function main(argv: string[], io: Io): number {
  let opts;
  try {
    opts = parse(argv, io.env);
  } catch (err) {
    io.stderr(`bench: ${(err as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return measure(opts, io);
  } catch (err) {
    if (!(err instanceof RunFailed)) throw err;
    io.stderr(`bench: ${err.message}\n`);
    return EXIT.config;
  }
}

function measure(opts: { check: boolean; rounds: number }, io: Io): number {
  const env = cleanEnv(io.env);
  const stacks = listStacks(ROOT);
  // README's command as typed: under `npm run`, npm says where it is and which Node runs it (the user's Node, not
  // necessarily the project's); otherwise the `npm` on PATH.
  const npm = io.env.npm_execpath ? { command: io.env.npm_node_execpath ?? process.execPath, pre: [io.env.npm_execpath] } : { command: "npm", pre: [] };
  const floor: Case = { label: `floor: node -e "require('@pulumi/pulumi')"`, command: process.execPath, args: ["-e", "require('@pulumi/pulumi')"] };
  const cases: Case[] = [
    floor,
    ...stacks.map((s) => ({ label: `plan process: node scripts/run.cjs plan ${s}`, command: process.execPath, args: [path.join(ROOT, "scripts", "run.cjs"), "plan", s], target: 2 })),
    ...stacks.map((s) => ({ label: `README command: npm run plan -- ${s}`, command: npm.command, args: [...npm.pre, "run", "plan", "--", s], target: 3 })),
  ];
  const npmNode = npm.command === "npm" ? "the Node on PATH" : `${npm.command} ${spawnSync(npm.command, ["--version"], { encoding: "utf8" }).stdout.trim()}`;
  const load = os.loadavg()[0];
  for (const c of cases) time(c, env); // warm-up (file cache, dist/, compile cache), not measured
  const samples = new Map(cases.map((c) => [c.label, [] as number[]]));
  for (let round = 0; round < opts.rounds; round++) for (const c of cases) samples.get(c.label)!.push(time(c, env));

  const floorMs = median(samples.get(floor.label)!);
  const labelW = Math.max(...cases.map((c) => c.label.length));
  const lines = [
    `Node ${process.version} (npm runs on ${npmNode}), ${os.cpus().length} CPU(s), ` +
      `load average ${load.toFixed(1)} -> ${os.loadavg()[0].toFixed(1)}, ${opts.rounds} rounds, median wall time of a fresh process each`,
    "",
    `${"measurement".padEnd(labelW)}  ${"median ms".padStart(9)}  ${"min".padStart(6)}  ${"max".padStart(6)}  ${"ratio".padStart(6)}  target`,
  ];
  const missed: string[] = [];
  for (const c of cases) {
    const xs = samples.get(c.label)!;
    const ratio = median(xs) / floorMs;
    if (c.target !== undefined && ratio > c.target) missed.push(`${c.label} ${ratio.toFixed(2)}x > ${c.target}x`);
    const cells = [median(xs).toFixed(0).padStart(9), Math.min(...xs).toFixed(0).padStart(6), Math.max(...xs).toFixed(0).padStart(6), `${ratio.toFixed(2)}x`.padStart(6)];
    lines.push(`${c.label.padEnd(labelW)}  ${cells.join("  ")}  ${c.target ? `<= ${c.target}x` : ""}`.trimEnd());
  }
  lines.push("", missed.length ? `targets NOT met: ${missed.join("; ")}` : "targets met");
  io.stdout(`${lines.join("\n")}\n`);
  return missed.length && opts.check ? EXIT.slow : EXIT.ok;
}
