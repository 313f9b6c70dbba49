/**
 * The part of the printed set-up that is repeated for every Azure stack in the stack files (tools/azure-setup.ts
 * prints the rest): the stack's resource group, its two identities scoped to that group, its GitHub environments and,
 * with a self-managed backend, its own state container and secrets key. Nothing here is shared between stacks, so
 * test's credentials cannot reach prod.
 */
import { adminBypassLines, refuseToLoosenLines } from "./azure-setup-github";
import { azureTags } from "../config/tags";
import type { AzureStackConfig } from "./ci-stacks";
import { PREVIEW_SUFFIX } from "./ci-stacks";
import { identityLines } from "./azure-setup-oidc";
import { shown, sq } from "./shell";

/** The two identities of a stack: `pulumi up` in environment <stack>, previews and drift in <stack>-preview. */
export function stackIdentities(appName: string, stack: string) {
  // Each trusts one subject, $SUBJECT_PREFIX:environment:<environment> (tools/azure-setup-oidc.ts): with an environment
  // the subject names it, whatever the event (docs.github.com, "OpenID Connect reference", example subject claims).
  const identity = (environment: string, role: "deploy" | "preview") => ({
    displayName: `${appName}-${stack}-${role}`,
    environment,
    credentialName: `github-environment-${environment}`,
  });
  return { deploy: identity(stack, "deploy"), read: identity(`${stack}${PREVIEW_SUFFIX}`, "preview") };
}

/** `role` and `scope` are bash words (quoted or variables). */
export const assign = (spVar: string, role: string, scope: string, extra = "") =>
  `assign_role --assignee-object-id "$${spVar}" --assignee-principal-type ServicePrincipal --role ${role} --scope ${scope}${extra}`;

export interface StateBackend {
  account: string;
  vault: string;
  resourceGroup: string;
}

/** Per-stack names in the self-managed backend: one container and one secrets key each. */
export function stackState(state: StateBackend, c: AzureStackConfig) {
  const container = `pulumi-state-${c.stackSlug}`;
  const key = `pulumi-secrets-${c.stackSlug}`;
  return {
    container,
    key,
    backendUrl: `azblob://${container}?storage_account=${state.account}`,
    secretsProvider: `azurekeyvault://${state.vault}.vault.azure.net/keys/${key}`,
  };
}

const BRANCH_POLICY = '"deployment_branch_policy":{"protected_branches":false,"custom_branch_policies":true}';

type SetupContext = { appName: string; repo: string; subscription: string; state?: StateBackend; pulumiOrg?: string };

/** The stack's name as the workflows use it: `<PULUMI_ORG>/<stack>` when the set-up sets PULUMI_ORG, else the bare name. */
export const pulumiStackName = (o: { pulumiOrg?: string }, c: { stack: string }) => (o.pulumiOrg ? `${o.pulumiOrg}/${c.stack}` : c.stack);

const CREATE_STACK = '# Create the stack once, before its first workflow run (the workflows only select it; README, "First deploy"):';

export function stackLines(c: AzureStackConfig, o: SetupContext): string[] {
  const yes = (b: boolean) => (b ? "yes" : "no");
  const ids = stackIdentities(o.appName, c.stack);
  return [
    `# ── stack ${shown(c.stack)}: resource group ${shown(c.azure.resourceGroupName)} (${shown(c.azure.location)}) · pull-request previews: ` +
      `${yes(c.delivery.pullRequestPreview)} · deploy approval: ${c.delivery.approval} · locks: ${yes(c.locks)}`,
    // Environments first: a gated stack whose reviewers GitHub does not enforce stops before any identity exists.
    ...environmentLines(c, ids.read.environment),
    ...azureLines(c, ids),
    ...(o.state ? stateLines(c, o.state) : []),
    `gh variable set AZURE_CLIENT_ID --repo "$REPO" --env ${sq(c.stack)} --body "$DEPLOY_APP_ID"`,
    `gh variable set AZURE_CLIENT_ID --repo "$REPO" --env ${sq(ids.read.environment)} --body "$READ_APP_ID"`,
    ...[c.stack, ids.read.environment].map((e) =>
      o.state
        ? `gh variable set PULUMI_BACKEND_URL --repo "$REPO" --env ${sq(e)} --body ${sq(stackState(o.state, c).backendUrl)}`
        : `gh secret set PULUMI_ACCESS_TOKEN --repo "$REPO" --env ${sq(e)}   # prompts: a token that can ${e === c.stack ? "update" : "only read"} stack ${shown(c.stack)} and no other (docs/delivery.md, "Pulumi backend and secrets provider")`,
    ),
    // Pulumi Cloud keeps the stack's secrets key itself: `stack init` writes nothing into the stack file.
    ...(o.state ? [] : [CREATE_STACK, `#   pulumi login && pulumi stack init ${shown(sq(pulumiStackName(o, c)))}`]),
  ];
}

