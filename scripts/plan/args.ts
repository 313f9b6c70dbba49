/**
 * Flags of `npm run plan -- <stack> [--diff <other>] [--format text|json] [--diagram <file.mmd>] [--no-color]`.
 * A bad flag is a usage error (exit 2) whose message names the flag, the value and what is allowed.
 */
export const FORMATS = ["text", "json"] as const;
export type Format = (typeof FORMATS)[number];

export interface PlanArgs {
  stack: string;
  diff: string[];
  format: Format;
  diagram?: string;
  color: boolean;
  help: boolean;
}

export class UsageError extends Error {
  readonly exitCode = 2;
}

export const USAGE = `usage: npm run plan -- <stack> [options]

Runs the real program for Pulumi.<stack>.yaml under Pulumi's mocks (no cloud account, Docker engine or Pulumi
CLI) and prints what \`pulumi up\` would create, with settings, protected resources, outputs (secrets masked) and
an estimated monthly cost.

options:
  --diff <other>          also plan <other> and print the environment comparison table (repeatable)
  --format text|json      output format (default text; json is sorted and byte-stable)
  --diagram <file.mmd>    write the resource graph as Mermaid; with Graphviz \`dot\` on PATH also <file>.svg
  --no-color              plain output even on a terminal (NO_COLOR=1 does the same)
  -h, --help              this help
`;

export function parseArgs(argv: string[]): PlanArgs {
  const out: PlanArgs = { stack: "", diff: [], format: "text", color: true, help: false };
  const positional: string[] = [];
  const value = (flag: string, i: number, allowed: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value: ${allowed}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const take = (allowed: string): string => {
      if (inline !== undefined) {
        if (!inline) throw new UsageError(`${flag} needs a value: ${allowed}`);
        return inline;
      }
      return value(flag, i++, allowed);
    };
    switch (flag) {
      case "--diff":
        out.diff.push(take("the name of another stack"));
        break;
      case "--format": {
        const f = take(FORMATS.join(" or "));
        if (!(FORMATS as readonly string[]).includes(f)) {
          throw new UsageError(`--format (got ${JSON.stringify(f)}): must be one of ${FORMATS.join(", ")}`);
        }
        out.format = f as Format;
        break;
      }
      case "--diagram":
        out.diagram = take("a file name such as prod.mmd");
        break;
      case "--no-color":
        if (inline !== undefined) throw new UsageError(`--no-color takes no value (got ${JSON.stringify(inline)})`);
        out.color = false;
        break;
      case "-h":
      case "--help":
        out.help = true;
        break;
      default:
        if (arg.startsWith("-")) {
          throw new UsageError(`unknown option ${JSON.stringify(arg)}: allowed are --diff, --format, --diagram, --no-color, --help`);
        }
        positional.push(arg);
    }
  }
  if (out.help) return out;
  if (positional.length !== 1) {
    throw new UsageError(positional.length ? `one stack name expected (got ${positional.map((p) => JSON.stringify(p)).join(", ")})` : "missing <stack>");
  }
  out.stack = positional[0];
  if (out.diff.includes(out.stack)) throw new UsageError(`--diff (got ${JSON.stringify(out.stack)}): must name a stack other than ${out.stack}`);
  return out;
}
