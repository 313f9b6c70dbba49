// Entry point of `npm run docs`; the tool lives in tools/environments-table.ts.
import { main } from "../tools/environments-table";
import { runMain } from "../tools/cli";

runMain("docs", main);
