/**
 * The settings that matter, per resource type: one table keyed by type token. Extractors read the masked inputs
 * (see secrets.ts), so a secret can only ever print as `[secret]`. A type without an entry still prints (type and
 * name); add a row here when a component starts using a new type.
 */
import type { RegisteredResource } from "../mock-runtime";
import { KEY_VAULT_SECRETS_USER, WEBSITE_CONTRIBUTOR } from "../policy/rules";
import { MASK } from "./secrets";

export type Setting = [key: string, value: string];

export interface SettingsContext {
  /** A readable name for an Azure resource id or URN made in this run (`Server amplifier-db-prod`), else the id shortened. */
  ref(id: unknown): string;
}

type Extractor = (inputs: Record<string, any>, ctx: SettingsContext) => Array<Setting | undefined | false>;

/** Well-known Azure built-in role definition GUIDs (Microsoft Learn, "Azure built-in roles"). */
export const BUILT_IN_ROLES: Record<string, string> = {
  [KEY_VAULT_SECRETS_USER]: "Key Vault Secrets User",
  [WEBSITE_CONTRIBUTOR]: "Website Contributor",
  "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
  "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
  "21090545-7ca7-4776-b22c-e363652d74d2": "Key Vault Reader",
  "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
  "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
};

const show = (v: unknown): string | undefined => {
  if (v === undefined || v === null || v === "") return undefined;
  if (Array.isArray(v)) return v.length ? v.map((x) => show(x) ?? "").join(", ") : undefined;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
};
const set = (key: string, v: unknown): Setting | undefined => {
  const s = show(v);
  return s === undefined ? undefined : [key, s];
};
/** The database bootstrap run (components/bootstrap-run.ts): who runs what, where, when it runs again. */
function bootstrapRun(i: Record<string, any>, ctx: SettingsContext): Array<Setting | undefined> {
  const container = i.group?.properties?.containers?.[0]?.properties ?? {};
  const env = Object.fromEntries(((container.environmentVariables ?? []) as { name: string; value: string }[]).map((e) => [e.name, e.value]));
  const steps = ((): { database: string; sql: string }[] => {
    try {
      return JSON.parse(Buffer.from(String(env.BOOTSTRAP_STEPS ?? ""), "base64").toString("utf8"));
    } catch {
      return [];
    }
  })();
  const mapped = /with_oid\('([^']+)', '([^']+)'/.exec(steps[0]?.sql ?? "");
  const subnet = i.group?.properties?.subnetIds?.[0]?.id;
  return [
    set("runs as", env.PGUSER && `${env.PGUSER} (Entra administrator)`),
    set("creates", mapped && `role ${mapped[1]} for ${ctx.ref(mapped[2])}; init SQL; grants`),
    set("where", subnet ? `container in ${ctx.ref(subnet)}` : "container on Azure's network (AllowAzureServices)"),
    set("image", container.image),
    set("runs again", "when the SQL, the runner, the identities or the server change"),
    set("DATABASE_URL", mapped && `as ${mapped[1]}, no password: departs from the spec on purpose`),
  ];
}

const onOff = (v: unknown): string | undefined => (v === undefined ? undefined : v ? "on" : "off");

export function roleName(roleDefinitionId: unknown): string | undefined {
  if (typeof roleDefinitionId !== "string") return undefined;
  const guid = roleDefinitionId.split("/").pop()?.toLowerCase() ?? "";
  return BUILT_IN_ROLES[guid] ? `${BUILT_IN_ROLES[guid]}` : undefined;
}

/** App settings: names always; values only as a Key Vault reference or `[secret]`; other values shown as given. */
function appSettings(list: unknown): string | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  return list
    .map((s: { name?: string; value?: unknown }) => {
      const value = typeof s.value === "string" ? s.value : "";
      const kv = /^@Microsoft\.KeyVault\((.*)\)$/.exec(value);
      if (kv) {
        const name = /SecretName=([^;)]+)/.exec(kv[1])?.[1] ?? /\/secrets\/([^/;)]+)/.exec(kv[1])?.[1];
        return `${s.name}=@KeyVault(${name ?? "…"})`;
      }
      return `${s.name}=${value.includes(MASK) ? MASK : value}`;
    })
    .join(", ");
}

