// Prints (never runs) the one-time Azure + GitHub set-up for the CI/CD workflows as a reviewable bash script:
//   npm run --silent azure-setup -- --repo <owner/name> --subscription <id> [--app-name <name>] [--location <region>]
//                                   [--state-account <storage account> | --pulumi-org <organisation>]
//                                   [--reviewer user:<login>|team:<org>/<slug>]... [--subject-form auto|names|ids] > azure-setup.sh
// One pair of identities and GitHub environments per Azure stack in the stack files (tools/azure-setup-stack.ts).
// Every flag is validated first; nothing talks to Azure or GitHub from here. docs/delivery.md, "One-time Azure and GitHub set-up".
import { escapeUnsafe } from "../config/errors";
import { PROJECT_DIR } from "../config/stack-files";
import { PREVIEW_ROLE_ACTIONS, roleAssignmentCondition } from "./azure-permissions";
import { type StateBackend, stackLines } from "./azure-setup-stack";
import { shown, sq } from "./shell";
import { BRANCH_RULES_FUNCTION, branchProtectionLines, pulumiOrgLines, reviewerLines } from "./azure-setup-github";
import { ASSIGN_ROLE_FUNCTION, SUBJECT_FORMS, type SubjectForm, subjectPrefixLines } from "./azure-setup-oidc";
import { azureStacks } from "./ci-stacks";
import { EXIT, type FlagSpec, tokenize } from "./cli";

export interface SetupOptions {
  /** GitHub repository, owner/name: the federated credentials' subjects are built from it. */
  repo: string;
  /** Azure subscription (GUID) that holds the Azure stacks. */
  subscription: string;
  /** Prefix of the app registrations (<appName>-<stack>-deploy, <appName>-<stack>-preview) and custom roles. */
  appName: string;
  /** Region of the state storage account and vault (only with stateAccount). */
  location: string;
  /** Storage account name for a self-managed azblob:// backend (plus a Key Vault secrets provider); none = Pulumi Cloud. */
  stateAccount?: string;
  /** Pulumi Cloud organisation of the stacks (repository variable PULUMI_ORG); none = the bare stack names. */
  pulumiOrg?: string;
  /** Who may approve deploys of gated stacks (`user:<login>`, `team:<org>/<slug>`); none = the user running it. */
  reviewers: string[];
  /** Which OIDC subject form the federated credentials trust: `auto` asks GitHub (tools/azure-setup-oidc.ts). */
  subjectForm: SubjectForm;
}

export class UsageError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join("\n"));
    this.name = "UsageError";
  }
}

