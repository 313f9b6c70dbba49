/**
 * The stacks CI works on, from the stack files (one source: a new Pulumi.<stack>.yaml on Azure is deployed, previewed
 * and drift-checked with no workflow change), printed as one JSON array for a GitHub `fromJSON` matrix:
 *   npm run --silent ci-stacks -- azure | ungated | gated | pull-request-preview
 * `ungated`/`gated`: Azure stacks whose `delivery.approval` is none / required; `pull-request-preview`: those with
 * `delivery.pullRequestPreview` (config/delivery.ts). Workflows that hand out credentials run it from the reviewed
 * base commit, never from a pull request's. tools/azure-setup.ts reads the same list.
 */
import { parseAllStackFiles, PROJECT_DIR } from "../config/stack-files";
import { ConfigError, type StackConfig } from "../config/schema";
import { EXIT, type Io, tokenize } from "./cli";

export type AzureStackConfig = Extract<StackConfig, { platform: "azure" }>;

/** Suffix of the GitHub environment that holds a stack's read identity (`<stack>-preview`). */
export const PREVIEW_SUFFIX = "-preview";

// Stack names become GitHub environment names, OIDC subjects and shell words: Pulumi's own stack-name characters
// (letters, digits, '-', '_'; dots never reach here, see listStacks).
const STACK_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/** Every Azure stack's validated config, in stack-name order. Throws ConfigError for a stack CI cannot name safely. */
export function azureStacks(dir = PROJECT_DIR): AzureStackConfig[] {
  const configs = parseAllStackFiles(dir).filter((c): c is AzureStackConfig => c.platform === "azure");
  const seen = new Map<string, string>();
  for (const { stack } of configs) {
    if (!STACK_NAME.test(stack)) {
      throw new ConfigError(stack, [`stack name "${stack}": CI names GitHub environments after it, so use letters, digits, '-' and '_' only`]);
    }
    // GitHub environment names are case-insensitive, and <stack>-preview is the stack's read environment.
    if (stack.toLowerCase().endsWith(PREVIEW_SUFFIX)) {
      throw new ConfigError(stack, [`stack name "${stack}": names ending in "${PREVIEW_SUFFIX}" are reserved for the read environment of another stack; rename the file`]);
    }
    const other = seen.get(stack.toLowerCase());
    if (other) throw new ConfigError(stack, [`stack name "${stack}": GitHub environment names ignore case, so it would share one with stack "${other}"`]);
    seen.set(stack.toLowerCase(), stack);
  }
  return configs;
}

export const SELECTIONS = {
  azure: () => true,
  ungated: (c: AzureStackConfig) => c.delivery.approval === "none",
  gated: (c: AzureStackConfig) => c.delivery.approval === "required",
  "pull-request-preview": (c: AzureStackConfig) => c.delivery.pullRequestPreview,
} as const;
export type Selection = keyof typeof SELECTIONS;

export function ciStacks(selection: Selection, dir = PROJECT_DIR): string[] {
  return azureStacks(dir)
    .filter(SELECTIONS[selection])
    .map((c) => c.stack);
}

const USAGE = `usage: npm run --silent ci-stacks -- ${Object.keys(SELECTIONS).join(" | ")}`;

export function main(argv: string[], io: Pick<Io, "stdout" | "stderr">, dir = PROJECT_DIR): number {
  const tokens = tokenize(argv, {});
  const [first] = tokens;
  if (tokens.length !== 1 || first.kind !== "positional" || !Object.hasOwn(SELECTIONS, first.value)) {
    const got = tokens.length === 0 ? "nothing" : JSON.stringify(tokens.map((t) => (t.kind === "positional" ? t.value : t.raw)).join(" "));
    io.stderr(`ci-stacks: selection (got ${got}): one of ${Object.keys(SELECTIONS).join(", ")}\n${USAGE}\n`);
    return EXIT.usage;
  }
  try {
    io.stdout(`${JSON.stringify(ciStacks(first.value as Selection, dir))}\n`);
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr(`${err.message}\n`);
    return EXIT.config;
  }
}
