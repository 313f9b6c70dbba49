/**
 * Prints the CrossGuard config for one stack, from the exceptions its stack file documents:
 *   npm run --silent policy-config -- <stack> [--out <file>]
 *   pulumi preview --stack <stack> --policy-pack policy --policy-pack-config <file>
 * Excepted rules are advisory, every other rule mandatory, so Pulumi.<stack>.yaml stays the single source; every rule
 * it makes advisory is named on stderr (the job's log), never downgraded silently, and a production stack cannot
 * waive a critical rule (the config check refuses it). Before
 * writing, it runs the stack's program on the mock runtime and evaluates the rules: an exception whose rule finds
 * nothing is stale and stops the command (exit 1), so the deploy job that builds the pack config fails on it.
 * Exit codes (tools/cli.ts EXIT): 0 written; 1 unknown stack, invalid config or a stale exception; 2 usage.
 */
import * as fs from "fs";
import { ConfigError } from "../config/errors";
import { projectRoot } from "../config/load";
import { listStacks, parseStackFile, staleExceptionMessage } from "../config/stack-files";
import { runProgram } from "../mock-runtime";
import { evaluate, type PolicyConfigEntry, policyPackConfig, staleExceptions, waivedIn } from "../policy/evaluate";
import { EXIT, type Io, tokenize } from "./cli";

const USAGE = "usage: policy-config <stack> [--out <file>]";

/**
 * The stack's pack config, or the problems that stop it: the stack file's own errors (unknown stack, invalid
 * config, an exception naming no rule) and, after running the program, every exception whose rule finds nothing.
 */
export async function stackPolicyConfig(stack: string, dir: string): Promise<{ config?: Record<string, PolicyConfigEntry>; errors: string[] }> {
  if (!listStacks(dir).includes(stack)) return { errors: [`no stack "${stack}": Pulumi.${stack}.yaml does not exist; stacks here: ${listStacks(dir).join(", ")}`] };
  let exceptions: Record<string, string>;
  let production: boolean;
  try {
    // The stack file first: its problems located by line, names other stack files own included. Whether the stack
    // is production comes from the code owners' list beside the stack files (config/gating.ts), never the file.
    const cfg = parseStackFile(stack, dir);
    exceptions = cfg.policy.exceptions;
    production = cfg.production;
  } catch (err) {
    if (err instanceof ConfigError) return { errors: [err.message] };
    throw err;
  }
  const result = await runProgram({ stack, dir });
  if (result.error) return { errors: [result.error.message] };
  const stale = staleExceptions(evaluate(result.resources, exceptions, undefined, { production }), exceptions);
  if (stale.length) return { errors: stale.map((rule) => staleExceptionMessage(stack, rule, dir)) };
  return { config: policyPackConfig(exceptions, { production }), errors: [] };
}

export async function main(argv: string[], io: Io, dir = projectRoot(__dirname)): Promise<number> {
  const tokens = tokenize(argv, { out: { type: "string" } });
  const flags = new Map(tokens.flatMap((t) => (t.kind === "flag" ? [[t.name, t.value]] : [])));
  const positional = tokens.flatMap((t) => (t.kind === "positional" ? [t.value] : []));
  const out = flags.get("out");
  const badFlag = tokens.some((t) => t.kind === "flag" && (t.name !== "out" || !t.value));
  if (positional.length !== 1 || badFlag) {
    io.stderr(`${USAGE}\nstacks: ${listStacks(dir).join(", ")}\n`);
    return EXIT.usage;
  }
  // ConfigError and the unknown-stack error already read key / value / what is allowed.
  const { config, errors } = await stackPolicyConfig(positional[0], dir);
  if (!config) {
    io.stderr(errors.map((e) => `policy-config: ${e}\n`).join(""));
    return EXIT.config;
  }
  const waived = waivedIn(config);
  if (waived.length) {
    io.stderr(`policy-config: stack ${positional[0]}: ${waived.length} rule(s) advisory by a documented exception (a waiver in Pulumi.${positional[0]}.yaml): ${waived.join(", ")}\n`);
  }
  const json = `${JSON.stringify(config, null, 2)}\n`;
  if (out) fs.writeFileSync(out, json);
  else io.stdout(json);
  return EXIT.ok;
}
