/**
 * Which stack a test runs on. The stack files are the only list of environments, and any of them may be removed
 * (docs/lifecycle.md, "Teardown and the way back"), so no test may assume one exists:
 *  - a test that needs a stack with some property (an Azure stack with a network block, a previewable one, a Docker
 *    one, a production one) takes the first of the repository's stack files that has it (`stackWith`), and only when
 *    none has it the stand-in under test/fixtures/stacks, so it runs, never skips;
 *  - a test of the spec's values for one environment (test is B1ms, prod zone-redundant) runs on the repository's
 *    `Pulumi.<stack>.yaml` while it exists, and on the stand-in copy once it is gone (`specStack`): then it still
 *    proves the program turns the spec's values into the spec's resources.
 * The stand-ins are copies of today's dev, test and prod files with their own Pulumi.yaml and non-production list;
 * test/stack-fixtures.test.ts fails while a repository file they stand in for says anything else.
 */
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { NON_PRODUCTION_FILE } from "../../config/gating";
import { PROJECT_DIR, listStacks, parseStackFile } from "../../config/stack-files";
import type { StackConfig } from "../../config/schema";

/** The stand-in project: Pulumi.yaml, non-production-stacks.yaml and copies of the spec's three stack files. */
export const STACK_FIXTURES = path.join(PROJECT_DIR, "test", "fixtures", "stacks");

/** The stacks the stand-in project holds: the spec's environments. */
export type SpecStack = "dev" | "test" | "prod";
export const SPEC_STACKS: readonly SpecStack[] = ["dev", "test", "prod"];

/** A stack to run on: its name, the directory holding its stack file, and its config as the program validates it. */
export interface ChosenStack {
  stack: string;
  /** The project (PROJECT_DIR, or the project given) or STACK_FIXTURES. */
  dir: string;
  cfg: StackConfig;
  /** Whether it is a stand-in because no stack file of the project has the property asked for. */
  fixture: boolean;
}

/** A property a test needs of its stack, with the stand-in that has it. */
export interface StackProperty {
  /** What the test needs, in words (named in errors and the removal test). */
  what: string;
  has: (cfg: StackConfig) => boolean;
  fixture: SpecStack;
}

function chosen(stack: string, dir: string, fixture: boolean): ChosenStack {
  return { stack, dir, cfg: parseStackFile(stack, dir), fixture };
}

/**
 * The first stack file of `project` (sorted by name) with the property, else its stand-in. Throws when the stand-in
 * lacks it too: the property or the fixture is wrong, and the test must not silently run on something else.
 */
export function stackWith(property: StackProperty, project = PROJECT_DIR): ChosenStack {
  for (const stack of listStacks(project)) {
    const c = chosen(stack, project, false);
    if (property.has(c.cfg)) return c;
  }
  const stand = chosen(property.fixture, STACK_FIXTURES, true);
  if (!property.has(stand.cfg)) throw new Error(`the stand-in ${property.fixture} (test/fixtures/stacks) is not ${property.what}`);
  return stand;
}

/** Whether `project` has `Pulumi.<stack>.yaml`. */
export function hasStackFile(stack: string, project = PROJECT_DIR): boolean {
  return fs.existsSync(path.join(project, `Pulumi.${stack}.yaml`));
}

/** The spec's environment `stack`: the project's own file while it exists, else its stand-in copy. */
export function specStack(stack: SpecStack, project = PROJECT_DIR): ChosenStack {
  return hasStackFile(stack, project) ? chosen(stack, project, false) : chosen(stack, STACK_FIXTURES, true);
}

/**
 * Every stack file of `project` (sorted by name), then the stand-in of each of the spec's stacks it lacks: for a suite
 * that runs "per stack" and also checks the spec's values of dev, test and prod by name.
 */
export function everyStack(project = PROJECT_DIR): ChosenStack[] {
  const own = listStacks(project).map((stack) => chosen(stack, project, false));
  return [...own, ...SPEC_STACKS.filter((s) => !hasStackFile(s, project)).map((s) => chosen(s, STACK_FIXTURES, true))];
}

/**
 * A directory holding every one of `stacks`, for a tool that reads several stack files at once (`plan prod --diff
 * test`): the project while it has them all, else the stand-in project (which the stand-ins' test keeps equal to it).
 */
export function projectWith(stacks: readonly SpecStack[], project = PROJECT_DIR): string {
  return stacks.every((s) => hasStackFile(s, project)) ? project : STACK_FIXTURES;
}

