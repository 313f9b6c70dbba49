import * as crypto from "crypto";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as web from "@pulumi/azure-native/web";
import * as pulumi from "@pulumi/pulumi";
import type { AppServiceConfig } from "../config/schema";
import { startCommand } from "./app-settings";
import { inSettingOrder, type SecretReference } from "./key-vault";
import type { AzurePlacement } from "./azure-placement";
// Built-in role "Key Vault Secrets User" (the RBAC form of the spec's get, list): the one role the policy pack lets
// the app's identities hold, so both read it from one place.
import { KEY_VAULT_SECRETS_USER } from "../policy/rules";
export { KEY_VAULT_SECRETS_USER };

export interface AppServiceArgs extends AzurePlacement {
  /** The validated `appService` block (names, tier and always-on derived). */
  config: AppServiceConfig;
  subscriptionId: pulumi.Input<string>;
  /** Plain settings (see app-settings.ts). */
  settings: Record<string, string>;
  /** The secrets the app reads (components/key-vault.ts): one grant and one Key Vault reference each. */
  references: SecretReference[];
  /** Azure Files share mounted at `mountPath`. */
  sessionShare: { accountName: pulumi.Input<string>; shareName: pulumi.Input<string>; accessKey: pulumi.Input<string>; mountPath: string };
  /** VNet integration subnet; when set, all outbound traffic goes through it. */
  subnetId?: pulumi.Input<string>;
  /** Resources the app must wait for (private endpoints, their DNS zone groups and the zones' VNet links). */
  dependsOn?: pulumi.Resource[];
  /**
   * Called with the app's identity once it exists and before its grants and the web app are registered. `app` is this
   * component, the parent of what the hook creates: the app's access to its database (the bootstrap run that creates
   * the app's role for that identity). The web app waits for `waitFor`; `references` are secrets that could only be
   * written after that (the database URL naming the role), granted and referenced like `references` above.
   */
  beforeWebApp?: (identity: managedidentity.UserAssignedIdentity, app: pulumi.ComponentResource) => { waitFor: pulumi.Resource[]; references?: SecretReference[] };
}

/** Where a web app's read-back lists the storage mounts that WebAppAzureStorageAccounts owns. */
export const STORAGE_MOUNTS = "siteConfig.azureStorageAccounts";

/** The plain setting whose change makes App Service fetch every Key Vault reference again (see below). */
export const REFERENCES_DIGEST_SETTING = "KEY_VAULT_REFERENCES_DIGEST";

/** The digest of the referenced secrets' current versions: the same versions, the same value, in any order. */
export function referencesDigest(versionedUris: readonly string[]): string {
  return crypto.createHash("sha256").update([...versionedUris].sort().join("\n")).digest("hex").slice(0, 32);
}

/**
 * Linux App Service plan and the API's web app: a user-assigned identity that may read exactly the secrets it
 * references, granted before the app exists; secrets only as Key Vault references, no FTP or basic-auth publishing,
 * sessions on Azure Files.
 */
export class AppService extends pulumi.ComponentResource {
  readonly plan: web.AppServicePlan;
  readonly webApp: web.WebApp;
  readonly identity: managedidentity.UserAssignedIdentity;
  readonly url: pulumi.Output<string>;
  /** The principal the app runs as (its user-assigned identity). */
  readonly principalId: pulumi.Output<string>;

