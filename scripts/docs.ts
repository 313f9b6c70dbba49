// Entry point of `npm run docs`; the tool lives in tools/docs.ts.
import { main } from "../tools/docs";
import { runMain } from "../tools/cli";

runMain("docs", main);
