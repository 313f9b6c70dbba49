/* global __dirname, __filename, process */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: it runs before anything is compiled */
// Keeps dist/ up to date for `npm run plan`, `bench`, `docs`, ... (scripts/run.cjs calls `ensureBuilt` first).
// dist/.manifest.json records a content hash of every source file tsconfig.json includes AND of the output written
// for it, plus a key over tsconfig.json, this file and TypeScript's version. When everything still matches,
// TypeScript is not even loaded (loading it costs ~150 ms); otherwise only the files whose source or output changed
// are transpiled, one by one (tsconfig has isolatedModules, so per-file output equals tsc's; azure-native's huge
// typings, which make `tsc -p .` take ~4 s, are never read), and outputs of deleted sources are removed.
// - Content hashes, not mtimes: `cp -p`, tar, `rsync -t` or a restored backup can bring back an old mtime over new
//   content, and clocks skew.
// - Output hashes too: after a branch switch, dist/ may hold files another checkout's build (or `npm run build`,
//   i.e. `tsc -p .` into the same dist/) wrote for other sources while the manifest still matches ours.
// - Hashing every file on every run costs more than the rest of the check, so a file is hashed again only when its
//   inode, size, mtime or ctime differ from the manifest's record, or when it changed less than RACY_MS before the
//   manifest was written (git's "racy clean" rule: a change in the same clock tick would keep every time equal).
//   ctime cannot be set back by cp -p, tar, rsync -t or touch, and any write moves it.
// - Outputs are also kept by content in node_modules/.cache/amplifier-transpile (keyed by the key above, the file's
//   path and its source hash), which every checkout sharing these node_modules reads: `npm run plan -- <stack> --base
//   <ref>` unpacks the base commit into a fresh directory that links them, and builds its dist/ from the cache instead
//   of loading TypeScript and transpiling ~200 files again. A cache that cannot be read or written is skipped;
//   AMPLIFIER_TRANSPILE_CACHE names another folder (the launcher's tests use their own).
// Type checking stays with `npm run typecheck` and CI. `node scripts/transpile.cjs` forces a full transpile.
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const PROJECT = path.resolve(__dirname, "..");
const MANIFEST = ".manifest.json";

const sha1 = (data) => crypto.createHash("sha1").update(data).digest("hex");

/** Writes through a temporary file and a rename: a concurrent run reads the old bytes or the new, never half. */
function writeAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** A cache entry's text, or undefined when it is missing or unreadable. */
function readCached(file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Best effort: a read-only or missing node_modules only costs the next checkout a transpile. */
function writeCached(file, text) {
  try {
    writeAtomic(file, text);
  } catch {
    // not cached
  }
}

/**
 * tsconfig.json's `include` minus `exclude`, without TypeScript. Understands the pattern shapes used here (`file.ts`,
 * `dir/*.ts`, `dir/**\/*.ts`); any other shape throws, so a tsconfig change cannot silently leave a file out of the
 * check. Every rebuild compares this list with TypeScript's own, and a test does too.
 */
function sourceFiles(tsconfig, root = PROJECT) {
  const exclude = (tsconfig.exclude ?? []).map((p) => p.replace(/\/$/, ""));
  const excluded = (r) => exclude.some((e) => r === e || r.startsWith(`${e}/`));
  const out = new Set();
  const walk = (dir, deep) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const r = `${dir}/${entry.name}`;
      if (excluded(r)) continue;
      if (entry.isDirectory() && deep) walk(r, true);
      else if (entry.isFile() && r.endsWith(".ts") && !r.endsWith(".d.ts")) out.add(r);
    }
  };
  for (const pattern of tsconfig.include ?? []) {
    const m = /^([^*?]+)\/(\*\*\/)?\*\.ts$/.exec(pattern);
    if (!/[*?]/.test(pattern)) {
      if (fs.existsSync(path.join(root, pattern)) && !excluded(pattern)) out.add(pattern);
    } else if (m) {
      if (fs.existsSync(path.join(root, m[1]))) walk(m[1], Boolean(m[2]));
    } else {
      throw new Error(`scripts/transpile.cjs: tsconfig include pattern ${JSON.stringify(pattern)} is not understood; extend sourceFiles()`);
    }
  }
  return [...out].sort();
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

const RACY_MS = 2000;

/** A file's identity and change times as one string, and when it last changed; undefined if it does not exist. */
function statOf(file) {
  try {
    const st = fs.statSync(file);
    return { sig: `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`, changed: Math.max(st.mtimeMs, st.ctimeMs) };
  } catch {
    return undefined;
  }
}