export const USAGE =
  "usage: npm run --silent azure-setup -- --repo <owner/name> --subscription <subscription id>\n" +
  "         [--app-name <name>] [--location <region>] [--state-account <storage account name> | --pulumi-org <organisation>]\n" +
  "         [--reviewer user:<login>|team:<org>/<team slug>]... (up to 6) [--subject-form auto|names|ids]";

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// Each value lands in a shell script and in Azure/GitHub names, so each is checked against the service's own rule.
const FLAGS: Record<string, { key: keyof SetupOptions; test: RegExp; allowed: string; repeatable?: boolean }> = {
  "--repo": {
    key: "repo",
    // GitHub: owner 1-39 letters, digits or single hyphens; repository name letters, digits, '.', '_', '-'.
    test: /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/,
    allowed: "a GitHub repository as owner/name, e.g. contoso/amplifier-infra",
  },
  "--subscription": {
    key: "subscription",
    test: GUID,
    allowed: "an Azure subscription ID, a GUID such as 00000000-0000-0000-0000-000000000000",
  },
  "--app-name": {
    key: "appName",
    test: /^[A-Za-z][A-Za-z0-9-]{0,50}$/,
    allowed: "a name of 1-51 letters, digits and '-', starting with a letter",
  },
  "--location": {
    key: "location",
    test: /^[a-z][a-z0-9]{1,39}$/,
    allowed: "an Azure region name in lower case, e.g. eastus or westeurope",
  },
  "--state-account": {
    key: "stateAccount",
    // Azure storage account names: 3-24 lower-case letters and digits, globally unique.
    test: /^[a-z0-9]{3,24}$/,
    allowed: "a storage account name: 3-24 lower-case letters and digits",
  },
  "--pulumi-org": {
    key: "pulumiOrg",
    // The owner part of a Pulumi Cloud stack name, <org>/<project>/<stack>: no '/', and a word for bash and GitHub.
    test: /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
    allowed: "a Pulumi Cloud organisation name as in app.pulumi.com/<org>: 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit",
  },
  "--reviewer": {
    key: "reviewers",
    // GitHub logins: 1-39 letters, digits or single hyphens; team slugs: lower-case letters, digits, '-' and '_'.
    test: /^(user:[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}|team:[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[a-z0-9_-]{1,100})$/,
    allowed: "user:<GitHub login> or team:<organization>/<team slug>, e.g. team:contoso/platform",
    repeatable: true,
  },
  "--subject-form": {
    key: "subjectForm",
    test: new RegExp(`^(${SUBJECT_FORMS.join("|")})$`),
    allowed:
      "ids (repo:<owner>@<owner id>/<repo>@<repository id>:..., immutable subject claims) or names (repo:<owner>/<repo>:...), " +
      "whichever the repository's tokens carry (gh workflow run oidc-subject.yml prints it), or auto (the default: stops with how to learn it)",
  },
};

/** GitHub takes at most six reviewers per environment (REST "Create or update an environment"). */
const MAX_REVIEWERS = 6;

export function parseSetupArgs(argv: string[]): SetupOptions {
  const errors: string[] = [];
  const seen = new Map<string, string>();
  const reviewers: string[] = [];
  const spec: FlagSpec = Object.fromEntries(Object.keys(FLAGS).map((f) => [f.slice(2), { type: "string" as const }]));
  const tokens = tokenize(argv, spec);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === "positional" || !t.known) {
      const [what, shown] = t.kind === "positional" ? ["unexpected argument", t.value] : ["unknown flag", t.raw];
      errors.push(`${shown} (${what}): allowed flags are ${Object.keys(FLAGS).join(", ")}`);
      // An unknown --flag's value is not a second error.
      if (t.kind === "flag" && !t.inline && tokens[i + 1]?.kind === "positional") i++;
      continue;
    }
    const flag = `--${t.name}`;
    if (t.value === undefined) {
      errors.push(`${flag} (got no value): ${FLAGS[flag].allowed}`);
      continue;
    }
    if (FLAGS[flag].repeatable) {
      if (!FLAGS[flag].test.test(t.value)) errors.push(`${flag} (got ${JSON.stringify(t.value)}): ${FLAGS[flag].allowed}`);
      else if (reviewers.includes(t.value)) errors.push(`${flag} (got ${JSON.stringify(t.value)} twice): give each reviewer once`);
      else reviewers.push(t.value);
      continue;
    }
    if (seen.has(flag)) errors.push(`${flag} (got ${JSON.stringify(t.value)} after ${JSON.stringify(seen.get(flag))}): give it once`);
    else if (!FLAGS[flag].test.test(t.value)) errors.push(`${flag} (got ${JSON.stringify(t.value)}): ${FLAGS[flag].allowed}`);
    seen.set(flag, t.value);
  }
  if (reviewers.length > MAX_REVIEWERS) errors.push(`--reviewer (got ${reviewers.length}): at most ${MAX_REVIEWERS} users or teams`);
  if (seen.has("--pulumi-org") && seen.has("--state-account")) {
    errors.push(
      `--pulumi-org (got ${JSON.stringify(seen.get("--pulumi-org"))} with --state-account): a self-managed backend has no Pulumi organisations, ` +
        "its stacks are the bare stack names; give one of the two",
    );
  }
  for (const required of ["--repo", "--subscription"]) {
    if (!seen.has(required) && !errors.some((e) => e.startsWith(`${required} `))) errors.push(`${required} (missing): ${FLAGS[required].allowed}`);
  }
  if (errors.length > 0) throw new UsageError(errors);
  return {
    repo: seen.get("--repo")!,
    // Stored as AZURE_SUBSCRIPTION_ID in the case `az account show` prints: CI's provider then builds every request
    // path, and the program the group's import id, from the same spelling (components/arm-ids.ts, docs/unverified.md).
    subscription: seen.get("--subscription")!.toLowerCase(),
    appName: seen.get("--app-name") ?? "amplifier-infra",
    location: seen.get("--location") ?? "eastus",
    stateAccount: seen.get("--state-account"),
    pulumiOrg: seen.get("--pulumi-org"),
    reviewers,
    subjectForm: (seen.get("--subject-form") ?? "auto") as SubjectForm,
  };
}