/**
 * Gives a scratch copy of the project (scratchCheckout) the spec's stacks it lacks, for a suite that works on a
 * checkout holding dev, test and prod: each missing `Pulumi.<stack>.yaml` is the stand-in's copy, and its entry of the
 * stand-ins' non-production list is appended to the copy's list unless that still has one.
 */
export function addSpecStacks(dir: string): void {
  const listFile = path.join(dir, NON_PRODUCTION_FILE);
  const stands = parse(fs.readFileSync(path.join(STACK_FIXTURES, NON_PRODUCTION_FILE), "utf8")) ?? {};
  for (const stack of SPEC_STACKS.filter((s) => !hasStackFile(s, dir))) {
    fs.copyFileSync(path.join(STACK_FIXTURES, `Pulumi.${stack}.yaml`), path.join(dir, `Pulumi.${stack}.yaml`));
    const list = fs.existsSync(listFile) ? (parse(fs.readFileSync(listFile, "utf8")) ?? {}) : {};
    if (stands[stack] && !list[stack]) fs.appendFileSync(listFile, stringify({ [stack]: stands[stack] }));
  }
}

/**
 * The project's stack files that `filter` keeps, plus a stand-in for each property none of them has: a test "on every
 * Azure stack" still covers a public and a private one when the project has only one kind. `label` tells them apart
 * (a stand-in may share its name with a project stack that lacks the property).
 */
export function stacksCovering(filter: StackProperty, properties: readonly StackProperty[], project = PROJECT_DIR): Array<ChosenStack & { label: string }> {
  const own = listStacks(project)
    .map((stack) => chosen(stack, project, false))
    .filter((c) => filter.has(c.cfg));
  const stands = properties
    .filter((p) => !own.some((c) => p.has(c.cfg)))
    .map((p) => stackWith(p, project))
    .filter((c, i, all) => all.findIndex((o) => o.stack === c.stack) === i);
  return [...own.map((c) => ({ ...c, label: c.stack })), ...stands.map((c) => ({ ...c, label: `${c.stack} (stand-in)` }))];
}

/** A stack file's text from the directory a chosen stack lives in. */
export function chosenText(c: Pick<ChosenStack, "stack" | "dir">): string {
  return fs.readFileSync(path.join(c.dir, `Pulumi.${c.stack}.yaml`), "utf8");
}

/** The properties the suite asks for; test/stack-fixtures.test.ts proves each is found with any one stack file gone. */
export const AZURE: StackProperty = { what: "an Azure stack", has: (c) => c.platform === "azure", fixture: "test" };
export const DOCKER: StackProperty = { what: "a Docker stack", has: (c) => c.platform === "docker", fixture: "dev" };
export const PRODUCTION: StackProperty = { what: "a production Azure stack", has: (c) => c.platform === "azure" && c.production === true, fixture: "prod" };
export const NON_PRODUCTION: StackProperty = { what: "an Azure stack that is not production", has: (c) => c.platform === "azure" && !c.production, fixture: "test" };
export const PREVIEWABLE: StackProperty = {
  what: "an Azure stack previewed from pull requests (delivery.pullRequestPreview)",
  has: (c) => c.platform === "azure" && c.delivery.pullRequestPreview,
  fixture: "test",
};
export const PUBLIC: StackProperty = {
  what: "a public Azure stack without a network block, its database open to Azure services (test)",
  has: (c) => c.platform === "azure" && !c.network && c.postgres.publicNetworkAccess === "Enabled" && c.postgres.allowAzureServices,
  fixture: "test",
};
export const NETWORKED: StackProperty = { what: "an Azure stack with a network block", has: (c) => c.platform === "azure" && Boolean(c.network), fixture: "prod" };

export const PROPERTIES: readonly StackProperty[] = [AZURE, DOCKER, PRODUCTION, NON_PRODUCTION, PREVIEWABLE, PUBLIC, NETWORKED];

/** The run options that name a chosen stack (`runProgram({ ...at(s), overrides })`). */
export function at(c: Pick<ChosenStack, "stack" | "dir">): { stack: string; dir: string } {
  return { stack: c.stack, dir: c.dir };
}

export type AzureStackConfig = Extract<StackConfig, { platform: "azure" }>;

/** A chosen Azure stack's config, narrowed. */
export function azureConfig(c: ChosenStack): AzureStackConfig {
  if (c.cfg.platform !== "azure") throw new Error(`stack ${c.stack} is not an Azure stack`);
  return c.cfg;
}
