// Entry point of `npm run bench`; the tool lives in tools/bench.ts.
import { main } from "../tools/bench";
import { runMain } from "../tools/cli";

runMain("bench", main);
