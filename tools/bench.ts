/**
 * `npm run bench`: wall time of fresh Node processes, in one run, as ratios to the floor (a bare Node process
 * that only loads @pulumi/pulumi): the whole program under mocks per stack (dist/scripts/run-stack.js) and the
 * plan CLI per stack (dist/scripts/plan.js). Target: each <= 3x the floor. Rounds interleave the measurements so
 * load from other processes on the machine affects all of them alike; medians are reported.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { projectRoot } from "../config/load";
import { listStacks } from "../config/stack-files";
import { EXIT, type Io } from "./cli";

const ROOT = projectRoot(__dirname);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const TARGET = 3;

interface Case {
  label: string;
  args: string[];
}

/** A measured command that failed (a stack's config error, most likely): reported without a stack trace. */
class RunFailed extends Error {}

function time(c: Case): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, c.args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new RunFailed(`${c.label} failed (exit ${r.status}): ${r.stderr}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function main(argv: string[], io: Io): number {
  if (argv.length) {
    io.stderr(`bench: unexpected argument ${JSON.stringify(argv[0])}\nusage: npm run bench (BENCH_ROUNDS=<n> to change the rounds)\n`);
    return EXIT.usage;
  }
  try {
    return measure(io);
  } catch (err) {
    if (!(err instanceof RunFailed)) throw err;
    io.stderr(`bench: ${err.message}\n`);
    return EXIT.config;
  }
}

function measure(io: Io): number {
  const stacks = listStacks(ROOT);
  const dist = path.join(ROOT, "dist", "scripts");
  const floor: Case = { label: "floor: node -e require('@pulumi/pulumi')", args: ["-e", "require('@pulumi/pulumi')"] };
  const cases: Case[] = [
    floor,
    ...stacks.map((s) => ({ label: `program under mocks: ${s}`, args: [path.join(dist, "run-stack.js"), s] })),
    ...stacks.map((s) => ({ label: `plan CLI: ${s}`, args: [path.join(dist, "plan.js"), s, "--no-color"] })),
  ];
  for (const c of cases) time(c); // warm-up: file cache, not measured
  const samples = new Map(cases.map((c) => [c.label, [] as number[]]));
  for (let round = 0; round < ROUNDS; round++) for (const c of cases) samples.get(c.label)!.push(time(c));

  const floorMs = median(samples.get(floor.label)!);
  const labelW = Math.max(...cases.map((c) => c.label.length));
  const lines = [
    `Node ${process.version}, ${ROUNDS} rounds, median wall time of a fresh process each (target <= ${TARGET}x the floor)`,
    "",
    `${"measurement".padEnd(labelW)}  ${"median ms".padStart(9)}  ${"min".padStart(6)}  ${"max".padStart(6)}  ${"ratio".padStart(6)}`,
  ];
  let worst = 0;
  for (const c of cases) {
    const xs = samples.get(c.label)!;
    const ratio = median(xs) / floorMs;
    if (c !== floor) worst = Math.max(worst, ratio);
    lines.push(
      `${c.label.padEnd(labelW)}  ${median(xs).toFixed(0).padStart(9)}  ${Math.min(...xs).toFixed(0).padStart(6)}  ${Math.max(...xs).toFixed(0).padStart(6)}  ${`${ratio.toFixed(2)}x`.padStart(6)}`,
    );
  }
  lines.push("", `worst ratio ${worst.toFixed(2)}x: target ${worst <= TARGET ? "met" : "NOT met"}`);
  io.stdout(`${lines.join("\n")}\n`);
  return EXIT.ok;
}