/** The stack's two GitHub environments, their branch rules and (gated stacks) reviewers, checked to be in force. */
function environmentLines(c: AzureStackConfig, readEnvironment: string): string[] {
  const env = (name: string) => `"repos/$REPO/environments/"${sq(name)}`;
  const out = [
    `# GitHub environments. Only main may use ${shown(c.stack)}` +
      (c.delivery.pullRequestPreview ? `; ${shown(readEnvironment)} also admits pull requests' merge refs (previews)` : ` or ${shown(readEnvironment)}`) +
      ` (docs.github.com, "Deployments and environments": branch rules match GITHUB_REF).`,
    ...(c.delivery.approval === "required" ? [] : refuseToLoosenLines(c.stack)),
    c.delivery.approval === "required"
      ? // A reviewer who is not the run's initiator approves the deploy; admins cannot skip it (can_admins_bypass:
        // google/go-github#2725). REST "Create or update an environment".
        `gh api --method PUT ${env(c.stack)} --input - <<< "{\\"wait_timer\\":0,\\"prevent_self_review\\":true,\\"can_admins_bypass\\":false,\\"reviewers\\":$REVIEWERS,${BRANCH_POLICY.replace(/"/g, '\\"')}}"`
      : `gh api --method PUT ${env(c.stack)} --input - <<< '{${BRANCH_POLICY}}'`,
    `gh api --method PUT ${env(readEnvironment)} --input - <<< '{${BRANCH_POLICY}}'`,
    `branch_rules ${sq(c.stack)} main`,
    `branch_rules ${sq(readEnvironment)} main${c.delivery.pullRequestPreview ? " 'refs/pull/*/merge'" : ""}`,
  ];
  if (c.delivery.approval === "required") {
    out.push(
      // Required reviewers only work on public repositories on GitHub Free, Pro and Team (same page): fail closed.
      `gh api ${env(c.stack)} --jq '[.protection_rules[]? | select(.type == "required_reviewers" and .prevent_self_review == true)] | length' | grep -x 1 >/dev/null \\`,
      `  || { echo ${sq(`environment ${c.stack}: required reviewers with prevent self-review are not in force (a private repository on GitHub Free, Pro or Team cannot enforce them); its deploys would run unreviewed`)} >&2; exit 1; }`,
      ...adminBypassLines(c.stack),
    );
  }
  return out;
}

/** The stack's resource group and its two identities, with roles on that group only. */
function azureLines(c: AzureStackConfig, ids: ReturnType<typeof stackIdentities>): string[] {
  const rg = c.azure.resourceGroupName;
  const tags = Object.entries(azureTags(c)).map(([k, v]) => sq(`${k}=${v}`));
  return [
    // The group exists before the stack's first deploy, so every role below can be scoped to it.
    `az group show --name ${sq(rg)} >/dev/null 2>&1 \\`,
    `  || az group create --name ${sq(rg)} --location ${sq(c.azure.location)} --tags ${tags.join(" ")}`,
    `RG_ID="/subscriptions/$SUBSCRIPTION_ID/resourceGroups/"${sq(rg)}`,
    `# The program adopts this group on the stack's first deploy (the import option: azure-native will not create a`,
    `# resource that exists, pulumi/pulumi-azure-native#303) and keeps it on a destroy (retainOnDelete), so the roles`,
    `# below survive a teardown and a redeploy from CI needs nothing from here.`,
    `# Deploy identity: \`pulumi up\` in GitHub environment ${shown(c.stack)}. Contributor on this group only; role assignments only`,
    `# of the roles the program assigns (condition above)${c.locks ? "; management locks for the CanNotDelete locks" : ""}.`,
    ...identityLines("DEPLOY", ids.deploy),
    assign("DEPLOY_SP_ID", "'Contributor'", '"$RG_ID"'),
    assign("DEPLOY_SP_ID", "'Role Based Access Control Administrator'", '"$RG_ID"', ' --condition "$ASSIGN_CONDITION" --condition-version 2.0'),
    ...(c.locks ? [assign("DEPLOY_SP_ID", '"$LOCK_ROLE"', '"$RG_ID"')] : []),
    `# Read identity: previews and the drift check in GitHub environment ${shown(ids.read.environment)}. Reader plus the`,
    `# actions the program's reads need (preview role above), on this group only.`,
    ...identityLines("READ", ids.read),
    assign("READ_SP_ID", "'Reader'", '"$RG_ID"'),
    assign("READ_SP_ID", '"$PREVIEW_ROLE"', '"$RG_ID"'),
  ];
}

/** The stack's own state container and secrets key in the self-managed backend, for its two identities only. */
function stateLines(c: AzureStackConfig, state: StateBackend): string[] {
  const st = stackState(state, c);
  return [
    `# State and secrets of ${shown(c.stack)} only: its own container and key. Both identities write the container (previews`,
    `# take the backend's lock) and decrypt with the key.`,
    `az storage container-rm create --storage-account ${sq(state.account)} --resource-group ${sq(state.resourceGroup)} --name ${sq(st.container)}`,
    `az keyvault key show --vault-name ${sq(state.vault)} --name ${sq(st.key)} >/dev/null 2>&1 \\`,
    `  || az keyvault key create --vault-name ${sq(state.vault)} --name ${sq(st.key)} --kty RSA --size 4096`,
    ...["DEPLOY_SP_ID", "READ_SP_ID"].flatMap((sp) => [
      assign(sp, "'Storage Blob Data Contributor'", `"$STATE_ACCOUNT_ID/blobServices/default/containers/"${sq(st.container)}`),
      // Key Vault RBAC can grant a role on one key (Microsoft Learn, "Provide access to Key Vault keys,
      // certificates, and secrets with Azure role-based access control": individual keys).
      assign(sp, "'Key Vault Crypto User'", `"$VAULT_ID/keys/"${sq(st.key)}`),
    ]),
    CREATE_STACK,
    `#   pulumi login ${shown(sq(st.backendUrl))} && pulumi stack init ${shown(c.stack)} --secrets-provider ${shown(sq(st.secretsProvider))}`,
    `# then commit the secretsprovider: and encryptedkey: lines it adds to Pulumi.${shown(c.stack)}.yaml (the deploys need them).`,
  ];
}
