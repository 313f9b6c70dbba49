/**
 * `node scripts/run.cjs run-stack <stack> [--dump]`: runs the whole program for one stack on the mock runtime and
 * prints one line (resource count), or with --dump every registered resource (secrets masked).
 * `npm run plan -- <stack> --base <ref>` runs this, from the base commit's own checkout, to plan that commit
 * (plan/base.ts): keep --dump's output the masked RunResult as JSON, or older bases cannot be compared.
 */
import * as path from "path";
import { projectRoot } from "../config/load";
import { runProgram } from "../mock-runtime";
import { maskRun } from "../plan/secrets";
import { EXIT, type Io, tokenize } from "./cli";

const USAGE = "usage: node scripts/run.cjs run-stack <stack> [--dump]\n";

/** `dir`: the project whose stack files are run (tests pass another); the program is always this checkout's. */
export async function main(argv: string[], io: Io, dir = projectRoot(__dirname)): Promise<number> {
  const tokens = tokenize(argv, { dump: { type: "boolean" } });
  const first = tokens.find((t) => t.kind === "positional");
  // Anything but one stack and --dump: an unknown flag, --dump=x or a second stack.
  const bad = tokens.find((t) => (t.kind === "flag" ? !t.known || t.inline : t !== first));
  if (bad) {
    io.stderr(`run-stack: unknown argument ${JSON.stringify(bad.kind === "flag" ? bad.raw : bad.value)}\n${USAGE}`);
    return EXIT.usage;
  }
  const stack = first?.value;
  if (!stack) {
    io.stderr(USAGE);
    return EXIT.usage;
  }
  // Compiled into dist/tools: the stack files live in the project root, the compiled program one level up.
  const result = await runProgram({ stack, dir, program: path.resolve(__dirname, "..", "index") });
  if (result.error) {
    io.stderr(`${result.error.message}\n`);
    return EXIT.config;
  }
  // Secrets are masked like everywhere else we print (even mock-generated ones).
  if (tokens.some((t) => t.kind === "flag" && t.name === "dump")) io.stdout(`${JSON.stringify(maskRun(result), null, 2)}\n`);
  else io.stdout(`${stack}: ${result.resources.length} resources\n`);
  return EXIT.ok;
}
