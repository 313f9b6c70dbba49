// `node scripts/run.cjs run-stack <stack> [--dump]`: the whole program on the mock runtime.
import { main } from "../tools/run-stack";
import { runMain } from "../tools/cli";

runMain("run-stack", main);
