/** App Service: transport, publishing, identity, health, secrets in app settings and VNet routing. */
import { at, azureName, fail, ofType, refersTo, type Rule, T, when } from "../model";

/**
 * Name tokens that mark a secret, and trailing tokens that mark metadata about one (API_KEY_HEADER, ..._MINUTES,
 * JWT_PUBLIC_KEY_URL: where a public key is published is not a secret; a credential inside a URL is caught by value).
 */
const SECRET_TOKENS = ["PASSWORD", "PASSWD", "PWD", "SECRET", "TOKEN", "KEY", "APIKEY", "CREDENTIALS"];
const METADATA_SUFFIXES = ["HEADER", "NAME", "MINUTES", "SECONDS", "HOURS", "DAYS", "ALGORITHM", "PATH", "ENABLED", "URI_TEMPLATE", "URL", "URI"];

/** Whether an app setting's name says it holds a secret (DATABASE_URL, SECRET_KEY, *_CONNECTION_STRING, ...). */
export function isSecretSettingName(name: string): boolean {
  const upper = name.toUpperCase();
  if (upper === "DATABASE_URL" || upper.endsWith("_DATABASE_URL") || upper.includes("CONNECTION_STRING") || upper.endsWith("CONNSTR")) return true;
  const tokens = upper.split(/[_.-]+/);
  if (METADATA_SUFFIXES.includes(tokens[tokens.length - 1]) || tokens.includes("PUBLIC")) return false;
  return tokens.some((t) => SECRET_TOKENS.includes(t));
}

/** Values that carry a credential whatever the setting is called. */
const SECRET_VALUE = [/:\/\/[^/\s:@]+:[^@\s]+@/, /(AccountKey|SharedAccessKey|InstrumentationKey|Password|Pwd)=/i];
const isKeyVaultReference = (v: string) => /^@Microsoft\.KeyVault\(.+\)$/.test(v.trim());

function appSettingsOf(props: Record<string, any>, type: string): { name: string; value: unknown }[] {
  if (type === T.appSettings) return Object.entries(props.properties ?? {}).map(([name, value]) => ({ name, value }));
  const list = at(props, "siteConfig.appSettings");
  return Array.isArray(list) ? list.map((s: any) => ({ name: String(s?.name), value: s?.value })) : [];
}