// Resource providers behind the program's resource types (a new subscription has most of them unregistered).
export const RESOURCE_PROVIDERS = [
  "Microsoft.DBforPostgreSQL",
  "Microsoft.KeyVault",
  "Microsoft.Web",
  "Microsoft.Network",
  "Microsoft.Insights",
  "Microsoft.OperationalInsights",
  "Microsoft.Storage",
  "Microsoft.ManagedIdentity",
  // The database bootstrap's container group (components/bootstrap-run.ts).
  "Microsoft.ContainerInstance",
];

/** Custom role names (one definition per subscription, assigned per resource group). */
export const lockRole = (o: { appName: string }) => `${o.appName} lock manager`;
export const previewRole = (o: { appName: string }) => `${o.appName} preview reader`;

// Created, or updated to this definition when it exists: a row added to the permissions table reaches the role on the
// next run (az finds the role to update by its Name).
const roleDefinition = (varName: string, definition: { Name: string; Description: string; Actions: readonly string[]; AssignableScopes: string[] }) => [
  `${varName}=${sq(definition.Name)}`,
  `if az role definition list --name "$${varName}" --query "[0].id" -o tsv | grep . >/dev/null; then`,
  `  az role definition update --role-definition ${sq(JSON.stringify(definition))}`,
  "else",
  `  az role definition create --role-definition ${sq(JSON.stringify(definition))}`,
  "fi",
];

const STATE_VARIABLES = ["AZURE_CLIENT_ID", "AZURE_PREVIEW_CLIENT_ID", "PULUMI_BACKEND_URL"];