const docker: Record<string, Extractor> = {
  "docker:index/container:Container": (i) => [
    set("name", i.name),
    set("ports", (i.ports ?? []).map((p: any) => `${p.ip ?? "0.0.0.0"}:${p.external}->${p.internal}`)),
    set("env", (i.envs ?? []).map((e: string) => e)),
    set("volumes", (i.volumes ?? []).map((v: any) => `${v.volumeName ?? v.hostPath}:${v.containerPath}`)),
    set("uploads", (i.uploads ?? []).map((u: any) => u.file)),
    set("healthcheck", i.healthcheck ? `${(i.healthcheck.tests ?? []).slice(1).join(" ")} every ${i.healthcheck.interval} (timeout ${i.healthcheck.timeout}, ${i.healthcheck.retries} retries)` : undefined),
    set("restart", i.restart),
    set("wait healthy", i.wait ? `yes (${i.waitTimeout ?? 60}s)` : undefined),
    set("networks", (i.networksAdvanced ?? []).map((n: any) => n.name)),
  ],
  "docker:index/volume:Volume": (i) => [set("name", i.name)],
  "docker:index/remoteImage:RemoteImage": (i) => [set("image", i.name), set("keep locally", i.keepLocally ? "yes" : undefined)],
  "docker:index/network:Network": (i) => [set("name", i.name), set("internal", onOff(i.internal))],
  "docker:index/image:Image": (i) => [set("image", i.imageName), set("context", i.build?.context), set("push", i.skipPush ? "no" : "yes")],
};

const database: Record<string, Extractor> = {
  "azure-native:resources:ResourceGroup": (i) => [set("name", i.resourceGroupName), set("location", i.location)],
  "azure-native:dbforpostgresql:Server": (i, ctx) => [
    set("name", i.serverName),
    set("version", i.version && `PostgreSQL ${i.version}`),
    set("sku", i.sku && `${i.sku.name} (${i.sku.tier})`),
    set("HA", i.highAvailability?.mode),
    set("storage", i.storage && `${i.storage.storageSizeGB} GiB, autogrow ${i.storage.autoGrow ?? "default"}`),
    set("backups", i.backup && `${i.backup.backupRetentionDays} days, geo-redundant ${i.backup.geoRedundantBackup ?? "Disabled"}`),
    set("public access", i.network?.publicNetworkAccess),
    set("admin", i.administratorLogin),
    set("password", i.administratorLoginPassword !== undefined ? MASK : undefined),
    set("auth", i.authConfig && `password ${i.authConfig.passwordAuth}, Entra ${i.authConfig.activeDirectoryAuth}`),
    // Create-only (postgres.restore): what the new server starts from; its database is adopted, not created.
    set("restore", i.createMode && `${i.createMode} of ${ctx.ref(i.sourceServerResourceId)} at ${i.pointInTimeUTC}`),
  ],
  "azure-native:dbforpostgresql:Database": (i) => [set("name", i.databaseName), set("charset", i.charset), set("collation", i.collation)],
  "azure-native:dbforpostgresql:Configuration": (i) => [set(String(i.configurationName), i.value)],
  "azure-native:dbforpostgresql:FirewallRule": (i) => [set("rule", i.firewallRuleName), set("range", `${i.startIpAddress}-${i.endIpAddress}`)],
  "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra": (i) => [
    set("principal", i.principalName ?? i.objectId),
    set("type", i.principalType),
    set("object id", i.objectId),
  ],
  "pulumi-nodejs:dynamic/amplifier:Settle": (i, ctx) => [set("waits", `${i.seconds}s after ${ctx.ref(i.targetId)} is created`)],
  "pulumi-nodejs:dynamic/amplifier:BootstrapRun": (i, ctx) => bootstrapRun(i, ctx),
  "random:index/randomPassword:RandomPassword": (i) => [
    set("length", i.length),
    set("special", i.special === false ? "no" : "yes"),
    // A new generation (postgres.adminPasswordGeneration) changes the keepers: a new value.
    set("generation", i.keepers?.generation),
    ["value", MASK],
  ],
  "random:index/randomBytes:RandomBytes": (i) => [set("bytes", i.length), set("generation", i.keepers?.generation), ["value", MASK]],
};

