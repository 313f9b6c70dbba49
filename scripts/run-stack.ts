// `node dist/scripts/run-stack.js <stack> [--dump]`: the whole program on the mock runtime (timed by `npm run bench`).
import { main } from "../tools/run-stack";
import { runMain } from "../tools/cli";

runMain("run-stack", main);
