import * as keyvault from "@pulumi/azure-native/keyvault";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { settingSecretName } from "../config/settings";
import type { KeyVaultConfig } from "../config/schema";
import type { AzurePlacement } from "./azure-placement";
import { jwtKeySlots } from "./secret-rotation";

/** The spec's secret names (its SecretsManager reads these), and the fallback key's beside them. */
export const SECRET_NAMES = {
  databaseUrl: "postgresql-connection-string",
  jwtSecretKey: "jwt-secret-key",
  jwtSecretKeyFallbacks: "jwt-secret-key-fallbacks",
  appInsightsConnectionString: "app-insights-connection-string",
} as const;
export type SecretKey = keyof typeof SECRET_NAMES;

/** The app setting that references each of the program's secrets. */
export const SECRET_SETTINGS: Readonly<Record<string, SecretKey>> = {
  DATABASE_URL: "databaseUrl",
  SECRET_KEY: "jwtSecretKey",
  SECRET_KEY_FALLBACKS: "jwtSecretKeyFallbacks",
  TELEMETRY_APP_INSIGHTS_CONNECTION_STRING: "appInsightsConnectionString",
};

/** Content types (CKV_AZURE_114, AVD-AZU-0015): say what each value is. */
const CONTENT_TYPES: Record<SecretKey, string> = {
  databaseUrl: "text/plain; postgresql+asyncpg URL",
  jwtSecretKey: "text/plain; hex-encoded key",
  jwtSecretKeyFallbacks: "text/plain; hex-encoded key (the previous SECRET_KEY)",
  appInsightsConnectionString: "text/plain; Application Insights connection string",
};

/** One secret the app reads through a Key Vault reference. */
export interface SecretReference {
  /** The app setting whose value is the reference. */
  setting: string;
  secretName: string;
  /** Role assignment scope: the secret itself (`<vault id>/secrets/<name>`). */
  scope: pulumi.Output<string>;
  /** Versionless data-plane URI: the reference follows the newest version. */
  uri: pulumi.Output<string>;
  /** The current version's URI: a new value is a new version (components/app-service.ts digests these). */
  uriWithVersion: pulumi.Output<string>;
  /** The Secret resource (a grant on it waits for it). */
  resource: pulumi.Resource;
}

export interface KeyVaultArgs extends AzurePlacement {
  /** The validated `keyVault` block (name and network access derived). */
  config: KeyVaultConfig;
  /** Tenant of the deploying identity (client config). */
  tenantId: pulumi.Input<string>;
  /** Pulumi `protect` on the vault. */
  protect: boolean;
  appInsightsConnectionString: pulumi.Input<string>;
  /** Secure `app.settings` values, by setting name: each becomes secret `app-setting-<name>` (secret inputs). */
  settingSecrets?: Record<string, pulumi.Input<string>>;
}

/**
 * Key Vault (RBAC permission model, soft delete, purge protection from config) holding the app's secrets: the spec's
 * three, the previous JWT key, and every secure `app.settings` value. Only URIs leave this component; the values stay
 * secret inputs of the Secret resources.
 */
export class KeyVault extends pulumi.ComponentResource {
  readonly vault: keyvault.Vault;
  readonly vaultName: pulumi.Output<string>;
  readonly vaultUri: pulumi.Output<string>;
  /** Every secret the app reads, with the setting that references it, except DATABASE_URL (addDatabaseUrl). */
  readonly references: SecretReference[];
  private readonly baseName: string;
  private readonly resourceGroupName: pulumi.Input<string>;
  private readonly tags: AzurePlacement["tags"];

