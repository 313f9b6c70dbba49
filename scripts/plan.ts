// Entry point of `npm run plan`; the tool lives in plan/cli.ts.
import { main } from "../plan/cli";
import { runMain } from "../tools/cli";

runMain("plan", (argv, io) => main(argv, io));
