/**
 * Flags of `npm run plan -- <stack> [--base <git ref>] [--diff <other>] [--format text|json|markdown] [--diagram <file>]
 * [--diagram-detail components|resources] [--no-color]`.
 * A bad flag is a usage error (exit 2) whose message names the flag, the value and what is allowed.
 */
import { EXIT, type FlagSpec, tokenize } from "../tools/cli";

export const FORMATS = ["text", "json", "markdown"] as const;
export type Format = (typeof FORMATS)[number];
/**
 * What --diagram writes, by the file's extension. The picture is rendered in-process by Graphviz compiled to
 * WebAssembly, so it needs no system binary; that build has no PNG output, so a .png is refused rather than faked.
 */
export const DIAGRAM_FORMATS = { ".mmd": "Mermaid", ".dot": "Graphviz source", ".svg": "SVG picture" } as const;
export type DiagramExtension = keyof typeof DIAGRAM_FORMATS;
/** components: one node per component with counts and a legend (README); resources: every resource, nested. */
export const DIAGRAM_DETAILS = ["components", "resources"] as const;
export type DiagramDetail = (typeof DIAGRAM_DETAILS)[number];
const SUPPORTED = Object.entries(DIAGRAM_FORMATS).map(([ext, kind]) => `${ext} (${kind})`).join(", ");

export interface PlanArgs {
  stack: string;
  /** Compare with this commit's program and stack file (create/update/replace/delete) instead of planning from empty. */
  base?: string;
  diff: string[];
  format: Format;
  diagram?: string;
  diagramDetail: DiagramDetail;
  color: boolean;
  help: boolean;
}

export class UsageError extends Error {
  readonly exitCode = EXIT.usage;
}

export const USAGE = `usage: npm run plan -- <stack> [options]

Runs the real program for Pulumi.<stack>.yaml under Pulumi's mocks (no cloud account, Docker engine or Pulumi
CLI) and prints what \`pulumi up\` would create, with settings, protected resources, outputs (secrets masked) and
an estimated monthly cost.

options:
  --base <git ref>        what changes against that commit (its code and its stack file; a branch, tag or commit):
                          create, update, replace or delete per resource, refused changes (exit 6), cost before and after
  --diff <other>          also plan <other> and print the environment comparison table (repeatable)
  --format text|json|markdown
                          output format (default text; json is sorted and byte-stable; markdown for a job summary)
  --diagram <file>        write the stack's diagram; the extension picks the format: .mmd (Mermaid), .dot (Graphviz
                          source) or .svg (rendered in-process, no Graphviz install needed); the folder must exist
  --diagram-detail components|resources
                          components (default): one node per component with counts and a legend;
                          resources: every resource inside its component
  --no-color              plain output even on a terminal (NO_COLOR=1 does the same)
  -h, --help              this help
`;

const FLAGS: FlagSpec = {
  base: { type: "string" },
  diff: { type: "string" },
  format: { type: "string" },
  diagram: { type: "string" },
  "diagram-detail": { type: "string" },
  "no-color": { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** What each string flag takes, for "needs a value" messages. */
const VALUE_OF: Record<string, string> = {
  base: "a git ref such as main, origin/main or HEAD^1",
  diff: "the name of another stack",
  format: `${FORMATS.slice(0, -1).join(", ")} or ${FORMATS[FORMATS.length - 1]}`,
  diagram: "a file name such as prod.svg or prod.mmd",
  "diagram-detail": DIAGRAM_DETAILS.join(" or "),
};

export function parseArgs(argv: string[]): PlanArgs {
  const out: PlanArgs = { stack: "", diff: [], format: "text", diagramDetail: "components", color: true, help: false };
  const positional: string[] = [];
  let detailGiven = false;
  for (const t of tokenize(argv, FLAGS)) {
    if (t.kind === "positional") {
      positional.push(t.value);
      continue;
    }
    if (!t.known) throw new UsageError(`unknown option ${JSON.stringify(t.raw)}: allowed are --base, --diff, --format, --diagram, --diagram-detail, --no-color, --help`);
    if (t.name in VALUE_OF && !t.value) throw new UsageError(`--${t.name} needs a value: ${VALUE_OF[t.name]}`);
    switch (t.name) {
      case "base":
        if (out.base !== undefined) throw new UsageError("--base is given twice: compare with one commit");
        out.base = t.value!;
        break;
      case "diff":
        out.diff.push(t.value!);
        break;
      case "format":
        if (!(FORMATS as readonly string[]).includes(t.value!)) {
          throw new UsageError(`--format (got ${JSON.stringify(t.value)}): must be one of ${FORMATS.join(", ")}`);
        }
        out.format = t.value as Format;
        break;
      case "diagram": {
        const ext = /\.[^./\\]+$/.exec(t.value!)?.[0].toLowerCase() ?? "";
        if (!Object.hasOwn(DIAGRAM_FORMATS, ext)) {
          const png = ext === ".png" ? " (no PNG: it would need a system Graphviz; convert the .svg if you need one)" : "";
          throw new UsageError(`--diagram (got ${JSON.stringify(t.value)}): the extension picks the format; supported are ${SUPPORTED}${png}`);
        }
        out.diagram = t.value;
        break;
      }
      case "diagram-detail":
        if (!(DIAGRAM_DETAILS as readonly string[]).includes(t.value!)) {
          throw new UsageError(`--diagram-detail (got ${JSON.stringify(t.value)}): must be one of ${DIAGRAM_DETAILS.join(", ")}`);
        }
        out.diagramDetail = t.value as DiagramDetail;
        detailGiven = true;
        break;
      case "no-color":
        if (t.inline) throw new UsageError(`--no-color takes no value (got ${JSON.stringify(t.value)})`);
        out.color = false;
        break;
      case "help":
        out.help = true;
        break;
    }
  }
  if (out.help) return out;
  if (detailGiven && !out.diagram) throw new UsageError("--diagram-detail needs --diagram <file>");
  if (positional.length !== 1) {
    throw new UsageError(positional.length ? `one stack name expected (got ${positional.map((p) => JSON.stringify(p)).join(", ")})` : "missing <stack>");
  }
  out.stack = positional[0];
  if (out.diff.includes(out.stack)) throw new UsageError(`--diff (got ${JSON.stringify(out.stack)}): must name a stack other than ${out.stack}`);
  if (out.base !== undefined && (out.diff.length || out.diagram)) {
    throw new UsageError(`--base compares one stack with a commit; it does not combine with ${out.diff.length ? "--diff" : "--diagram"} (run that without --base)`);
  }
  return out;
}