  constructor(name: string, args: KeyVaultArgs, opts?: pulumi.ComponentResourceOptions) {
    super("amplifier:security:KeyVault", name, {}, opts);
    this.baseName = name;
    this.resourceGroupName = args.resourceGroupName;
    this.tags = args.tags;
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
          // RBAC instead of access policies (AzPol 12d4fa5e): the app gets a role on each secret it reads.
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

    // Two JWT key slots (components/secret-rotation.ts): >= 32 random bytes as hex each (spec: `openssl rand -hex
    // 32`); RandomBytes keeps `hex` secret in state. Only the slot a rotation moves to gets a new key.
    const { slots, current, previous } = jwtKeySlots(c.secretKeyGeneration);
    const keys = slots.map(
      (slot) =>
        new random.RandomBytes(
          `${name}-jwt-secret-key-slot-${slot.index}`,
          { length: c.jwtSecretBytes, ...(slot.keepers ? { keepers: slot.keepers } : {}) },
          // Slot 1 holds generation 1, the key every stack had before rotation existed, under this name.
          { parent: this, aliases: slot.index === 1 ? [{ name: `${name}-jwt-secret-key` }] : [] },
        ),
    );

    const values: Record<Exclude<SecretKey, "databaseUrl">, pulumi.Input<string>> = {
      jwtSecretKey: keys[current].hex,
      jwtSecretKeyFallbacks: keys[previous].hex,
      appInsightsConnectionString: args.appInsightsConnectionString,
    };
    this.references = [
      ...Object.entries(SECRET_SETTINGS)
        .filter(([, key]) => key !== "databaseUrl")
        .map(([setting, key]) => this.secret(setting, SECRET_NAMES[key], values[key as keyof typeof values], CONTENT_TYPES[key])),
      ...Object.entries(args.settingSecrets ?? {}).map(([setting, value]) => this.secret(setting, settingSecretName(setting), value, `text/plain; app setting ${setting}`)),
    ];
    this.vaultName = this.vault.name;
    this.vaultUri = this.vault.properties.apply((p) => p.vaultUri ?? "");

    this.registerOutputs({ vaultName: this.vaultName, vaultUri: this.vaultUri });
  }

  /**
   * The database tier's DATABASE_URL (secret `postgresql-connection-string`), written only after `after`: on Azure the
   * bootstrap run that creates the role the URL names. A stack cut over from the spec's admin URL keeps the old value
   * (and the app on it) until the run has succeeded; a failed run leaves the vault as it was. `parent`: the component
   * that writes it (the database bootstrap, inside the app; as a child of this vault, the vault would wait for the app
   * and the app for the vault). The alias keeps the URN it had as this vault's child, so an existing stack keeps the
   * secret (https://www.pulumi.com/docs/iac/concepts/resources/options/aliases/).
   */
  addDatabaseUrl(value: pulumi.Input<string>, writer: { parent: pulumi.Resource; after: pulumi.Resource[] }): SecretReference {
    return this.secret("DATABASE_URL", SECRET_NAMES.databaseUrl, value, CONTENT_TYPES.databaseUrl, {
      parent: writer.parent,
      dependsOn: writer.after,
      aliases: [{ parent: this }],
    });
  }

  private secret(setting: string, secretName: string, value: pulumi.Input<string>, contentType: string, opts: pulumi.CustomResourceOptions = {}): SecretReference {
    const secret = new keyvault.Secret(
      `${this.baseName}-${secretName}`,
      {
        secretName,
        vaultName: this.vault.name,
        resourceGroupName: this.resourceGroupName,
        properties: { value: pulumi.secret(value), contentType },
        tags: this.tags,
      },
      // azure-native creates secrets through ARM but deletes them through the Key Vault data plane
      // (pulumi-azure-native provider/pkg/resources/customresources/custom_keyvault.go; pulumi-azure-native#2374),
      // which the deploy identity has no role for and prod's closed network cannot reach: a removed or renamed
      // secret, or `pulumi destroy`, would fail with 403. The vault's own (ARM) deletion takes the secrets. Only
      // the secrets: on the component it would be inherited by the vault, which destroy must delete.
      { parent: this, ...opts, retainOnDelete: true },
    );
    // A secret's URIs are not secret, but the engine marks the whole `properties` output secret because an input
    // inside it is (pulumi/pulumi#13260): unwrap them so settings built from them stay readable in a preview.
    const uris = pulumi.unsecret(secret.properties.apply((p) => ({ uri: p.secretUri ?? "", withVersion: p.secretUriWithVersion ?? "" })));
    return {
      setting,
      secretName,
      // A role on one secret (Microsoft Learn, "Provide access to Key Vault keys, certificates, and secrets with
      // Azure role-based access control": secret scope role assignment), ARM id `<vault id>/secrets/<name>`. From
      // both the vault and the secret, so the policy pack sees which secret of which vault it is even in a
      // preview of a new stack, before either id is known.
      scope: pulumi.all([this.vault.id, secret.id]).apply(([vaultId]) => `${vaultId}/secrets/${secretName}`),
      uri: uris.apply((u) => u.uri),
      uriWithVersion: uris.apply((u) => u.withVersion),
      resource: secret,
    };
  }
}

/** References in the order the web app lists them: the program's own secrets as SECRET_SETTINGS orders them, then the rest. */
export function inSettingOrder(refs: readonly SecretReference[]): SecretReference[] {
  const order = Object.keys(SECRET_SETTINGS);
  const rank = (r: SecretReference) => (order.includes(r.setting) ? order.indexOf(r.setting) : order.length);
  return refs.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map(({ r }) => r);
}