const keyVaultAndApp: Record<string, Extractor> = {
  "azure-native:keyvault:Vault": (i) => {
    const p = i.properties ?? {};
    return [
      set("name", i.vaultName),
      set("sku", p.sku?.name),
      set("RBAC", onOff(p.enableRbacAuthorization)),
      set("soft delete", p.enableSoftDelete === undefined ? undefined : `${onOff(p.enableSoftDelete)}, ${p.softDeleteRetentionInDays ?? 90} days`),
      set("purge protection", onOff(p.enablePurgeProtection)),
      set("public access", p.publicNetworkAccess),
      set("network default", p.networkAcls?.defaultAction),
    ];
  },
  "azure-native:keyvault:Secret": (i) => [
    set("name", i.secretName),
    set("content type", i.properties?.contentType),
    ["value", MASK],
  ],
  "azure-native:web:AppServicePlan": (i) => [
    set("name", i.name),
    set("sku", i.sku && `${i.sku.name}${i.sku.tier ? ` (${i.sku.tier})` : ""}`),
    set("instances", i.sku?.capacity),
    set("zone redundant", onOff(i.zoneRedundant)),
    set("linux", i.reserved === undefined ? undefined : onOff(i.reserved)),
  ],
  "azure-native:web:WebApp": (i, ctx) => {
    const sc = i.siteConfig ?? {};
    return [
      set("name", i.name),
      set("plan", i.serverFarmId && ctx.ref(i.serverFarmId)),
      set("https only", onOff(i.httpsOnly)),
      set("identity", i.identity && `${i.identity.type}${i.identity.userAssignedIdentities?.length ? ` (${i.identity.userAssignedIdentities.map((id: unknown) => ctx.ref(id)).join(", ")})` : ""}`),
      set("Key Vault references as", i.keyVaultReferenceIdentity && ctx.ref(i.keyVaultReferenceIdentity)),
      set("runtime", sc.linuxFxVersion),
      set("TLS min", sc.minTlsVersion),
      set("FTPS", sc.ftpsState),
      set("HTTP/2", onOff(sc.http20Enabled)),
      set("always on", onOff(sc.alwaysOn)),
      set("health check", sc.healthCheckPath),
      set("VNet subnet", i.virtualNetworkSubnetId && ctx.ref(i.virtualNetworkSubnetId)),
      set("route all via VNet", onOff(i.outboundVnetRouting?.allTraffic ?? sc.vnetRouteAllEnabled ?? i.vnetRouteAllEnabled)),
      set("public access", i.publicNetworkAccess),
      set("app settings", appSettings(sc.appSettings)),
    ];
  },
  "azure-native:managedidentity:UserAssignedIdentity": (i) => [set("name", i.resourceName)],
  // Who may sign in as the identity: the exact subject Entra compares (a repository's GitHub environment).
  "azure-native:managedidentity:FederatedIdentityCredential": (i) => [
    set("name", i.federatedIdentityCredentialResourceName),
    set("trusts", i.subject),
    set("issuer", i.issuer),
    set("audience", i.audiences),
  ],
  "azure-native:web:WebAppFtpAllowed": (i) => [set("FTP basic auth", onOff(i.allow))],
  "azure-native:web:WebAppScmAllowed": (i) => [set("SCM basic auth", onOff(i.allow))],
  "azure-native:authorization:RoleAssignment": (i, ctx) => [
    set("role", roleName(i.roleDefinitionId) ?? i.roleDefinitionId),
    set("principal", i.principalId && `${ctx.ref(i.principalId)}${i.principalType ? ` (${i.principalType})` : ""}`),
    set("scope", i.scope && ctx.ref(i.scope)),
  ],
  "azure-native:authorization:ManagementLockByScope": (i, ctx) => [set("lock", i.level), set("scope", i.scope && ctx.ref(i.scope)), set("notes", i.notes)],
  "azure-native:authorization:ManagementLockAtResourceLevel": (i) => [
    set("lock", i.level),
    set("scope", [i.resourceProviderNamespace, i.resourceType, i.resourceName].filter(Boolean).join("/")),
    set("notes", i.notes),
  ],
};