export const webAppRules: Rule[] = [
  {
    name: "webapp-https-only",
    description: "Web apps redirect HTTP to HTTPS.",
    source: ["CKV_AZURE_14", "AVD-AZU-0072", "AzPol a4af4a39 (MCSB)"],
    severity: "high",
    resourceTypes: [T.webApp],
    scope: "resource",
    check: (props) => when(props.httpsOnly !== true, "accepts plain HTTP", props.httpsOnly, "set httpsOnly: true"),
  },
  {
    name: "webapp-min-tls-1-2",
    description: "Web apps accept TLS 1.2 or newer only (set explicitly).",
    source: ["CKV_AZURE_15", "AVD-AZU-0006", "AzPol f0e6e85b (MCSB)"],
    severity: "high",
    resourceTypes: [T.webApp],
    scope: "resource",
    check: (props) => {
      const tls = at(props, "siteConfig.minTlsVersion");
      return when(!["1.2", "1.3"].includes(tls), "does not require TLS 1.2 or newer", tls, 'set siteConfig.minTlsVersion: "1.2"');
    },
  },
  {
    name: "webapp-ftps-disabled",
    description: "Web apps have FTP and FTPS deployment off.",
    source: ["CKV_AZURE_78", "AVD-AZU-0071", "AzPol 4d24b6d4 (MCSB)"],
    severity: "medium",
    resourceTypes: [T.webApp],
    scope: "resource",
    check: (props) => {
      const ftps = at(props, "siteConfig.ftpsState");
      return when(ftps !== "Disabled", "allows FTP deployment", ftps, 'set siteConfig.ftpsState: "Disabled"');
    },
  },
  {
    name: "webapp-basic-publishing-credentials-disabled",
    description: "Web apps have basic-auth publishing credentials off for FTP and SCM (deploys use Entra/OIDC).",
    source: ["AzPol 871b205b (MCSBv2)", "AzPol aede300b (MCSBv2)"],
    severity: "medium",
    resourceTypes: [T.webApp],
    scope: "stack",
    check: (_props, ctx) =>
      [
        { type: T.ftpAllowed, label: "FTP", cls: "web.WebAppFtpAllowed" },
        { type: T.scmAllowed, label: "SCM", cls: "web.WebAppScmAllowed" },
      ].flatMap(({ type, label, cls }) => {
        const policy = ofType(ctx.resources, type).find((p) => refersTo(p, "name", ctx.resource));
        return when(policy?.props.allow !== false, `allows basic-auth ${label} publishing`, policy?.props.allow, `add a ${cls} {name: <app>, allow: false}`);
      }),
  },
  {
    name: "webapp-managed-identity",
    description: "Web apps have a managed identity (used for Key Vault references).",
    source: ["CKV_AZURE_16", "CKV_AZURE_71", "AVD-AZU-0002", "AzPol 2b9ad585 (MCSB)"],
    severity: "high",
    resourceTypes: [T.webApp],
    scope: "resource",
    check: (props) => {
      const type = at(props, "identity.type");
      const ok =
        (typeof type === "string" && type.includes("SystemAssigned")) ||
        (type === "UserAssigned" && Object.keys(at(props, "identity.userAssignedIdentities") ?? {}).length > 0);
      return when(!ok, "has no managed identity", type, 'set identity: {type: "SystemAssigned"}');
    },
  },
  {
    name: "webapp-http2",
    description: "Web apps serve HTTP/2.",
    source: ["CKV_AZURE_18", "AVD-AZU-0005", "AzPol 8c122334"],
    severity: "low",
    resourceTypes: [T.webApp],
    scope: "resource",
    check: (props) => {
      const h2 = at(props, "siteConfig.http20Enabled");
      return when(h2 !== true, "does not enable HTTP/2", h2, "set siteConfig.http20Enabled: true");
    },
  },
  {
    name: "webapp-remote-debugging-off",
    description: "Web apps have remote debugging off.",
    source: ["CKV_AZURE_72", "AzPol cb510bfd (MCSB)"],
    severity: "high",
    resourceTypes: [T.webApp],
    scope: "resource",
    check: (props) => {
      const debug = at(props, "siteConfig.remoteDebuggingEnabled");
      return when(debug === true, "has remote debugging on", debug, "remove siteConfig.remoteDebuggingEnabled or set it to false");
    },
  },
  {
    name: "webapp-health-check",
    description: "Web apps have a health check path, so unhealthy instances are replaced.",
    source: ["CKV_AZURE_213"],
    severity: "low",
    resourceTypes: [T.webApp],
    scope: "resource",
    check: (props) => {
      const path = at(props, "siteConfig.healthCheckPath");
      return when(!(typeof path === "string" && path.startsWith("/")), "has no health check path", path, 'set siteConfig.healthCheckPath (e.g. "/health")');
    },
  },
  {
    name: "webapp-no-secret-app-settings",
    description: "App settings hold no secret values: secret-named settings are Key Vault references (spec: Key Vault only).",
    source: ["MCSB IM-8", "MCSB DP-7", "spec: secrets only in Key Vault"],
    severity: "critical",
    resourceTypes: [T.webApp, T.appSettings],
    scope: "resource",
    check: (props, ctx) =>
      appSettingsOf(props, ctx.resource.type).flatMap(({ name, value }) => {
        if (typeof value === "string" && isKeyVaultReference(value)) return [];
        const literal = typeof value === "string" ? `a literal value of ${value.length} characters (not shown)` : value;
        if (isSecretSettingName(name)) {
          return fail(`has app setting ${name} holding a value instead of a Key Vault reference`, literal, `set ${name} to @Microsoft.KeyVault(SecretUri=<secret uri>)`);
        }
        if (typeof value === "string" && SECRET_VALUE.some((re) => re.test(value))) {
          return fail(`has app setting ${name} whose value contains a credential`, literal, `store it in Key Vault and set ${name} to @Microsoft.KeyVault(SecretUri=<secret uri>)`);
        }
        return [];
      }),
  },
  {
    name: "webapp-vnet-route-all",
    description: "When a vault in the stack is private, web apps join a subnet and route all outbound traffic through it.",
    source: ["AzPol a691eacb", "AzPol 72d04c29"],
    severity: "high",
    resourceTypes: [T.webApp],
    scope: "stack",
    check: (props, ctx) => {
      const privateVault = ofType(ctx.resources, T.vault).find((v) => at(v.props, "properties.publicNetworkAccess") === "Disabled");
      if (!privateVault) return [];
      // G9: web API 2025-05-01 (azure-native 3.28) reads outboundVnetRouting; older v3 builds vnetRouteAllEnabled.
      const routeAll =
        at(props, "outboundVnetRouting.allTraffic") === true || props.vnetRouteAllEnabled === true || at(props, "siteConfig.vnetRouteAllEnabled") === true;
      const subnet = props.virtualNetworkSubnetId;
      const vault = azureName(privateVault) ?? privateVault.name;
      return [
        ...when(!subnet, `has no VNet integration although vault ${vault} is private`, subnet, "set virtualNetworkSubnetId to the integration subnet (delegated to Microsoft.Web/serverFarms)"),
        ...when(!routeAll, `does not route all outbound traffic through the VNet although vault ${vault} is private`, at(props, "outboundVnetRouting"), "set outboundVnetRouting: {allTraffic: true}"),
      ];
    },
  },
];
