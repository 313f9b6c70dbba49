/* global process, console */
// Parses Mermaid files with Mermaid's own parser (the one mermaid.live and GitHub use), headless:
// `node test/mermaid-check.mjs <file.mmd>...` prints one JSON line per file ({ file, ok, type | error }) and exits
// non-zero when any fails. Mermaid is ESM-only and its sanitiser (DOMPurify) needs a DOM, hence a jsdom window.
import fs from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");

let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const result = await mermaid.parse(fs.readFileSync(file, "utf8"));
    console.log(JSON.stringify({ file, ok: true, type: result.diagramType }));
  } catch (err) {
    failed++;
    console.log(JSON.stringify({ file, ok: false, error: String(err?.message ?? err).split("\n")[0] }));
  }
}
process.exit(failed ? 1 : 0);
