/**
 * `npm run bench [-- --check] [-- --rounds N] [-- --test-rounds N] [-- --only plan|test]`: the three speed targets,
 * each measured as README's command is typed, in fresh processes:
 * - plan rows: the floor, `node -e "require('@pulumi/pulumi')"` on this Node with no compile cache (what any Pulumi
 *   program pays), then per stack README's command `npm run plan -- <stack>` (npm included, on the Node that runs
 *   npm) as a ratio to the floor, target <= 2x; beside it the plan process alone, `node scripts/run.cjs plan <stack>`
 *   (what the npm script starts), for the split, no target. `--rounds` (or BENCH_ROUNDS, default 11) rounds
 *   interleave the rows after one unmeasured run of each (file cache, dist/, compile cache), so load from other
 *   processes hits them alike; medians are reported.
 * - test rows: `npm test` warm (jest's cache filled by one unmeasured run first), target <= 45 s; and `npm test`
 *   cold, a first run: TMPDIR is a new empty directory (where jest's cache and Node's default compile cache live),
 *   jest is given `--cacheDirectory` inside it and dist/ is removed, so nothing cached by an earlier run is found
 *   (see coldTest); target <= 90 s.
 *   `--test-rounds` (default 1) rounds, cold and warm alternating.
 * Every row reports wall time and the CPU time of the process and everything it waited for (Linux: the bench's
 * children's times from /proc/self/stat); CPU time moves less than wall time when the machine is shared.
 * A benchmark is a measurement, not a test: it prints "targets met" or "targets NOT met" and exits 0, unless
 * `--check` is given, which makes a missed target exit EXIT.slow.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../config/load";
import { listStacks } from "../config/stack-files";
import { EXIT, tokenize, type Io } from "./cli";

const ROOT = projectRoot(__dirname);
const USAGE =
  "usage: npm run bench [-- --check] [-- --rounds N] [-- --test-rounds N] [-- --only plan|test]\n" +
  "  (default: every row; plan rounds BENCH_ROUNDS or 11, test rounds 1)\n";
const GROUPS = ["plan", "test"] as const;
type Group = (typeof GROUPS)[number];

interface Case {
  label: string;
  group: Group;
  command: string;
  args: string[];
  /** Made fresh for each run (a cold run's empty directories): environment and arguments to add, and a clean-up. */
  fresh?: () => Fresh;
  /** A ratio to the floor (plan rows) or wall seconds (test rows) to stay within; none: shown for information. */
  target?: { ratio: number } | { seconds: number };
}

interface Fresh {
  env: NodeJS.ProcessEnv;
  args: string[];
  cleanup: () => void;
}

interface Sample {
  wallMs: number;
  cpuMs?: number;
}

/** A measured command that failed (a stack's config error, a failing test): reported without a stack trace. */
class RunFailed extends Error {}

/**
 * Every row runs in the caller's environment minus what would skew it: a NODE_COMPILE_CACHE or
 * NODE_DISABLE_COMPILE_CACHE would give the floor a cache (or take the plan's away), and the npm_* variables of the
 * `npm run bench` around us would make the inner `npm run plan` differ from the command a user types.
 */
function cleanEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !/^(NODE_COMPILE_CACHE|NODE_DISABLE_COMPILE_CACHE|npm_.*|INIT_CWD|NODE)$/i.test(k)));
}

