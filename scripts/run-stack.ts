/**
 * `node dist/scripts/run-stack.js <stack>`: runs the whole program for one stack under the harness's mocks and
 * prints one line (resource count). The benchmark times this entry in a fresh process per measurement.
 */
import * as path from "path";
import { projectRoot } from "../config/load";
import { runProgram } from "../test/harness";
import { maskRun } from "./plan/secrets";

async function main(): Promise<number> {
  const stack = process.argv[2];
  if (!stack) {
    process.stderr.write("usage: run-stack <stack>\n");
    return 2;
  }
  // Compiled into dist/scripts: the stack files live in the project root, the compiled program beside us.
  const result = await runProgram({ stack, dir: projectRoot(__dirname), program: path.resolve(__dirname, "..", "index") });
  if (result.error) {
    process.stderr.write(`${result.error.message}\n`);
    return 1;
  }
  // Secrets are masked like everywhere else we print (even mock-generated ones).
  if (process.argv.includes("--dump")) process.stdout.write(`${JSON.stringify(maskRun(result), null, 2)}\n`);
  else process.stdout.write(`${stack}: ${result.resources.length} resources\n`);
  return 0;
}

main().then((code) => process.exit(code));
