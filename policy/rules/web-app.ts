/**
 * App Service sites: transport, publishing, identity, health, CORS and VNet routing. Every rule holds for a web app
 * and for each of its deployment slots (a slot is a full site with its own config, identity and publishing
 * endpoints).
 */
import { at, azureName, dependsOn, ofType, type PolicyResource, refersTo, type Rule, T, when } from "../model";
import { apiSettings, SETTINGS_CARRIERS, SITE_TYPES } from "./app-settings";

/** The FTP/SCM basic-auth policy resources of a site: WebAppFtpAllowed for a web app, WebAppFtpAllowedSlot for a slot. */
const PUBLISHING = [
  { label: "FTP", site: T.ftpAllowed, slot: T.ftpAllowedSlot, cls: "web.WebAppFtpAllowed" },
  { label: "SCM", site: T.scmAllowed, slot: T.scmAllowedSlot, cls: "web.WebAppScmAllowed" },
];

/** Whether a publishing policy governs `site`: same app name (and slot, for a slot), or linked by dependency. */
function governs(policy: PolicyResource, site: PolicyResource): boolean {
  if (site.type === T.webApp) return refersTo(policy, "name", site);
  return dependsOn(policy, "slot", site) || (policy.props.name === site.props.name && policy.props.slot === site.props.slot);
}

/** App Service's minTlsVersion / scmMinTlsVersion values that mean TLS 1.2 or newer. */
const TLS_1_2_OR_NEWER = ["1.2", "1.3"];

/** The check that `siteConfig.<field>` (the site's or its SCM endpoint's minimum TLS) is 1.2 or newer. */
const requiresTls12 =
  (field: "minTlsVersion" | "scmMinTlsVersion", problem: string): Rule["check"] =>
  (props) => {
    const tls = at(props, `siteConfig.${field}`);
    return when(!TLS_1_2_OR_NEWER.includes(tls), problem, tls, `set siteConfig.${field}: "1.2"`);
  };

export const webAppRules: Rule[] = [
  {
    name: "webapp-https-only",
    description: "Web apps redirect HTTP to HTTPS.",
    source: ["CKV_AZURE_14", "AVD-AZU-0072", "AzPol a4af4a39 (MCSB)"],
    severity: "high",
    resourceTypes: SITE_TYPES,
    scope: "resource",
    check: (props) => when(props.httpsOnly !== true, "accepts plain HTTP", props.httpsOnly, "set httpsOnly: true"),
  },
  {
    name: "webapp-min-tls-1-2",
    description: "Web apps accept TLS 1.2 or newer only (set explicitly).",
    source: ["CKV_AZURE_15", "AVD-AZU-0006", "AzPol f0e6e85b (MCSB)"],
    severity: "high",
    resourceTypes: SITE_TYPES,
    scope: "resource",
    check: requiresTls12("minTlsVersion", "does not require TLS 1.2 or newer"),
  },
  {
    name: "webapp-ftps-disabled",
    description: "Web apps have FTP and FTPS deployment off.",
    source: ["CKV_AZURE_78", "AVD-AZU-0071", "AzPol 4d24b6d4 (MCSB)"],
    severity: "medium",
    resourceTypes: SITE_TYPES,
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
    resourceTypes: SITE_TYPES,
    scope: "stack",
    check: (_props, ctx) =>
      PUBLISHING.flatMap(({ label, site, slot, cls }) => {
        const isSlot = ctx.resource.type === T.webAppSlot;
        const policy = ofType(ctx.resources, isSlot ? slot : site).find((p) => governs(p, ctx.resource));
        const fix = isSlot ? `add a ${cls}Slot {name: <app>, slot: <slot>, allow: false}` : `add a ${cls} {name: <app>, allow: false}`;
        return when(policy?.props.allow !== false, `allows basic-auth ${label} publishing`, policy?.props.allow, fix);
      }),
  },
  {
    name: "webapp-managed-identity",
    description: "Web apps have a managed identity (used for Key Vault references).",
    source: ["CKV_AZURE_16", "CKV_AZURE_71", "AVD-AZU-0002", "AzPol 2b9ad585 (MCSB)"],
    severity: "high",
    resourceTypes: SITE_TYPES,
    scope: "resource",
    check: (props) => {
      const type = at(props, "identity.type");
      const ok =
        (typeof type === "string" && type.includes("SystemAssigned")) ||
        (type === "UserAssigned" && Object.keys(at(props, "identity.userAssignedIdentities") ?? {}).length > 0);
      return when(!ok, "has no managed identity", type, 'set identity: {type: "UserAssigned", userAssignedIdentities: [<identity>.id]} with keyVaultReferenceIdentity: <identity>.id (the app\'s own), or {type: "SystemAssigned"}');
    },
  },
  {
    name: "webapp-http2",
    description: "Web apps serve HTTP/2.",
    source: ["CKV_AZURE_18", "AVD-AZU-0005", "AzPol 8c122334"],
    severity: "low",
    resourceTypes: SITE_TYPES,
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
    resourceTypes: SITE_TYPES,
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
    resourceTypes: SITE_TYPES,
    scope: "resource",
    check: (props) => {
      const path = at(props, "siteConfig.healthCheckPath");
      return when(!(typeof path === "string" && path.startsWith("/")), "has no health check path", path, 'set siteConfig.healthCheckPath (e.g. "/health")');
    },
  },
  {
    name: "webapp-scm-min-tls-1-2",
    description: "The SCM (Kudu) site of a web app accepts TLS 1.2 or newer only (siteConfig.scmMinTlsVersion, set explicitly).",
    source: ["MCSB DP-3", "CKV_AZURE_15 (intent: the SCM endpoint is a second TLS endpoint)"],
    severity: "high",
    resourceTypes: SITE_TYPES,
    scope: "resource",
    check: requiresTls12("scmMinTlsVersion", "lets its SCM site accept TLS older than 1.2"),
  },
  {
    name: "webapp-cors-no-wildcard",
    description: "No CORS origin is `*`: neither App Service CORS (siteConfig.cors.allowedOrigins) nor the API's own ALLOWED_ORIGINS.",
    source: ["CKV_AZURE_57", "AzPol 5744710e (MCSB)"],
    severity: "high",
    resourceTypes: SETTINGS_CARRIERS,
    scope: "resource",
    check: (props, ctx) => {
      const platform = at(props, "siteConfig.cors.allowedOrigins");
      const own = apiSettings(props, ctx.resource.type)?.get("ALLOWED_ORIGINS");
      return [
        ...when(Array.isArray(platform) && platform.includes("*"), "lets every origin call it through App Service CORS", platform, "list the frontends' origins in siteConfig.cors.allowedOrigins, never *"),
        ...when(own?.split(",").some((o) => o.trim() === "*") === true, "lets every origin call it through ALLOWED_ORIGINS", own, "list the frontends' https:// origins in app.allowedOrigins"),
      ];
    },
  },
  {
    name: "webapp-vnet-route-all",
    description: "When a vault in the stack is private, web apps join a subnet and route all outbound traffic through it.",
    source: ["AzPol a691eacb", "AzPol 72d04c29"],
    severity: "high",
    resourceTypes: SITE_TYPES,
    scope: "stack",
    check: (props, ctx) => {
      const privateVault = ofType(ctx.resources, T.vault).find((v) => at(v.props, "properties.publicNetworkAccess") === "Disabled");
      if (!privateVault) return [];
      // Web API 2025-05-01 (azure-native 3.28) reads outboundVnetRouting; older v3 builds vnetRouteAllEnabled.
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
