// Entry point of `npm run refresh-azure-offerings`; the tool lives in tools/refresh-azure-offerings.ts.
import { main } from "../tools/refresh-azure-offerings";
import { runMain } from "../tools/cli";

runMain("refresh-azure-offerings", (argv, io) => main(argv, io));
