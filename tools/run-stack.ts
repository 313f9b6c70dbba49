/**
 * `node scripts/run.cjs run-stack <stack> [--dump]`: runs the whole program for one stack on the mock runtime and
 * prints one line (resource count), or with --dump every registered resource (secrets masked).
 */
import * as path from "path";
import { projectRoot } from "../config/load";
import { runProgram } from "../mock-runtime";
import { maskRun } from "../plan/secrets";
import { EXIT, type Io } from "./cli";

export async function main(argv: string[], io: Io): Promise<number> {
  const stack = argv[0];
  if (!stack) {
    io.stderr("usage: run-stack <stack> [--dump]\n");
    return EXIT.usage;
  }
  // Compiled into dist/tools: the stack files live in the project root, the compiled program one level up.
  const result = await runProgram({ stack, dir: projectRoot(__dirname), program: path.resolve(__dirname, "..", "index") });
  if (result.error) {
    io.stderr(`${result.error.message}\n`);
    return EXIT.config;
  }
  // Secrets are masked like everywhere else we print (even mock-generated ones).
  if (argv.includes("--dump")) io.stdout(`${JSON.stringify(maskRun(result), null, 2)}\n`);
  else io.stdout(`${stack}: ${result.resources.length} resources\n`);
  return EXIT.ok;
}
