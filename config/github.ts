/**
 * GitHub Actions OIDC facts shared by every identity a GitHub workflow logs in as: the CI identities the set-up
 * prints (tools/azure-setup-stack.ts) and the app repository's deploy identity the program creates. One place, so
 * the two can never disagree on the subject a repository's token carries.
 */

/** GitHub's OIDC issuer (docs.github.com, "OpenID Connect reference", standard claims). */
export const GITHUB_OIDC_ISSUER = "https://token.actions.githubusercontent.com";
/** The audience Entra expects in a federated token (Microsoft Learn, "Workload identity federation"). */
export const AZURE_TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** A GitHub repository as its OIDC subject names it; the ids appear only in immutable subject claims. */
export interface GitHubRepository {
  owner: string;
  name: string;
  /** Numeric id of the owning user or organisation (`GET /repos/{owner}/{repo}` -> `owner.id`). */
  ownerId?: number;
  /** Numeric id of the repository (`GET /repos/{owner}/{repo}` -> `id`). */
  repositoryId?: number;
}

// GitHub: owner 1-39 letters, digits or single hyphens; repository name letters, digits, '.', '_', '-' (1-100).
const OWNER = "[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}";
const NAME = "[A-Za-z0-9._-]{1,100}";
const ID = "[1-9][0-9]{0,15}";
/** `owner/name`, or with ids `owner@<owner id>/name@<repository id>` (both ids or neither). */
export const REPOSITORY_PATTERN = new RegExp(`^(${OWNER})(?:@(${ID}))?/(${NAME})(?:@(${ID}))?$`);
export const REPOSITORY_FORMS = "owner/name, or owner@<owner id>/name@<repository id> for a repository with immutable subject claims";

/** Parses `owner/name` or `owner@123/name@456`; undefined when it is neither (or only one id is given). */
export function parseRepository(text: string): GitHubRepository | undefined {
  const m = REPOSITORY_PATTERN.exec(text);
  if (!m || m[3] === "." || m[3] === "..") return undefined;
  const [, owner, ownerId, name, repositoryId] = m;
  if ((ownerId === undefined) !== (repositoryId === undefined)) return undefined;
  return ownerId === undefined ? { owner, name } : { owner, name, ownerId: Number(ownerId), repositoryId: Number(repositoryId) };
}

/**
 * The `sub` claim of a job that runs in GitHub environment `environment`, whatever the event:
 * `repo:<owner>/<repo>:environment:<env>`, or, for a repository with immutable subject claims (created, renamed or
 * transferred after mid-2026, or opted in), `repo:<owner>@<owner id>/<repo>@<repository id>:environment:<env>`
 * (docs.github.com, "OpenID Connect reference", "Immutable subject claims"; GitHub changelog 2026-04-23, "Immutable
 * subject claims for GitHub Actions OIDC tokens"; the exact date is contested: github/docs commit 2e3c8fe reverted
 * "June 18, 2026", github/docs#45221 says July 15, 2026). Entra matches a federated credential's subject exactly.
 */
export function environmentSubject(repo: GitHubRepository, environment: string): string {
  const owner = repo.ownerId === undefined ? repo.owner : `${repo.owner}@${repo.ownerId}`;
  const name = repo.repositoryId === undefined ? repo.name : `${repo.name}@${repo.repositoryId}`;
  return `repo:${owner}/${name}:environment:${environment}`;
}