  constructor(name: string, args: AppServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("amplifier:app:AppService", name, {}, opts);
    const c = args.config;

    this.plan = new web.AppServicePlan(
      `${name}-plan`,
      {
        name: c.planName,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        kind: "linux",
        // Linux plans need reserved: true, or every preview shows a replacement (pulumi-azure-nextgen#242).
        reserved: true,
        sku: { name: c.planSku, tier: c.planTier, capacity: c.capacity },
        zoneRedundant: c.zoneRedundant,
        tags: args.tags,
      },
      { parent: this },
    );

    // App Service resolves Key Vault references when the app starts, then only on a config change or every 24 h,
    // and an unresolved one reaches the app as the literal "@Microsoft.KeyVault(...)". A system identity exists only
    // after the app does; a user-assigned one "can be created and given access to the vault in advance"
    // (https://learn.microsoft.com/en-us/azure/app-service/app-service-key-vault-references).
    this.identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceName: c.identityName, resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags },
      { parent: this },
    );
    this.principalId = this.identity.principalId;
    // One Key Vault Secrets User grant per secret the app references, scoped to that secret (Microsoft Learn, "Provide
    // access to Key Vault keys, certificates, and secrets with Azure role-based access control": secret scope role
    // assignment), not the vault: the app reads its own secrets and nothing else the vault holds. Microsoft's guide
    // prefers vault scope with a vault per app and environment; this vault is one, but a vault-wide grant would also
    // reach anything added to it later.
    const hook = args.beforeWebApp?.(this.identity, this) ?? { waitFor: [] };
    const references = inSettingOrder([...args.references, ...(hook.references ?? [])]);
    const grants = references.map(
      (ref) =>
        new authorization.RoleAssignment(
          `${name}-reads-${ref.secretName}`,
          {
            principalId: this.identity.principalId,
            // A principal created seconds ago: ServicePrincipal skips Entra's replication check (PrincipalNotFound)
            // (https://learn.microsoft.com/en-us/azure/role-based-access-control/role-assignments-template).
            principalType: "ServicePrincipal",
            roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER}`,
            scope: ref.scope,
          },
          // The scope must exist before a role can be assigned on it.
          { parent: this, dependsOn: [ref.resource] },
        ),
    );

    const keyVaultRefs = references.map((ref) => ({ name: ref.setting, value: pulumi.interpolate`@Microsoft.KeyVault(SecretUri=${ref.uri})` }));
    // The references are versionless, and App Service caches what they resolve to for up to 24 hours, but "any
    // configuration change to the app causes an app restart and an immediate refetch of all referenced secrets"
    // (Microsoft Learn, "Use Key Vault references as app settings", Understand rotation). A new value is a new
    // version of its secret, so this setting changes (and the app restarts with the new values) in the same deploy
    // that writes one, and never otherwise: an unchanged deploy reads the same versions back.
    const digest = {
      name: REFERENCES_DIGEST_SETTING,
      value: pulumi.all(references.map((ref) => ref.uriWithVersion)).apply((uris) => referencesDigest(uris)),
    };
    // The app's own SecretsManager uses DefaultAzureCredential, which picks a user-assigned identity by this
    // variable (Azure/azure-sdk-for-python sdk/identity/azure-identity/azure/identity/_credentials/default.py).
    const sdkIdentity = { name: "AZURE_CLIENT_ID", value: this.identity.clientId };

    this.webApp = new web.WebApp(
      `${name}-web-app`,
      {
        name: c.name,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        serverFarmId: this.plan.id,
        kind: "app,linux",
        reserved: true,
        httpsOnly: true,
        clientAffinityEnabled: false,
        // Only the user-assigned identity: nothing else would use a system one, and it would hold no role.
        identity: { type: web.ManagedServiceIdentityType.UserAssigned, userAssignedIdentities: [this.identity.id] },
        keyVaultReferenceIdentity: this.identity.id,
        // VNet integration on the site itself, never WebAppSwiftVirtualNetworkConnection (pulumi-azure-native#4231).
        // Route-all is needed for Key Vault references to a private vault; web API 2025-05-01 spells it
        // outboundVnetRouting.allTraffic (older API versions: vnetRouteAllEnabled), which Azure Policy a691eacb reads.
        ...(args.subnetId ? { virtualNetworkSubnetId: args.subnetId, outboundVnetRouting: { allTraffic: true } } : {}),
        siteConfig: {
          linuxFxVersion: `PYTHON|${c.pythonVersion}`,
          appCommandLine: startCommand(c),
          alwaysOn: c.alwaysOn,
          healthCheckPath: c.healthCheckPath,
          http20Enabled: true,
          minTlsVersion: "1.2",
          scmMinTlsVersion: "1.2",
          ftpsState: "Disabled",
          remoteDebuggingEnabled: false,
          appSettings: [...Object.entries(args.settings).map(([n, value]) => ({ name: n, value })), sdkIdentity, ...keyVaultRefs, digest],
        },
        tags: args.tags,
      },
      // Created only once its identity may read its secrets and (prod) the private names resolve. A grant can still
      // take up to 10 minutes to apply (Microsoft Learn, "Troubleshoot Azure RBAC", role assignment changes are not
      // being detected): deploy.yml then checks that every reference resolved (.github/scripts/check-key-vault-references.sh).
      // The storage mount belongs to the WebAppAzureStorageAccounts below, but azure-native reads a web app back with
      // GET {site}/config/web, whose siteConfig lists it (provider/pkg/resources/customresources/custom_webapp.go), and
      // a refresh copies what changed into the stored inputs (provider/pkg/provider/provider.go, Read); without the
      // ignore, the next deploy would plan to remove it and PUT the site without it.
      { parent: this, dependsOn: [...grants, ...(args.dependsOn ?? []), ...hook.waitFor], ignoreChanges: [STORAGE_MOUNTS] },
    );

    // Basic-auth publishing off (AzPol 871b205b, aede300b): deploy with Entra/OIDC, not a publish profile.
    new web.WebAppFtpAllowed(`${name}-ftp-basic-auth`, { name: this.webApp.name, resourceGroupName: args.resourceGroupName, allow: false }, { parent: this });
    new web.WebAppScmAllowed(`${name}-scm-basic-auth`, { name: this.webApp.name, resourceGroupName: args.resourceGroupName, allow: false }, { parent: this });

    // Mounting the share changes site config, which makes App Service fetch the references again: a second
    // chance, after the grant, if it had not applied yet at the first start.
    const share = args.sessionShare;
    new web.WebAppAzureStorageAccounts(
      `${name}-session-mount`,
      {
        name: this.webApp.name,
        resourceGroupName: args.resourceGroupName,
        properties: {
          sessions: {
            type: "AzureFiles",
            protocol: "Smb",
            accountName: share.accountName,
            shareName: share.shareName,
            mountPath: share.mountPath,
            accessKey: pulumi.secret(share.accessKey),
          },
        },
      },
      { parent: this, dependsOn: grants },
    );

    this.url = pulumi.interpolate`https://${this.webApp.defaultHostName}`;
    this.registerOutputs({ url: this.url, principalId: this.principalId });
  }
}