export function setupScript(o: SetupOptions, dir = PROJECT_DIR): string {
  const stacks = azureStacks(dir);
  const state: StateBackend | undefined = o.stateAccount
    ? { account: o.stateAccount, vault: `kv-${o.stateAccount.slice(0, 21)}`, resourceGroup: `rg-${o.appName}-state` }
    : undefined;
  const subscriptionScope = `/subscriptions/${o.subscription}`;
  const out = [
    "#!/usr/bin/env bash",
    `# One-time Azure + GitHub set-up for ${o.repo} (printed by \`npm run azure-setup\`; read it before running it).`,
    `# Azure stacks, from the stack files: ${shown(stacks.map((c) => c.stack).join(", ")) || "none"}. Run it again after adding a stack file.`,
    "# Needs: az logged in as an Owner of the subscription who may create app registrations; gh logged in as a",
    "# repository admin. A re-run reuses the groups, identities, roles and environments it finds.",
    "set -euo pipefail",
    `REPO=${sq(o.repo)}`,
    `SUBSCRIPTION_ID=${sq(o.subscription)}`,
    'az account set --subscription "$SUBSCRIPTION_ID"',
    'TENANT_ID="$(az account show --query tenantId -o tsv)"',
    BRANCH_RULES_FUNCTION,
    ASSIGN_ROLE_FUNCTION,
    ...subjectPrefixLines(o.subjectForm),
    "",
    "# 1. Resource providers the program's resources need.",
    ...RESOURCE_PROVIDERS.map((ns) => `az provider register --namespace ${ns} --wait`),
    "",
    "# 2. Roles. Two custom roles, defined for the subscription and assigned per resource group below: prod's",
    "#    CanNotDelete locks (neither Contributor nor RBAC Administrator may manage locks), and the actions beyond Reader",
    "#    that the program's reads need in a preview (tools/azure-permissions.ts). The deploy identities may assign only",
    "#    the roles the program assigns, only to service principals (ABAC condition, Microsoft Learn: \"Examples to",
    "#    delegate Azure role assignment management with conditions\"). A new role takes minutes to replicate: every",
    "#    assignment below goes through assign_role, which retries for a bounded time while the role is not visible.",
    ...roleDefinition("LOCK_ROLE", {
      Name: lockRole(o),
      Description: "Create and remove management locks (the CanNotDelete locks on the database server and the vault).",
      Actions: ["Microsoft.Authorization/locks/read", "Microsoft.Authorization/locks/write", "Microsoft.Authorization/locks/delete"],
      AssignableScopes: [subscriptionScope],
    }),
    ...roleDefinition("PREVIEW_ROLE", {
      Name: previewRole(o),
      Description: "Read-only previews and drift checks: the POST reads the program makes that Reader lacks.",
      Actions: PREVIEW_ROLE_ACTIONS,
      AssignableScopes: [subscriptionScope],
    }),
    `ASSIGN_CONDITION=${sq(roleAssignmentCondition())}`,
  ];
  if (state) {
    out.push(
      "",
      "# 3. Self-managed state: an azblob:// backend (Pulumi's own lock files) and an azurekeyvault:// secrets provider,",
      "#    one container and one key per stack (below). Both authenticate through the Azure SDK (DefaultAzureCredential:",
      "#    az login locally, azure/login in CI), not through the ARM_* variables. No shared keys: Entra ID roles only.",
      `az group create --name ${sq(state.resourceGroup)} --location ${sq(o.location)}`,
      `az storage account create --name ${sq(state.account)} --resource-group ${sq(state.resourceGroup)} --location ${sq(o.location)} --sku Standard_ZRS \\`,
      "  --kind StorageV2 --min-tls-version TLS1_2 --https-only true --allow-blob-public-access false --allow-shared-key-access false",
      `az storage account blob-service-properties update --account-name ${sq(state.account)} --resource-group ${sq(state.resourceGroup)} \\`,
      "  --enable-versioning true --enable-delete-retention true --delete-retention-days 30",
      `STATE_ACCOUNT_ID="$(az storage account show --name ${sq(state.account)} --resource-group ${sq(state.resourceGroup)} --query id -o tsv)"`,
      // Purge protection: losing a key would make that stack's secrets unreadable.
      `az keyvault show --name ${sq(state.vault)} >/dev/null 2>&1 \\`,
      `  || az keyvault create --name ${sq(state.vault)} --resource-group ${sq(state.resourceGroup)} --location ${sq(o.location)} --enable-rbac-authorization true \\`,
      "     --enable-purge-protection true --retention-days 90",
      `VAULT_ID="$(az keyvault show --name ${sq(state.vault)} --query id -o tsv)"`,
      'ME="$(az ad signed-in-user show --query id -o tsv)"',
      `assign_role --assignee-object-id "$ME" --assignee-principal-type User --role 'Storage Blob Data Contributor' --scope "$STATE_ACCOUNT_ID"`,
      `assign_role --assignee-object-id "$ME" --assignee-principal-type User --role 'Key Vault Crypto Officer' --scope "$VAULT_ID"`,
      "sleep 60 # role assignments take a minute to reach the data plane",
    );
  }
  out.push(
    "",
    `# ${state ? 4 : 3}. GitHub: tenant and subscription as repository variables (not secrets). Everything that grants access`,
    "#    lives in environments, which a job only gets by naming them and passing their branch rules.",
    'gh variable set AZURE_TENANT_ID --repo "$REPO" --body "$TENANT_ID"',
    'gh variable set AZURE_SUBSCRIPTION_ID --repo "$REPO" --body "$SUBSCRIPTION_ID"',
    ...pulumiOrgLines(o, stacks.map((c) => c.stack)),
    ...(stacks.some((c) => c.delivery.approval === "required") ? reviewerLines(o.reviewers) : []),
  );
  for (const c of stacks) out.push("", ...stackLines(c, { ...o, state }));
  out.push("", ...branchProtectionLines());
  out.push(
    "",
    "# Last: retire what the previous set-up shared between stacks. Repository-level credentials reach every job,",
    "# including a pull request's (docs.github.com, \"Secure use reference\"); the shared identities trusted pull-request",
    "# and branch subjects with subscription-wide roles.",
    ...STATE_VARIABLES.map((v) => `gh variable delete ${v} --repo "$REPO" 2>/dev/null || true`),
    'gh secret delete PULUMI_ACCESS_TOKEN --repo "$REPO" 2>/dev/null || true',
    ...["deploy", "preview"].flatMap((role) => [
      `OLD_APP_ID="$(az ad app list --filter ${sq(`displayName eq '${o.appName}-${role}'`)} --query '[0].appId' -o tsv)"`,
      'if [ -n "$OLD_APP_ID" ]; then',
      '  az role assignment delete --assignee "$OLD_APP_ID" --scope "/subscriptions/$SUBSCRIPTION_ID" || true',
      '  az ad app delete --id "$OLD_APP_ID"',
      "fi",
    ]),
    "",
  );
  return out.join("\n");
}

export function main(argv: string[], write: (s: string) => void, fail: (s: string) => void): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    write(`${USAGE}\n`);
    return EXIT.ok;
  }
  try {
    write(setupScript(parseSetupArgs(argv)));
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    // Each value is quoted; invisible characters (bidi overrides, zero-width) are escaped so the message shows them.
    fail(`azure-setup: bad arguments\n${e.lines.map((l) => `  ${escapeUnsafe(l)}`).join("\n")}\n${USAGE}\n`);
    return EXIT.usage;
  }
}
