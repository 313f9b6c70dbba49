/**
 * Hostile stack files (written as text, the way YAML lets an attacker write them), a hostile list of stacks that are
 * not production, and hostile set-up arguments: each gets a clean error (exit 1 or 2, the problem located, no stack
 * trace, and no control or invisible character of the input echoed back to the terminal).
 */
import * as fs from "fs";
import { UNSAFE_CHARACTER } from "../config/errors";
import { NON_PRODUCTION_FILE } from "../config/gating";
import { main as plan } from "../plan/cli";
import { main as azureSetup } from "../tools/azure-setup";
import { EXIT } from "../tools/cli";
import { captureIo, scratchProject, stackText } from "./support/checkout";
import { REPO, SUB } from "./support/azure-setup-stubs";
import { specStack } from "./support/stacks";

// The repository's prod while it has one, else its stand-in (test/support/stacks.ts).
const prod = stackText("prod", specStack("prod").dir);
const noTrace = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
/** The lines of a message that hold a control or invisible character (a terminal would act on it, or hide it). */
const unsafeLines = (s: string) => s.split("\n").filter((l) => UNSAFE_CHARACTER.test(l));

async function planText(files: Record<string, string>, stack = "prod") {
  const dir = scratchProject(files);
  try {
    const io = captureIo();
    return { code: await plan([stack, "--format", "json"], io, dir), out: io.out(), err: io.err() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const HOSTILE_FILES: [string, string, string][] = [
  ["`__proto__` as a top-level key", `${prod}  amplifier-infra:__proto__:\n    protect: false\n    locks: false\n`, '"__proto__" is not a key this program reads'],
  ["`prototype` inside a block", prod.replace("  amplifier-infra:app:\n", "  amplifier-infra:app:\n    prototype: {}\n"), '"prototype" is not a key this program reads'],
  ["an ANSI escape in a key name", `${prod}  "amplifier-infra:app\\e[2K": {}\n`, "contains the control or invisible character U+001B"],
  ["a bidi override in a value (YAML escape)", prod.replace("logLevel: warning", 'logLevel: "warning\\u202E"'), "app.logLevel (value not shown): contains the control or invisible character U+202E"],
  ["a NUL in a value", prod.replace("apiKeyHeader: X-API-Key", 'apiKeyHeader: "X-API-Key\\0"'), "U+0000"],
  ["a zero-width space in a tag", `${prod}  amplifier-infra:tags:\n    costCenter: "eng\\u200Bineering"\n`, "U+200B"],
  ["a line separator in a waiver reason", prod.replace("      storage-shared-key-disabled: App Service", '      storage-shared-key-disabled: "A\\u2028B" # App Service'), "U+2028"],
  ["a !!binary tag", prod.replace("    skuName: Standard_ZRS", "    skuName: !!binary U3RhbmRhcmRfTFJT"), "tag !!binary: explicit tags are not allowed"],
  ["a custom tag", prod.replace("logLevel: warning", "logLevel: !js/function warning"), "tag !js/function: explicit tags are not allowed"],
  ["a merge key from an anchor", prod.replace("  amplifier-infra:app:\n", "  amplifier-infra:app: &app\n"), "anchors and aliases are not allowed"],
  ["a 200-character key", `${prod}  amplifier-infra:${"k".repeat(200)}: 1\n`, "keys are at most 128"],
  ["a 5000-character value", prod.replace("logLevel: warning", `logLevel: ${"w".repeat(5000)}`), "every string is at most 2048 characters"],
  ["a float beyond IEEE 754 for a size", prod.replace("storageSizeGb: 64", "storageSizeGb: 1e400"), "postgres.storageSizeGb"],
];

describe("hostile stack files: exit 1, the problem named, nothing hostile echoed", () => {
  test.each(HOSTILE_FILES)("%s", async (_name, text, fragment) => {
    expect(text).not.toBe(prod);
    const r = await planText({ "Pulumi.prod.yaml": text });
    expect({ code: r.code, out: r.out }).toEqual({ code: EXIT.config, out: "" });
    expect(r.err).toContain(fragment);
    expect(unsafeLines(r.err)).toEqual([]);
    noTrace(r.err);
  });
});

describe("a hostile non-production-stacks.yaml (a code-owned file, checked anyway)", () => {
  test.each([
    ["prod declared non-production as production", "prod:\n  environment: production\n", 'prod.environment (got "production"): must be one of "development", "test", "staging"'],
    ["a `__proto__` entry", "__proto__:\n  environment: test\n", '"__proto__" is not a key this program reads'],
    ["an unknown grant", "test:\n  environment: test\n  approval: never\n", 'test.approval (got "never")'],
    ["a stack name with a shell word", "'te;st':\n  environment: test\n", "must be a stack name"],
  ])("%s", async (_name, list, fragment) => {
    const r = await planText({ [NON_PRODUCTION_FILE]: list, "Pulumi.prod.yaml": prod });
    expect(r.code).toBe(EXIT.config);
    expect(r.err).toContain(`(${NON_PRODUCTION_FILE})`);
    expect(r.err).toContain(fragment);
    noTrace(r.err);
  });

  test("listed as non-production, prod's own file (environment: production) is still production: gated, with its floors", async () => {
    const r = await planText({ [NON_PRODUCTION_FILE]: "prod:\n  environment: test\n  pullRequestPreview: true\n  approval: none\n", "Pulumi.prod.yaml": prod.replace("skuName: Standard_ZRS", "skuName: Standard_LRS") });
    expect(r.code).toBe(EXIT.config);
    expect(r.err).toContain('environment (got "production"): non-production-stacks.yaml (owned by the code owners) lists stack "prod" as test');
    expect(r.err).toContain('storage.skuName (got "Standard_LRS"): in production');
  });
});

describe("hostile set-up arguments: exit 2, one line per problem, nothing hostile echoed raw", () => {
  test.each([
    ["a newline in --repo", ["--repo", `${REPO}\ntouch /tmp/x`, "--subscription", SUB], "--repo"],
    ["an ANSI escape in --repo", ["--repo", "contoso/\u001b[31mamplifier", "--subscription", SUB], "--repo"],
    ["a bidi override in --subscription", ["--repo", REPO, "--subscription", `${SUB}\u202e`], "--subscription"],
    ["command substitution in --app-name", ["--repo", REPO, "--subscription", SUB, "--app-name", "$(id)"], "--app-name"],
    ["a backtick in --location", ["--repo", REPO, "--subscription", SUB, "--location", "east`id`"], "--location"],
    ["a NUL-free but quoted --state-account", ["--repo", REPO, "--subscription", SUB, "--state-account", "amp'state"], "--state-account"],
    ["a second team hidden in --reviewer", ["--repo", REPO, "--subscription", SUB, "--reviewer", "team:contoso/platform team:evil/ops"], "--reviewer"],
    ["a zero-width space in --reviewer", ["--repo", REPO, "--subscription", SUB, "--reviewer", "user:ali\u200bce"], "--reviewer"],
    ["a flag glued to an injection", ["--repo", REPO, "--subscription", SUB, "--pulumi-org=contoso;rm -rf ~"], "--pulumi-org"],
  ])("%s", (_name, argv, flag) => {
    const out: string[] = [];
    const err: string[] = [];
    expect(azureSetup(argv as string[], (s) => out.push(s), (s) => err.push(s))).toBe(EXIT.usage);
    expect(out).toEqual([]);
    const text = err.join("");
    expect(text).toMatch(new RegExp(`\\n {2}${flag} \\(got `));
    // JSON quoting escapes control characters; invisible ones (bidi, zero-width) are escaped as \uXXXX too.
    expect(unsafeLines(text)).toEqual([]);
  });
});
