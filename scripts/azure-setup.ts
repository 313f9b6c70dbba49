// Entry point of `npm run azure-setup`; the tool lives in tools/azure-setup.ts.
import { main } from "../tools/azure-setup";
import { runMain } from "../tools/cli";

runMain("azure-setup", (argv, io) => main(argv, io.stdout, io.stderr));
