// Entry point of `npm run ci-stacks`; the tool lives in tools/ci-stacks.ts.
import { main } from "../tools/ci-stacks";
import { runMain } from "../tools/cli";

runMain("ci-stacks", (argv, io) => main(argv, io));
