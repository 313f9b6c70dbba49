import * as keyvault from "@pulumi/azure-native/keyvault";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { KeyVaultConfig } from "../config/schema";
import type { AzurePlacement } from "./azure-placement";

/** The spec's secret names (its SecretsManager reads these). */
export const SECRET_NAMES = {
  databaseUrl: "postgresql-connection-string",
  jwtSecretKey: "jwt-secret-key",
  appInsightsConnectionString: "app-insights-connection-string",
} as const;
export type SecretKey = keyof typeof SECRET_NAMES;

/** Content types (CKV_AZURE_114, AVD-AZU-0015): say what each value is. */
const CONTENT_TYPES: Record<SecretKey, string> = {
  databaseUrl: "text/plain; postgresql+asyncpg URL",
  jwtSecretKey: "text/plain; hex-encoded key",
  appInsightsConnectionString: "text/plain; Application Insights connection string",
};

export interface KeyVaultArgs extends AzurePlacement {
  /** The validated `keyVault` block (name and network access derived). */
  config: KeyVaultConfig;
  /** Tenant of the deploying identity (client config). */
  tenantId: pulumi.Input<string>;
  /** Pulumi `protect` on the vault. */
  protect: boolean;
  /** The database tier's DATABASE_URL. */
  databaseUrl: pulumi.Input<string>;
  appInsightsConnectionString: pulumi.Input<string>;
}

/**
 * Key Vault (RBAC permission model, soft delete, purge protection from config) holding the app's three secrets.
 * Only secret URIs leave this component; the values stay secret inputs of the Secret resources.
 */
export class KeyVault extends pulumi.ComponentResource {
  readonly vault: keyvault.Vault;
  readonly vaultName: pulumi.Output<string>;
  readonly vaultUri: pulumi.Output<string>;
  /** Versionless secret URIs (`https://<vault>.vault.azure.net/secrets/<name>`), so a new version is picked up. */
  readonly secretUris: Record<SecretKey, pulumi.Output<string>>;

  constructor(name: string, args: KeyVaultArgs, opts?: pulumi.ComponentResourceOptions) {
    super("amplifier:security:KeyVault", name, {}, opts);
    const c = args.config;
    const isPrivate = c.publicNetworkAccess === "Disabled";

    this.vault = new keyvault.Vault(
      `${name}-vault`,
      {
        vaultName: c.name,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        properties: {
          tenantId: args.tenantId,
          sku: { family: "A", name: c.sku },
          // RBAC instead of access policies (AzPol 12d4fa5e): the app gets a role scoped to this vault.
          enableRbacAuthorization: true,
          // Explicit, as Checkov's ARM CKV_AZURE_42 and Trivy AVD-AZU-0016 want (Checkov CKV_AZURE_42; Trivy AVD-AZU-0016).
          enableSoftDelete: true,
          softDeleteRetentionInDays: c.softDeleteRetentionDays,
          // Azure rejects enablePurgeProtection: false ("cannot be set to false"), so off means absent.
          ...(c.purgeProtection ? { enablePurgeProtection: true } : {}),
          publicNetworkAccess: c.publicNetworkAccess,
          // Trivy AVD-AZU-0013 reads only the ACL default action, so private means both.
          networkAcls: { defaultAction: isPrivate ? "Deny" : "Allow", bypass: "AzureServices" },
          enabledForDeployment: false,
          enabledForDiskEncryption: false,
          enabledForTemplateDeployment: false,
        },
        tags: args.tags,
      },
      { parent: this, protect: args.protect },
    );

    // >= 32 random bytes as hex (spec: `openssl rand -hex 32`); RandomBytes keeps `hex` secret in state.
    const jwtKey = new random.RandomBytes(`${name}-jwt-secret-key`, { length: c.jwtSecretBytes }, { parent: this });

    const values: Record<SecretKey, pulumi.Input<string>> = {
      databaseUrl: args.databaseUrl,
      jwtSecretKey: jwtKey.hex,
      appInsightsConnectionString: args.appInsightsConnectionString,
    };
    const uris: Partial<Record<SecretKey, pulumi.Output<string>>> = {};
    for (const key of Object.keys(SECRET_NAMES) as SecretKey[]) {
      const secret = new keyvault.Secret(
        `${name}-${SECRET_NAMES[key]}`,
        {
          secretName: SECRET_NAMES[key],
          vaultName: this.vault.name,
          resourceGroupName: args.resourceGroupName,
          properties: { value: pulumi.secret(values[key]), contentType: CONTENT_TYPES[key] },
          tags: args.tags,
        },
        // azure-native creates secrets through ARM but deletes them through the Key Vault data plane
        // (pulumi-azure-native provider/pkg/resources/customresources/custom_keyvault.go; pulumi-azure-native#2374),
        // which the deploy identity has no role for and prod's closed network cannot reach: a removed or renamed
        // secret, or `pulumi destroy`, would fail with 403. The vault's own (ARM) deletion takes the secrets. Only
        // the secrets: on the component it would be inherited by the vault, which destroy must delete.
        { parent: this, retainOnDelete: true },
      );
      uris[key] = secret.properties.apply((p) => p.secretUri);
    }
    this.secretUris = uris as Record<SecretKey, pulumi.Output<string>>;
    this.vaultName = this.vault.name;
    this.vaultUri = this.vault.properties.apply((p) => p.vaultUri ?? "");

    this.registerOutputs({ vaultName: this.vaultName, vaultUri: this.vaultUri, secretUris: this.secretUris });
  }
}
