/**
 * The policy pack knows each dynamic provider text the program registers, by sha256 (policy/rules/dynamic.ts
 * KNOWN_PROVIDERS): the hashes match the texts components/ define and the ones every Azure stack's program registers,
 * and the bootstrap run of every Azure stack passes bootstrap-run-contained as production (pinned Microsoft image, the
 * bootstrap identity alone, no admin grant to the app in its SQL).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { BOOTSTRAP_RUN_PROVIDER, BOOTSTRAP_RUN_PROVIDER_PATH, BOOTSTRAP_RUN_TYPE } from "../components/bootstrap-run";
import { SETTLE_PROVIDER, SETTLE_TYPE } from "../components/settle";
import { environments, PROJECT_DIR } from "../config/stack-files";
import { evaluate } from "../policy/evaluate";
import { KNOWN_PROVIDERS } from "../policy/rules";
import { type RunResult, runStack } from "../mock-runtime";

const sha = (text: string) => crypto.createHash("sha256").update(text, "utf8").digest("hex");
const AZURE_STACKS = environments().filter((e) => e.platform === "azure").map((e) => e.stack);
const runs: Record<string, RunResult> = {};

beforeAll(async () => {
  for (const stack of AZURE_STACKS) runs[stack] = await runStack({ stack });
});

test("the pack's hashes are those of the provider texts components/ define", () => {
  expect(KNOWN_PROVIDERS).toEqual({ [SETTLE_TYPE]: sha(SETTLE_PROVIDER), [BOOTSTRAP_RUN_TYPE]: sha(BOOTSTRAP_RUN_PROVIDER) });
  // The bootstrap run's text is its file, byte for byte (what the host runs and what the pack hashes).
  expect(BOOTSTRAP_RUN_PROVIDER).toBe(fs.readFileSync(path.join(PROJECT_DIR, BOOTSTRAP_RUN_PROVIDER_PATH), "utf8"));
});

describe.each(AZURE_STACKS)("%s", (stack) => {
  test("every dynamic resource the program registers carries a provider text the pack knows; both are registered", () => {
    const dynamic = runs[stack].resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
    expect([...new Set(dynamic.map((r) => r.type))].sort()).toEqual(Object.keys(KNOWN_PROVIDERS).sort());
    for (const r of dynamic) expect([r.name, sha(r.inputs.__provider)]).toEqual([r.name, KNOWN_PROVIDERS[r.type]]);
  });

  test("the program's bootstrap run passes the dynamic rules as production", () => {
    const found = evaluate(runs[stack].resources, {}, undefined, { production: true }).filter((v) => ["dynamic-provider-known", "bootstrap-run-contained"].includes(v.rule));
    expect(found).toEqual([]);
    expect(runs[stack].resources.filter((r) => r.type === BOOTSTRAP_RUN_TYPE)).toHaveLength(1);
  });
});