/** CPU ms of this process's waited-for children so far (Linux), or undefined elsewhere. */
function childrenCpuMs(): number | undefined {
  try {
    // Fields after the command name (which may hold spaces, hence the last ")"): cutime and cstime are the 14th and
    // 15th, in clock ticks (proc(5)); Linux reports them at USER_HZ, 100 a second.
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

function time(c: Case, env: NodeJS.ProcessEnv): Sample {
  const extra = c.fresh?.();
  try {
    const cpu0 = childrenCpuMs();
    const start = process.hrtime.bigint();
    const r = spawnSync(c.command, [...c.args, ...(extra?.args ?? [])], { cwd: ROOT, env: { ...env, ...extra?.env }, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const cpu1 = childrenCpuMs();
    // The plan exits 3 on a mandatory policy finding after printing the whole plan: still a full run to time.
    const ok = r.status === EXIT.ok || (c.group === "plan" && r.status === EXIT.policy);
    if (!ok) throw new RunFailed(`${c.label} failed (exit ${r.status ?? r.error?.message}): ${r.stderr.slice(-4000)}`);
    return { wallMs, cpuMs: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 };
  } finally {
    extra?.cleanup();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Options {
  check: boolean;
  rounds: number;
  testRounds: number;
  only?: Group;
}

function parse(argv: string[], env: NodeJS.ProcessEnv): Options {
  const opts: Options = { check: false, rounds: Number(env.BENCH_ROUNDS ?? 11), testRounds: 1 };
  const count = /^[1-9][0-9]*$/;
  const spec = { check: { type: "boolean" }, rounds: { type: "string" }, "test-rounds": { type: "string" }, only: { type: "string" } } as const;
  for (const t of tokenize(argv, spec)) {
    if (t.kind === "flag" && t.name === "check" && !t.inline) opts.check = true;
    else if (t.kind === "flag" && t.name === "rounds" && count.test(t.value ?? "")) opts.rounds = Number(t.value);
    else if (t.kind === "flag" && t.name === "test-rounds" && count.test(t.value ?? "")) opts.testRounds = Number(t.value);
    else if (t.kind === "flag" && t.name === "only" && (GROUPS as readonly string[]).includes(t.value ?? "")) opts.only = t.value as Group;
    else throw new Error(`bad argument ${JSON.stringify(t.kind === "flag" ? t.raw + (t.value ? `=${t.value}` : "") : t.value)}`);
  }
  if (!Number.isInteger(opts.rounds) || opts.rounds < 1) throw new Error(`BENCH_ROUNDS (got ${JSON.stringify(env.BENCH_ROUNDS)}): must be a whole number >= 1`);
  return opts;
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

/**
 * A cold `npm test`, as the first run after a clone: a new empty TMPDIR (where jest's default cache directory, Node's
 * default compile cache and the tests' PostgreSQL binaries copy live) and `--cacheDirectory` inside it, so that even a
 * configured jest cache is new (ts-jest keeps its output there too); and no dist/, the launcher's transpiled output
 * (scripts/transpile.cjs), which the suites that start `npm run` commands rebuild, nor its outputs cache (a fresh
 * install has none: node_modules/.cache). All removed after the run.
 */
function coldTest(): Fresh {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-cold-"));
  // As /tmp is: the PostgreSQL suites run the server as the `postgres` user from a copy under TMPDIR (mkdtemp's 0700
  // would keep it out).
  fs.chmodSync(dir, 0o1777);
  fs.rmSync(path.join(ROOT, "dist"), { recursive: true, force: true });
  return { env: { TMPDIR: dir, AMPLIFIER_TRANSPILE_CACHE: path.join(dir, "transpile") }, args: [`--cacheDirectory=${path.join(dir, "jest")}`], cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function measure(opts: Options, io: Io): number {
  const env = cleanEnv(io.env);
  // README's command as typed: under `npm run`, npm says where it is and which Node runs it (the user's Node, not
  // necessarily the project's); otherwise the `npm` on PATH.
  const npm = io.env.npm_execpath ? { command: io.env.npm_node_execpath ?? process.execPath, pre: [io.env.npm_execpath] } : { command: "npm", pre: [] };
  const floor: Case = { label: `floor: node -e "require('@pulumi/pulumi')"`, group: "plan", command: process.execPath, args: ["-e", "require('@pulumi/pulumi')"] };
  const stacks = listStacks(ROOT);
  const planCases: Case[] = [
    floor,
    ...stacks.map((s): Case => ({ label: `README command: npm run plan -- ${s}`, group: "plan", command: npm.command, args: [...npm.pre, "run", "plan", "--", s], target: { ratio: 2 } })),
    ...stacks.map((s): Case => ({ label: `plan process: node scripts/run.cjs plan ${s}`, group: "plan", command: process.execPath, args: [path.join(ROOT, "scripts", "run.cjs"), "plan", s] })),
  ];
  const warm: Case = { label: "npm test, warm (jest cache filled)", group: "test", command: npm.command, args: [...npm.pre, "test"], target: { seconds: 45 } };
  const cold: Case = { label: "npm test, cold (new TMPDIR and jest cache, no dist/)", group: "test", command: npm.command, args: [...npm.pre, "test", "--"], fresh: coldTest, target: { seconds: 90 } };
  const runPlan = opts.only !== "test";
  const runTests = opts.only !== "plan";

  const npmNode = npm.command === "npm" ? "the Node on PATH" : `${npm.command} ${spawnSync(npm.command, ["--version"], { encoding: "utf8" }).stdout.trim()}`;
  const load = os.loadavg()[0];
  const samples = new Map<string, Sample[]>();
  const record = (c: Case, s: Sample) => samples.set(c.label, [...(samples.get(c.label) ?? []), s]);
  if (runPlan) {
    for (const c of planCases) time(c, env); // warm-up (file cache, dist/, compile cache), not measured
    for (let round = 0; round < opts.rounds; round++) for (const c of planCases) record(c, time(c, env));
  }
  if (runTests) {
    time(warm, env); // fills jest's cache (and the file cache), not measured
    for (let round = 0; round < opts.testRounds; round++) for (const c of [cold, warm]) record(c, time(c, env));
  }

  const cases = [...(runPlan ? planCases : []), ...(runTests ? [warm, cold] : [])];
  const floorMs = runPlan ? median(samples.get(floor.label)!.map((s) => s.wallMs)) : 0;
  const labelW = Math.max(...cases.map((c) => c.label.length));
  const rounds = [runPlan ? `${opts.rounds} plan round(s)` : "", runTests ? `${opts.testRounds} test round(s)` : ""].filter(Boolean).join(", ");
  const lines = [
    `Node ${process.version} (npm runs on ${npmNode}), ${os.cpus().length} CPU(s), ` +
      `load average ${load.toFixed(1)} -> ${os.loadavg()[0].toFixed(1)}, ${rounds}, median of fresh processes`,
    "",
    `${"measurement".padEnd(labelW)}  ${"wall ms".padStart(8)}  ${"min".padStart(7)}  ${"max".padStart(7)}  ${"cpu ms".padStart(7)}  ${"result".padStart(7)}  target`,
  ];
  const missed: string[] = [];
  for (const c of cases) {
    const xs = samples.get(c.label)!;
    const wall = median(xs.map((s) => s.wallMs));
    const cpus = xs.map((s) => s.cpuMs).filter((x): x is number => x !== undefined);
    let result: string;
    let target = "";
    if (c.group === "plan") {
      const ratio = wall / floorMs;
      result = `${ratio.toFixed(2)}x`;
      if (c.target && "ratio" in c.target) {
        target = `<= ${c.target.ratio.toFixed(1)}x`;
        if (ratio > c.target.ratio) missed.push(`${c.label} ${ratio.toFixed(2)}x > ${c.target.ratio.toFixed(1)}x`);
      }
    } else {
      result = `${(wall / 1000).toFixed(1)} s`;
      if (c.target && "seconds" in c.target) {
        target = `<= ${c.target.seconds} s`;
        if (wall / 1000 > c.target.seconds) missed.push(`${c.label} ${(wall / 1000).toFixed(1)} s > ${c.target.seconds} s`);
      }
    }
    const ms = (x: number) => x.toFixed(0).padStart(7);
    const cells = [wall.toFixed(0).padStart(8), ms(Math.min(...xs.map((s) => s.wallMs))), ms(Math.max(...xs.map((s) => s.wallMs))), cpus.length ? ms(median(cpus)) : "      -", result.padStart(7)];
    lines.push(`${c.label.padEnd(labelW)}  ${cells.join("  ")}  ${target}`.trimEnd());
  }
  lines.push("", missed.length ? `targets NOT met: ${missed.join("; ")}` : "targets met");
  io.stdout(`${lines.join("\n")}\n`);
  return missed.length && opts.check ? EXIT.slow : EXIT.ok;
}
