/* global process, console */
// Parses Mermaid files with Mermaid's own parser (the one mermaid.live and GitHub use), headless:
// `node test/mermaid-check.mjs <file.mmd>...` prints one JSON line per file ({ file, ok, type | error }) and exits
// non-zero when any fails. Mermaid is ESM-only. Its label sanitiser (DOMPurify) needs a browser DOM, so a resolve
// hook hands it a pass-through stand-in (test/support/dompurify-*.mjs) instead of a whole jsdom window.
import fs from "node:fs";
import { register } from "node:module";

register("./support/dompurify-hook.mjs", import.meta.url);
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
