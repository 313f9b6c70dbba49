/**
 * Prints the CrossGuard config for one stack, from the exceptions its stack file documents:
 *   npm run --silent policy-config -- <stack> [--out <file>]
 *   pulumi preview --stack <stack> --policy-pack policy --policy-pack-config <file>
 * Excepted rules are advisory, every other rule mandatory, so Pulumi.<stack>.yaml stays the single source.
 */
import * as fs from "fs";
import { projectRoot } from "../config/load";
import { parseStackConfig } from "../config/schema";
import { policyPackConfig } from "../policy/evaluate";
import { listStacks, OFFLINE_SECRET, projectName, readStackConfig } from "../test/harness";

const USAGE = "usage: policy-config <stack> [--out <file>]";

/** The stack's validated policy exceptions (the whole stack config is validated, as the program would). */
export function stackExceptions(stack: string, dir = projectRoot(__dirname)): Record<string, string> {
  const prefix = `${projectName(dir)}:`;
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(readStackConfig(stack, dir))) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = withoutSecrets(value);
  }
  return parseStackConfig(stack, raw).policy.exceptions;
}

/** `secure:` values cannot be decrypted here and do not matter to policy; stand in a placeholder. */
function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== "object") return value;
  if ("secure" in value) return OFFLINE_SECRET;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecrets(v)]));
}

export function main(argv: string[], dir = projectRoot(__dirname)): number {
  const outAt = argv.indexOf("--out");
  const out = outAt >= 0 ? argv[outAt + 1] : undefined;
  const positional = outAt >= 0 ? [...argv.slice(0, outAt), ...argv.slice(outAt + 2)] : argv;
  if (positional.length !== 1 || (outAt >= 0 && !out) || positional[0].startsWith("-")) {
    process.stderr.write(`${USAGE}\nstacks: ${listStacks(dir).join(", ")}\n`);
    return 2;
  }
  try {
    const json = `${JSON.stringify(policyPackConfig(stackExceptions(positional[0], dir)), null, 2)}\n`;
    if (out) fs.writeFileSync(out, json);
    else process.stdout.write(json);
    return 0;
  } catch (err) {
    // ConfigError and the harness's unknown-stack error already read key / value / what is allowed.
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
