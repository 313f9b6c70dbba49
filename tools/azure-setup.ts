// Prints (never runs) the one-time Azure + GitHub set-up for the CI/CD workflows as a reviewable bash script:
//   npm run --silent azure-setup -- --repo <owner/name> --subscription <id> [--app-name <name>] [--location <region>]
//                                   [--state-account <storage account>] > azure-setup.sh
// Every flag is validated first; nothing talks to Azure or GitHub from here. README: "Deploying for real".
import { EXIT, type FlagSpec, tokenize } from "./cli";

export interface SetupOptions {
  /** GitHub repository, owner/name: the federated credentials' subjects are built from it. */
  repo: string;
  /** Azure subscription (GUID) that holds the test and prod stacks. */
  subscription: string;
  /** Prefix of the two app registrations: <appName>-deploy and <appName>-preview. */
  appName: string;
  /** Region of the state storage account and vault (only with stateAccount). */
  location: string;
  /** Storage account name for a self-managed azblob:// backend (plus a Key Vault secrets provider); none = Pulumi Cloud. */
  stateAccount?: string;
}

export class UsageError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join("\n"));
    this.name = "UsageError";
  }
}

export const USAGE =
  "usage: npm run --silent azure-setup -- --repo <owner/name> --subscription <subscription id>\n" +
  "         [--app-name <name>] [--location <region>] [--state-account <storage account name>]";

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// Each value lands in a shell script and in Azure/GitHub names, so each is checked against the service's own rule.
const FLAGS: Record<string, { key: keyof SetupOptions; test: RegExp; allowed: string }> = {
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
};

export function parseSetupArgs(argv: string[]): SetupOptions {
  const errors: string[] = [];
  const seen = new Map<string, string>();
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
    if (seen.has(flag)) errors.push(`${flag} (got ${JSON.stringify(t.value)} after ${JSON.stringify(seen.get(flag))}): give it once`);
    else if (!FLAGS[flag].test.test(t.value)) errors.push(`${flag} (got ${JSON.stringify(t.value)}): ${FLAGS[flag].allowed}`);
    seen.set(flag, t.value);
  }
  for (const required of ["--repo", "--subscription"]) {
    if (!seen.has(required) && !errors.some((e) => e.startsWith(`${required} `))) errors.push(`${required} (missing): ${FLAGS[required].allowed}`);
  }
  if (errors.length > 0) throw new UsageError(errors);
  return {
    repo: seen.get("--repo")!,
    subscription: seen.get("--subscription")!.toLowerCase(),
    appName: seen.get("--app-name") ?? "amplifier-infra",
    location: seen.get("--location") ?? "eastus",
    stateAccount: seen.get("--state-account"),
  };
}

