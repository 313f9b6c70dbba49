/**
 * Which Azure stacks are production, from a file no stack file can edit itself out of: `non-production-stacks.yaml`
 * beside the stack files, owned by the code owners (.github/CODEOWNERS). Every Azure stack it does not list is
 * production, whatever its `environment:` says: its file must say `environment: production`, its deploys wait for a
 * reviewer, pull requests never preview it, no critical policy rule is waived in it, and production's floors hold
 * (config/production.ts). A listed stack declares the environment the list gives it and may ask, in its own
 * `delivery` block, for at most the delivery the list grants. Without the file every Azure stack is production.
 * tools/ci-stacks.ts (the workflows' lists) and tools/azure-setup.ts (environments and reviewers) read the result.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { ConfigError, describeIssue, type Problem } from "./errors";
import { hostileProblems } from "./hostile";
import { parseYaml, remembered } from "./pulumi-files";

export const NON_PRODUCTION_FILE = "non-production-stacks.yaml";

const entrySchema = z.strictObject({
  environment: z.enum(["development", "test", "staging"]).describe("The ENVIRONMENT the stack's file must declare (never production)."),
  pullRequestPreview: z.boolean().default(false).describe("The stack's file may ask for previews from same-repository pull requests."),
  approval: z.enum(["required", "none"]).default("required").describe("`none`: the stack's file may ask to deploy without a reviewer."),
});
const listSchema = z.record(z.string(), entrySchema);
/** Stack names CI can use (tools/ci-stacks.ts): they become GitHub environment names and OIDC subjects. */
const STACK_NAME = /^[A-Za-z0-9_-]{1,100}$/;

export type NonProductionStacks = Readonly<Record<string, z.output<typeof entrySchema>>>;

/**
 * The list in `dir` ({} when the file does not exist); an invalid file throws a ConfigError naming it. Parsed once per
 * path and text (a plan reads it for every stack file it checks; pulumi-files.ts `remembered`), a copy per caller.
 */
export function readNonProductionStacks(dir: string): NonProductionStacks {
  const file = path.join(dir, NON_PRODUCTION_FILE);
  if (!fs.existsSync(file)) return {};
  const src = fs.readFileSync(file, "utf8");
  return structuredClone(remembered(lists, `${file}\0${src}`, () => parseList(src)));
}

const lists = new Map<string, NonProductionStacks>();

function parseList(src: string): NonProductionStacks {
  const raw = parseYaml(NON_PRODUCTION_FILE, src) ?? {};
  const hostile = hostileProblems(raw, []);
  const fail = (problems: Problem[]) => new ConfigError("(project)", problems, NON_PRODUCTION_FILE);
  if (hostile.length) throw fail(hostile);
  if (typeof raw !== "object" || Array.isArray(raw)) throw fail([{ text: "must be a mapping of stack names to their environment and delivery" }]);
  const badNames = Object.keys(raw as object).filter((k) => !STACK_NAME.test(k));
  if (badNames.length) throw fail(badNames.map((k) => ({ text: `${JSON.stringify(k)}: must be a stack name (1-100 letters, digits, '-', '_')` })));
  const parsed = listSchema.safeParse(raw);
  if (!parsed.success) throw fail(parsed.error.issues.flatMap((i) => describeIssue(i, raw, listSchema)));
  return parsed.data;
}

interface GatedConfig {
  environment: string;
  delivery: { pullRequestPreview: boolean; approval: "required" | "none" };
}

/** Whether an Azure stack is production, and what its file asks for that the list does not grant. */
export function gating(stack: string, cfg: GatedConfig, list: NonProductionStacks): { production: boolean; problems: Problem[] } {
  const entry = Object.hasOwn(list, stack) ? list[stack] : undefined;
  const where = `${NON_PRODUCTION_FILE} (owned by the code owners)`;
  const problems: Problem[] = [];
  if (!entry) {
    if (cfg.environment !== "production") {
      problems.push({
        path: ["environment"],
        text:
          `environment (got ${JSON.stringify(cfg.environment)}): stack "${stack}" is not in ${where}, so it is production and must say ` +
          `environment: production; a stack that is not production is added to that list in a reviewed change`,
      });
    }
  } else if (cfg.environment !== entry.environment) {
    problems.push({
      path: ["environment"],
      text: `environment (got ${JSON.stringify(cfg.environment)}): ${where} lists stack "${stack}" as ${entry.environment}; a stack file cannot change what its stack is`,
    });
  }
  const production = !entry || cfg.environment === "production";
  if (cfg.delivery.pullRequestPreview && !(entry?.pullRequestPreview && !production)) {
    problems.push({
      path: ["delivery", "pullRequestPreview"],
      text:
        `delivery.pullRequestPreview (got true): ${where} does not let stack "${stack}" be previewed from pull requests (a preview runs ` +
        "unreviewed code with a credential that decrypts the stack's secrets); remove the key",
    });
  }
  if (cfg.delivery.approval === "none" && !(entry?.approval === "none" && !production)) {
    problems.push({
      path: ["delivery", "approval"],
      text: `delivery.approval (got "none"): ${where} does not let stack "${stack}" deploy without a reviewer; remove the key (default "required")`,
    });
  }
  return { production, problems };
}
