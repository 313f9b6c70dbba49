/**
 * The layout README describes, as rules the next change cannot quietly break: product code never reaches into the
 * tools or the tests, entry points stay thin, and nothing in the repository points at files outside it.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../config/stack-files";
import { trackedFiles } from "./support/checkout";
import { importsOf } from "./support/imports";

const tracked = trackedFiles();
const sources = tracked.filter((f) => /\.(ts|cjs|mjs|js)$/.test(f));
const read = (f: string) => fs.readFileSync(path.join(PROJECT_DIR, f), "utf8");


const isProduct = (f: string) => f === "index.ts" || f.startsWith("components/") || (f.startsWith("config/") && f !== "config/stack-files.ts");

test("nothing outside test/ imports from test/", () => {
  const offenders = sources.filter((f) => !f.startsWith("test/")).flatMap((f) => importsOf(f).filter((i) => i.startsWith("test/")).map((i) => `${f} -> ${i}`));
  expect(offenders).toEqual([]);
});

test("product code (index.ts, components/, config/) imports no tool: not the mock runtime, the plan or tools/", () => {
  const product = sources.filter(isProduct);
  expect(product).toEqual(expect.arrayContaining(["index.ts", "components/app-service.ts", "config/schema.ts"]));
  const offenders = product.flatMap((f) =>
    importsOf(f)
      .filter((i) => /^(mock-runtime|plan|tools|scripts|test)\//.test(i) || i === "config/stack-files.ts")
      .map((i) => `${f} -> ${i}`),
  );
  expect(offenders).toEqual([]);
});

test("policy/ imports nothing outside it: the pack runs from its own folder, and product code reads its rule names", () => {
  const pack = sources.filter((f) => f.startsWith("policy/") && !f.includes("node_modules"));
  expect(pack).toEqual(expect.arrayContaining(["policy/index.ts", "policy/rules/index.ts"]));
  const offenders = pack.flatMap((f) => importsOf(f).filter((i) => !i.startsWith("policy/")).map((i) => `${f} -> ${i}`));
  expect(offenders).toEqual([]);
});

test("scripts/*.ts are thin entry points (the tools live in plan/ and tools/)", () => {
  const entries = sources.filter((f) => /^scripts\/[^/]+\.ts$/.test(f));
  expect(entries.length).toBeGreaterThanOrEqual(5);
  for (const f of entries) {
    const code = read(f).split("\n").filter((l) => l.trim() && !l.trim().startsWith("//"));
    expect([f, code.length <= 4]).toEqual([f, true]);
    expect([f, code[code.length - 1]]).toEqual([f, expect.stringMatching(/^runMain\(/)]);
  }
});

test("policy rules are split by resource area, no file over 300 lines", () => {
  const rules = sources.filter((f) => f.startsWith("policy/rules/"));
  expect(rules.length).toBeGreaterThanOrEqual(5);
  for (const f of rules) expect([f, read(f).split("\n").length <= 300]).toEqual([f, true]);
});

test("the repository stands alone: no file points at material outside it", () => {
  // Assembled, so this file does not match itself.
  const outside = [["..", "shared"].join("/"), ["shared", "reference"].join("/"), "scanner-" + "rules", "pulumi-" + "practice", "style-" + "anchors", "/wo" + "rk/"];
  const text = tracked.filter((f) => !/package-lock\.json$|\.svg$/.test(f));
  const offenders = text.flatMap((f) => {
    const body = read(f);
    return outside.filter((o) => body.includes(o)).map((o) => `${f}: ${o}`);
  });
  expect(offenders).toEqual([]);
  // Ids from an outside list of deviations (a G and a number) or from the team's own issue tracker are pointers too:
  // say the fact instead (a public issue is cited as owner/repo#number).
  const pointer = /\((?:deviation )?G\d+\)|\bdeviation G\d+|\/\/ G\d+:|\b[Ii]ssue \d+/g;
  const ids = text.filter((f) => /\.(ts|md|ya?ml)$/.test(f)).flatMap((f) => (read(f).match(pointer) ?? []).map((m) => `${f}: ${m}`));
  expect(ids).toEqual([]);
});