function hashOrUndefined(file) {
  try {
    return sha1(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}

/**
 * Brings `<root>/dist` up to date with `<root>`'s sources; returns the relative paths of the sources it transpiled
 * (empty when nothing changed). `force` transpiles everything.
 */
function ensureBuilt({ root = PROJECT, force = false } = {}) {
  const dist = path.join(root, "dist");
  const outputOf = (r) => path.join(dist, r.replace(/\.ts$/, ".js"));
  const tsconfigText = fs.readFileSync(path.join(root, "tsconfig.json"), "utf8");
  const tsVersion = readJson(require.resolve("typescript/package.json", { paths: [PROJECT] })).version;
  const key = sha1([tsconfigText, tsVersion, fs.readFileSync(__filename, "utf8")].join("\0"));
  const before = force ? undefined : readJson(path.join(dist, MANIFEST));
  const sameKey = before?.key === key;
  // Stat before reading: a write after the stat moves ctime, so the next run hashes the file again.
  const stats = {};
  let rechecked = false;
  const hashOf = (name, file, recorded, hash) => {
    const st = statOf(file);
    if (st) stats[name] = st.sig;
    if (st && recorded && sameKey && before.stats?.[name] === st.sig && st.changed < before.at - RACY_MS) return recorded;
    rechecked = true;
    return hash();
  };
  const files = {};
  for (const r of sourceFiles(JSON.parse(tsconfigText), root)) {
    const file = path.join(root, r);
    files[r] = hashOf(r, file, before?.files?.[r], () => sha1(fs.readFileSync(file)));
  }
  const changed = Object.keys(files).filter(
    (r) => !sameKey || before.files?.[r] !== files[r] || !before.outputs?.[r] || before.outputs[r] !== hashOf(`dist/${r}`, outputOf(r), before.outputs[r], () => hashOrUndefined(outputOf(r))),
  );
  const removed = Object.keys(before?.files ?? {}).filter((r) => !(r in files));
  const writeManifest = (outputs) => writeAtomic(path.join(dist, MANIFEST), `${JSON.stringify({ key, files, outputs, stats, at: Date.now() }, null, 1)}\n`);
  if (sameKey && changed.length === 0 && removed.length === 0) {
    // Everything matched, some of it only by hashing: recorded again, so the next run can trust the times.
    if (rechecked) writeManifest(before.outputs);
    return [];
  }

  const cache = process.env.AMPLIFIER_TRANSPILE_CACHE || path.join(root, "node_modules", ".cache", "amplifier-transpile");
  const cached = (name) => path.join(cache, name);
  // A file list TypeScript agreed with once, for this key, need not be compared again (the comparison loads TypeScript).
  const listMark = `list-${sha1([key, ...Object.keys(files)].join("\0"))}`;
  const outputs = sameKey ? { ...before.outputs } : {};
  const write = (r, outputText) => {
    writeAtomic(outputOf(r), outputText);
    outputs[r] = sha1(outputText);
    const st = statOf(outputOf(r));
    if (st) stats[`dist/${r}`] = st.sig;
  };
  const entryOf = (r) => `${sha1([key, r, files[r]].join("\0"))}.js`;
  const misses = [];
  for (const r of changed) {
    const hit = readCached(cached(entryOf(r)));
    if (hit === undefined) misses.push(r);
    else write(r, hit);
  }
  if (misses.length > 0 || readCached(cached(listMark)) === undefined) {
    const ts = require("typescript");
    const { config } = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile);
    const { options, fileNames } = ts.parseJsonConfigFileContent(config, ts.sys, root);
    const theirs = fileNames
      .filter((f) => !f.endsWith(".d.ts"))
      .map((f) => path.relative(root, f).split(path.sep).join("/"))
      .sort();
    if (theirs.join("\n") !== Object.keys(files).join("\n")) {
      throw new Error(`scripts/transpile.cjs: its file list differs from TypeScript's (${Object.keys(files).length} vs ${theirs.length} files); extend sourceFiles()`);
    }
    writeCached(cached(listMark), "");
    for (const r of misses) {
      const file = path.join(root, r);
      const { outputText } = ts.transpileModule(fs.readFileSync(file, "utf8"), { compilerOptions: { ...options, sourceMap: false }, fileName: file });
      write(r, outputText);
      writeCached(cached(entryOf(r)), outputText);
    }
  }
  for (const r of removed) {
    delete outputs[r];
    fs.rmSync(outputOf(r), { force: true });
  }
  writeManifest(outputs);
  return changed;
}

// statOf and RACY_MS also serve the tests' shared runs (test/support/shared-run.ts), which trust a stat the same way.
module.exports = { ensureBuilt, sourceFiles, statOf, RACY_MS };

if (require.main === module) {
  const wrote = ensureBuilt({ force: !process.argv.includes("--if-changed") });
  process.stderr.write(`transpiled ${wrote.length} file(s) to dist/\n`);
}
