import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";
import type { StorageConfig } from "../config/schema";
import type { AzurePlacement } from "./azure-placement";

export interface SessionStorageArgs extends AzurePlacement {
  /** The validated `storage` block (account name and network access derived). */
  config: StorageConfig;
  /** Pulumi `protect` on the account and the share (they hold user sessions). */
  protect: boolean;
}

/** Storage account and the Azure Files share the web app mounts for SESSION_STORAGE_PATH. */
export class SessionStorage extends pulumi.ComponentResource {
  readonly account: storage.StorageAccount;
  readonly share: storage.FileShare;
  readonly accountName: pulumi.Output<string>;
  readonly shareName: pulumi.Output<string>;
  /** Account key for the App Service mount (secret). */
  readonly accessKey: pulumi.Output<string>;

  constructor(name: string, args: SessionStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("amplifier:storage:SessionStorage", name, {}, opts);
    const c = args.config;
    const isPrivate = c.publicNetworkAccess === "Disabled";

    this.account = new storage.StorageAccount(
      `${name}-account`,
      {
        accountName: c.accountName,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        kind: "StorageV2",
        sku: { name: c.skuName },
        minimumTlsVersion: "TLS1_2",
        enableHttpsTrafficOnly: true,
        allowBlobPublicAccess: false,
        // The App Service Azure Files mount authenticates with the account key, so shared keys stay on,
        // explicitly and with a SAS expiry policy (Microsoft Learn, "Mount Azure Storage as a local share in App
        // Service": the mount takes the account's access key; Checkov CKV2_AZURE_41).
        allowSharedKeyAccess: true,
        sasPolicy: { sasExpirationPeriod: "1.00:00:00", expirationAction: "Log" },
        allowCrossTenantReplication: false,
        isLocalUserEnabled: false,
        encryption: { keySource: "Microsoft.Storage", requireInfrastructureEncryption: true },
        publicNetworkAccess: c.publicNetworkAccess,
        networkRuleSet: { defaultAction: isPrivate ? "Deny" : "Allow", bypass: "AzureServices" },
        tags: args.tags,
      },
      { parent: this, protect: args.protect },
    );

    this.share = new storage.FileShare(
      `${name}-share`,
      {
        shareName: c.shareName,
        accountName: this.account.name,
        resourceGroupName: args.resourceGroupName,
        shareQuota: c.shareQuotaGb,
        enabledProtocols: "SMB",
      },
      // Deleting or replacing the share deletes the sessions even while the account stays.
      { parent: this, protect: args.protect },
    );

    const keys = storage.listStorageAccountKeysOutput(
      { resourceGroupName: args.resourceGroupName, accountName: this.account.name },
      { parent: this },
    );
    this.accessKey = pulumi.secret(keys.keys.apply((k) => k[0].value));
    this.accountName = this.account.name;
    this.shareName = this.share.name;

    this.registerOutputs({ accountName: this.accountName, shareName: this.shareName });
  }
}
