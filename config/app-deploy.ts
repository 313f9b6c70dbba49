/**
 * `appDeploy`: the app repository's own deploy identity. When the block is set, the program creates a user-assigned
 * identity that trusts exactly one GitHub environment of that repository (a federated credential, no secret) and
 * holds Website Contributor on this stack's web app and nowhere else (components/app-deploy.ts). The app's workflow
 * then logs in with OIDC and deploys its package (docs/app-deploy.md).
 */
import { z } from "zod";
import { identityName } from "./azure-app";
import { matching } from "./fields";
import { environmentSubject, parseRepository, REPOSITORY_FORMS } from "./github";

/**
 * GitHub environment names: at most 255 characters (docs.github.com, "Managing environments for deployment"). Kept
 * to characters that appear verbatim in the OIDC subject, which Entra compares exactly (a colon would be encoded).
 */
export const ENVIRONMENT_NAME_RULE = "must be a GitHub environment name of 1-255 letters, digits, '.', '_' or '-'";
const environmentName = matching(/^[A-Za-z0-9._-]{1,255}$/, ENVIRONMENT_NAME_RULE);

export const appDeploySchema = z
  .strictObject({
    repository: z
      .string()
      .refine((text) => parseRepository(text) !== undefined, `must be ${REPOSITORY_FORMS}`)
      .meta({ rule: `${REPOSITORY_FORMS} (the ids: GET /repos/{owner}/{repo} -> owner.id, id)` })
      .describe("The app's repository, as its OIDC subject names it: with the ids once GitHub issues immutable subject claims for it."),
    environment: environmentName.describe("The GitHub environment of that repository whose jobs may deploy (its protection rules guard the deploy)."),
    identityName: identityName
      .optional()
      .meta({ derivedDefault: "`id-<appService.name>-deploy`" })
      .describe("The deploy identity (user-assigned, in this stack's resource group)."),
  })
  .describe("The app repository's deploy identity: OIDC from one GitHub environment, Website Contributor on this stack's web app only.");

export type AppDeployBlock = z.output<typeof appDeploySchema>;

/** The block with its derived identity name and the subject the federated credential trusts. */
export type AppDeployConfig = AppDeployBlock & { identityName: string; subject: string };

/** Fills in the identity's name (`id-<web app>-deploy`) and the environment's OIDC subject. */
export function deriveAppDeploy(block: AppDeployBlock, webAppName: string): AppDeployConfig {
  // Valid here: the schema already refused a repository parseRepository cannot read.
  const repo = parseRepository(block.repository)!;
  return { ...block, identityName: block.identityName ?? `id-${webAppName}-deploy`, subject: environmentSubject(repo, block.environment) };
}