/** OIDC subjects GitHub presents (docs.github.com, "OpenID Connect reference"). */
export function federatedSubjects(repo: string) {
  return {
    deploy: { "github-environment-test": `repo:${repo}:environment:test`, "github-environment-prod": `repo:${repo}:environment:prod` },
    // Pull-request previews, and the scheduled drift check (runs on main, no environment).
    preview: { "github-pull-request": `repo:${repo}:pull_request`, "github-branch-main": `repo:${repo}:ref:refs/heads/main` },
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
];

function identity(varPrefix: string, displayName: string, credentials: Record<string, string>, roles: string[]): string[] {
  const app = `${varPrefix}_APP_ID`;
  const sp = `${varPrefix}_SP_ID`;
  const lines = [
    `${app}="$(az ad app list --display-name '${displayName}' --query '[0].appId' -o tsv)"`,
    `[ -n "$${app}" ] || ${app}="$(az ad app create --display-name '${displayName}' --query appId -o tsv)"`,
    `${sp}="$(az ad sp show --id "$${app}" --query id -o tsv 2>/dev/null || az ad sp create --id "$${app}" --query id -o tsv)"`,
  ];
  for (const [name, subject] of Object.entries(credentials)) {
    const params = JSON.stringify({ name, issuer: "https://token.actions.githubusercontent.com", subject, audiences: ["api://AzureADTokenExchange"] });
    lines.push(
      `az ad app federated-credential show --id "$${app}" --federated-credential-id ${name} >/dev/null 2>&1 \\`,
      `  || az ad app federated-credential create --id "$${app}" --parameters '${params}'`,
    );
  }
  for (const role of roles) lines.push(assign(sp, role, '"/subscriptions/$SUBSCRIPTION_ID"'));
  return lines;
}

const assign = (spVar: string, role: string, scope: string) =>
  `az role assignment create --assignee-object-id "$${spVar}" --assignee-principal-type ServicePrincipal --role '${role}' --scope ${scope}`;

/** The custom role that lets the deploy identity manage prod's management locks. */
const lockRole = (o: SetupOptions) => `${o.appName} lock manager`;

export function setupScript(o: SetupOptions): string {
  const subjects = federatedSubjects(o.repo);
  const gh = `--repo '${o.repo}'`;
  const out = [
    "#!/usr/bin/env bash",
    `# One-time Azure + GitHub set-up for ${o.repo} (printed by \`npm run azure-setup\`; read it before running it).`,
    "# Needs: az logged in as an Owner of the subscription who may create app registrations; gh logged in as a",
    "# repository admin. A re-run reuses the app registrations, federated credentials and branch rules it finds.",
    "set -euo pipefail",
    `SUBSCRIPTION_ID='${o.subscription}'`,
    'az account set --subscription "$SUBSCRIPTION_ID"',
    'TENANT_ID="$(az account show --query tenantId -o tsv)"',
    "",
    "# 1. Resource providers the program's resources need.",
    ...RESOURCE_PROVIDERS.map((ns) => `az provider register --namespace ${ns} --wait`),
    "",
    "# 2. Deploy identity (`pulumi up` in the GitHub environments test and prod). Contributor creates the resources;",
    "#    Role Based Access Control Administrator lets the program create its role assignments (e.g. the app's",
    "#    managed identity on the vault); neither may manage locks, so a custom role adds just that for prod's",
    "#    CanNotDelete locks. Subscription scope, because the program creates the resource groups.",
    `LOCK_ROLE='${lockRole(o)}'`,
    'az role definition list --name "$LOCK_ROLE" --query "[0].id" -o tsv | grep -q . \\',
    `  || az role definition create --role-definition '${JSON.stringify({
      Name: lockRole(o),
      Description: "Create and remove management locks (the CanNotDelete locks on the database server and the vault).",
      Actions: ["Microsoft.Authorization/locks/read", "Microsoft.Authorization/locks/write", "Microsoft.Authorization/locks/delete"],
      AssignableScopes: [`/subscriptions/${o.subscription}`],
    })}'`,
    ...identity("DEPLOY", `${o.appName}-deploy`, subjects.deploy, ["Contributor", "Role Based Access Control Administrator", lockRole(o)]),
    "",
    "# 3. Read-only identity (pull-request previews and the drift check): code from any branch runs with it, so it",
    "#    can read Azure but not change it.",
    ...identity("PREVIEW", `${o.appName}-preview`, subjects.preview, ["Reader"]),
  ];
  if (o.stateAccount) {
    const rg = `rg-${o.appName}-state`;
    const vault = `kv-${o.stateAccount.slice(0, 21)}`;
    const container = "pulumi-state";
    out.push(
      "",
      "# 4. Self-managed state: an azblob:// backend (Pulumi's own lock files) and an azurekeyvault:// secrets provider.",
      "#    Both authenticate through the Azure SDK (DefaultAzureCredential: az login locally, azure/login in CI), not",
      "#    through the ARM_* variables. No shared keys: access is by Entra ID roles only.",
      `az group create --name ${rg} --location ${o.location}`,
      `az storage account create --name ${o.stateAccount} --resource-group ${rg} --location ${o.location} --sku Standard_ZRS \\`,
      "  --kind StorageV2 --min-tls-version TLS1_2 --https-only true --allow-blob-public-access false --allow-shared-key-access false",
      `az storage account blob-service-properties update --account-name ${o.stateAccount} --resource-group ${rg} \\`,
      "  --enable-versioning true --enable-delete-retention true --delete-retention-days 30",
      `az storage container-rm create --storage-account ${o.stateAccount} --resource-group ${rg} --name ${container}`,
      `STATE_SCOPE="$(az storage account show --name ${o.stateAccount} --resource-group ${rg} --query id -o tsv)/blobServices/default/containers/${container}"`,
      // Purge protection: losing this key would make every stack's secrets unreadable.
      `az keyvault create --name ${vault} --resource-group ${rg} --location ${o.location} --enable-rbac-authorization true \\`,
      "  --enable-purge-protection true --retention-days 90",
      `VAULT_SCOPE="$(az keyvault show --name ${vault} --query id -o tsv)"`,
      'ME="$(az ad signed-in-user show --query id -o tsv)"',
      `az role assignment create --assignee-object-id "$ME" --assignee-principal-type User --role 'Storage Blob Data Contributor' --scope "$STATE_SCOPE"`,
      `az role assignment create --assignee-object-id "$ME" --assignee-principal-type User --role 'Key Vault Crypto Officer' --scope "$VAULT_SCOPE"`,
      // Previews take the backend's lock, so the read-only identity also writes blobs; both decrypt stack secrets.
      assign("DEPLOY_SP_ID", "Storage Blob Data Contributor", '"$STATE_SCOPE"'),
      assign("PREVIEW_SP_ID", "Storage Blob Data Contributor", '"$STATE_SCOPE"'),
      assign("DEPLOY_SP_ID", "Key Vault Crypto User", '"$VAULT_SCOPE"'),
      assign("PREVIEW_SP_ID", "Key Vault Crypto User", '"$VAULT_SCOPE"'),
      "sleep 60 # role assignments take a minute to reach the data plane",
      `az keyvault key show --vault-name ${vault} --name pulumi-secrets >/dev/null 2>&1 \\`,
      `  || az keyvault key create --vault-name ${vault} --name pulumi-secrets --kty RSA --size 4096`,
      `gh variable set PULUMI_BACKEND_URL ${gh} --body 'azblob://${container}?storage_account=${o.stateAccount}'`,
      "# Then, once per stack (or `pulumi stack change-secrets-provider` for an existing one):",
      `#   pulumi login 'azblob://${container}?storage_account=${o.stateAccount}'`,
      `#   pulumi stack init test --secrets-provider 'azurekeyvault://${vault}.vault.azure.net/keys/pulumi-secrets'`,
    );
  }
  out.push(
    "",
    `# ${o.stateAccount ? 5 : 4}. GitHub: IDs as repository variables (none is a secret), environments test and prod.`,
    `gh variable set AZURE_CLIENT_ID ${gh} --body "$DEPLOY_APP_ID"`,
    `gh variable set AZURE_PREVIEW_CLIENT_ID ${gh} --body "$PREVIEW_APP_ID"`,
    `gh variable set AZURE_TENANT_ID ${gh} --body "$TENANT_ID"`,
    `gh variable set AZURE_SUBSCRIPTION_ID ${gh} --body "$SUBSCRIPTION_ID"`,
    o.stateAccount
      ? "# No PULUMI_ACCESS_TOKEN: the azblob:// backend above holds the state."
      : `gh secret set PULUMI_ACCESS_TOKEN ${gh}   # prompts for a Pulumi Cloud access token; set PULUMI_ORG for an organisation`,
    // Only main may deploy to either environment; prod waits for a reviewer (you, until you add your team).
    // grep reads all of gh's output (no -q): under pipefail an early exit would fail the pipeline.
    `gh api --method PUT 'repos/${o.repo}/environments/test' --input - <<< '{"deployment_branch_policy":{"protected_branches":false,"custom_branch_policies":true}}'`,
    `gh api --method PUT 'repos/${o.repo}/environments/prod' --input - <<< "{\\"reviewers\\":[{\\"type\\":\\"User\\",\\"id\\":$(gh api user --jq .id)}],\\"deployment_branch_policy\\":{\\"protected_branches\\":false,\\"custom_branch_policies\\":true}}"`,
    ...["test", "prod"].flatMap((env) => [
      `gh api 'repos/${o.repo}/environments/${env}/deployment-branch-policies' --jq '.branch_policies[].name' | grep -x main >/dev/null \\`,
      `  || gh api --method POST 'repos/${o.repo}/environments/${env}/deployment-branch-policies' -f name=main -f type=branch`,
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
    fail(`azure-setup: bad arguments\n${e.lines.map((l) => `  ${l}`).join("\n")}\n${USAGE}\n`);
    return EXIT.usage;
  }
}
