/**
 * Command-line tokens for every tool, from Node's own `util.parseArgs` (non-strict, with tokens), so each tool keeps
 * its own messages: it sees unknown flags, flags without their value and stray arguments as tokens and words the
 * error itself. One correction to parseArgs: a string flag followed by another `--flag` has no value (parseArgs
 * would take `--flag` as the value), so `--diff --format json` reports the missing value, not a stack named
 * `--format`.
 */
import { parseArgs } from "util";
import { ConfigError } from "../config/errors";

/**
 * Exit codes shared by every command: 0 done; 1 invalid config or unknown stack (or an input file a tool cannot read
 * or understand); 2 usage (a bad flag or argument);
 * 3 a mandatory policy finding; 4 a benchmark target missed (only `npm run bench -- --check`); 5 the web app's app
 * settings differ from those Pulumi last applied (only `npm run app-settings-drift`, in the drift check); 6 a change
 * refused by `npm run plan -- <stack> --base <ref>` (a replace or delete of a protected resource, or one Azure cannot
 * make in place).
 */
export const EXIT = { ok: 0, config: 1, usage: 2, policy: 3, slow: 4, drift: 5, refused: 6 } as const;

export type FlagSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

export type Token =
  | { kind: "positional"; value: string }
  /** `known`: declared in the spec. `value`: undefined when a string flag had none. `inline`: given as --flag=value. */
  | { kind: "flag"; name: string; raw: string; known: boolean; value?: string; inline: boolean };

export function tokenize(argv: string[], spec: FlagSpec): Token[] {
  const { tokens } = parseArgs({ args: argv, options: spec, strict: false, allowPositionals: true, tokens: true });
  const out: Token[] = [];
  for (const t of tokens) {
    if (t.kind === "positional") {
      out.push({ kind: "positional", value: t.value });
    } else if (t.kind === "option") {
      const known = t.name in spec;
      if (known && spec[t.name].type === "string" && !t.inlineValue && t.value?.startsWith("--")) {
        out.push({ kind: "flag", name: t.name, raw: t.rawName, known, inline: false });
        return [...out, ...tokenize(argv.slice(t.index + 1), spec)];
      }
      out.push({ kind: "flag", name: t.name, raw: t.rawName, known, value: t.value, inline: Boolean(t.inlineValue) });
    }
  }
  return out;
}

/** Where a tool writes; tests pass their own. */
export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  columns?: number;
  env: NodeJS.ProcessEnv;
}

export function processIo(): Io {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stdout.isTTY),
    columns: process.stdout.columns,
    env: process.env,
  };
}

/**
 * The body of every `scripts/<tool>.ts` entry point: runs `main` with the process's arguments and streams and turns
 * its result into the exit code. A config error (bad YAML, bad key or value, a name two stacks would own) prints its
 * message alone, exit 1; any other error `main` did not expect is a bug: it prints with its stack, exit 1.
 */
export function runMain(name: string, main: (argv: string[], io: Io) => number | Promise<number>): void {
  Promise.resolve()
    .then(() => main(process.argv.slice(2), processIo()))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err) => {
        const shown = err instanceof ConfigError ? err.message : err instanceof Error ? err.stack : String(err);
        process.stderr.write(`${name}: ${shown}\n`);
        process.exitCode = EXIT.config;
      },
    )
    .then(exitWhenWritten);
}

/**
 * A command started by the launcher (scripts/run.cjs) ends as soon as its output is written. Left to end by itself,
 * Node first waits for V8's background work to finish (optimising compiles and GC marking it will never use: the
 * event loop's last turn calls NodePlatform::DrainTasks, nodejs/node src/node_platform.cc, which blocks until the
 * worker tasks are done): ~60-100 ms of the plan. Output a pipe could not take at once waits in the stream's buffer
 * (https://nodejs.org/api/process.html#a-note-on-process-io): then the exit waits for its 'drain'; if the stream
 * fails instead, Node ends by itself as before. Never under jest, whose process is not the launcher's.
 */
function exitWhenWritten(): void {
  if (!/[\\/]scripts[\\/]run\.cjs$/.test(require.main?.filename ?? "")) return;
  const pending = [process.stdout, process.stderr].find((s) => s.writableLength > 0);
  if (pending) pending.once("drain", exitWhenWritten);
  else process.exit();
}
