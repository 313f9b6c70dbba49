/**
 * The repository's own import graph, read from the source text (relative `import … from "./x"` and `require("./x")`
 * only): for the layout rules and for what CODEOWNERS must cover.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../../config/stack-files";

/** Relative imports of a file as repository paths: the file they resolve to, or the bare path when none exists. */
export function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
  const specs = [...text.matchAll(/(?:from\s+|require\()\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]);
  return specs.map((s) => {
    const bare = path.relative(PROJECT_DIR, path.resolve(PROJECT_DIR, path.dirname(file), s)).split(path.sep).join("/");
    return [bare, `${bare}.ts`, `${bare}/index.ts`].find((f) => fs.statSync(path.join(PROJECT_DIR, f), { throwIfNoEntry: false })?.isFile()) ?? bare;
  });
}

/** Every file `entries` reach through relative imports, entries included; the walk does not enter `stopAt` (prefixes). */
export function importClosure(entries: string[], stopAt: string[] = []): string[] {
  const seen = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    if (!stopAt.some((p) => f.startsWith(p))) importsOf(f).forEach(visit);
  };
  entries.forEach(visit);
  return [...seen].sort();
}
