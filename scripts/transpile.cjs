/* global __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: it runs before anything is compiled */
// Fast build for `npm run plan` and `npm run bench`: transpiles the project's own .ts files to dist/ one by one
// (tsconfig has isolatedModules, so per-file output equals tsc's) without loading azure-native's huge typings,
// which makes `tsc -p .` take ~4 s. Type checking stays with `npm run typecheck` and CI.
const fs = require("fs");
const path = require("path");
const ts = require("typescript");

const root = path.resolve(__dirname, "..");
const { config } = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile);
const { options, fileNames } = ts.parseJsonConfigFileContent(config, ts.sys, root);
const outDir = options.outDir ?? path.join(root, "dist");
for (const file of fileNames) {
  if (file.endsWith(".d.ts")) continue;
  const out = ts.transpileModule(fs.readFileSync(file, "utf8"), { compilerOptions: { ...options, sourceMap: false }, fileName: file });
  const target = path.join(outDir, path.relative(root, file)).replace(/\.ts$/, ".js");
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, out.outputText);
}
