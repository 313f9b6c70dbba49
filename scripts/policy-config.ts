// Entry point of `npm run policy-config`; the tool lives in tools/policy-config.ts.
import { main } from "../tools/policy-config";
import { runMain } from "../tools/cli";

runMain("policy-config", (argv, io) => main(argv, io));