const networkAndMonitoring: Record<string, Extractor> = {
  "azure-native:network:VirtualNetwork": (i) => [set("name", i.virtualNetworkName), set("address space", i.addressSpace?.addressPrefixes)],
  "azure-native:network:Subnet": (i) => [
    set("name", i.subnetName),
    set("prefix", i.addressPrefix ?? i.addressPrefixes),
    set("delegation", (i.delegations ?? []).map((d: any) => d.serviceName)),
    set("private endpoint policies", i.privateEndpointNetworkPolicies),
  ],
  "azure-native:network:PrivateEndpoint": (i, ctx) => {
    const conns = [...(i.privateLinkServiceConnections ?? []), ...(i.manualPrivateLinkServiceConnections ?? [])];
    return [
      set("name", i.privateEndpointName),
      set("target", conns.map((c: any) => ctx.ref(c.privateLinkServiceId))),
      set("group ids", conns.flatMap((c: any) => c.groupIds ?? [])),
      set("subnet", i.subnet?.id && ctx.ref(i.subnet.id)),
    ];
  },
  "azure-native:network:PrivateDnsZoneGroup": (i, ctx) => [
    set("zones", (i.privateDnsZoneConfigs ?? []).map((c: any) => ctx.ref(c.privateDnsZoneId))),
  ],
  "azure-native:privatedns:PrivateZone": (i) => [set("zone", i.privateZoneName)],
  "azure-native:privatedns:VirtualNetworkLink": (i, ctx) => [
    set("zone", i.privateZoneName),
    set("vnet", i.virtualNetwork?.id && ctx.ref(i.virtualNetwork.id)),
    set("auto-registration", onOff(i.registrationEnabled)),
  ],
  "azure-native:storage:StorageAccount": (i) => [
    set("name", i.accountName),
    set("sku", i.sku?.name),
    set("kind", i.kind),
    set("TLS min", i.minimumTlsVersion),
    set("https only", onOff(i.enableHttpsTrafficOnly)),
    set("public blob access", onOff(i.allowBlobPublicAccess)),
    set("shared key", onOff(i.allowSharedKeyAccess)),
    set("public access", i.publicNetworkAccess),
  ],
  "azure-native:storage:FileShare": (i) => [set("name", i.shareName), set("quota", i.shareQuota && `${i.shareQuota} GiB`), set("protocol", i.enabledProtocols)],
  "azure-native:operationalinsights:Workspace": (i) => [set("name", i.workspaceName), set("sku", i.sku?.name), set("retention", i.retentionInDays && `${i.retentionInDays} days`), set("daily cap", i.workspaceCapping?.dailyQuotaGb && `${i.workspaceCapping.dailyQuotaGb} GB`)],
  "azure-native:applicationinsights:Component": (i, ctx) => [
    set("name", i.resourceName),
    set("kind", i.applicationType ?? i.kind),
    set("workspace", i.workspaceResourceId && ctx.ref(i.workspaceResourceId)),
    set("sampling", i.samplingPercentage && `${i.samplingPercentage}%`),
    set("retention", i.retentionInDays && `${i.retentionInDays} days`),
  ],
  "azure-native:monitor:ActionGroup": (i) => [
    set("name", i.actionGroupName),
    set("short name", i.groupShortName),
    // The addresses, not the receivers' names: a reviewer must see who is alerted (a placeholder shows here).
    set("email", (i.emailReceivers ?? []).map((r: any) => r.emailAddress ?? r.name)),
    set("enabled", onOff(i.enabled)),
  ],
  "azure-native:monitor:MetricAlert": (i, ctx) => {
    const criteria = i.criteria?.allOf ?? [];
    return [
      set("name", i.ruleName),
      set("targets", (i.scopes ?? []).map((s: string) => ctx.ref(s))),
      set("when", criteria.map((c: any) => `${c.timeAggregation ?? ""} ${c.metricName} ${c.operator ?? ""} ${c.threshold ?? "(dynamic)"}`.replace(/\s+/g, " ").trim())),
      set("severity", i.severity),
      set("window", i.windowSize && `${i.windowSize} every ${i.evaluationFrequency ?? "?"}`),
      set("notify", (i.actions ?? []).map((a: any) => ctx.ref(a.actionGroupId))),
    ];
  },
  "azure-native:monitor:DiagnosticSetting": (i, ctx) => [
    set("source", i.resourceUri && ctx.ref(i.resourceUri)),
    set("to", i.workspaceId && ctx.ref(i.workspaceId)),
    set("logs", (i.logs ?? []).filter((l: any) => l.enabled !== false).map((l: any) => l.categoryGroup ?? l.category)),
    set("metrics", (i.metrics ?? []).filter((m: any) => m.enabled !== false).map((m: any) => m.category)),
  ],
};

export const SETTINGS: Record<string, Extractor> = { ...docker, ...database, ...keyVaultAndApp, ...networkAndMonitoring };

/** The settings that matter for one (masked) resource; none for an unknown type. */
export function settingsOf(r: RegisteredResource, ctx: SettingsContext): Setting[] {
  const extract = SETTINGS[r.type];
  // Pulumi's `import` option: the resource exists already and is adopted (a restored server's database).
  const adopted: Setting[] = r.options.importId ? [["adopts (import)", ctx.ref(r.options.importId)]] : [];
  if (!extract) return adopted;
  return [...extract(r.inputs ?? {}, ctx).filter((s): s is Setting => Boolean(s)), ...adopted];
}
