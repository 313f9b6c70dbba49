// Entry point of `npm run app-settings-drift`; the tool lives in tools/app-settings-drift.ts.
import { main } from "../tools/app-settings-drift";
import { runMain } from "../tools/cli";

runMain("app-settings-drift", (argv, io) => main(argv, io));
