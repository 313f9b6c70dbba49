/** Key Vault (inputs keep ARM's `properties` object): permission model, recovery, network and secrets. */
import { at, type Rule, T, when } from "../model";

export const keyVaultRules: Rule[] = [
  {
    name: "keyvault-rbac-authorization",
    description: "Key Vault uses the Azure RBAC permission model, not access policies.",
    source: ["AzPol 12d4fa5e (MCSB)"],
    severity: "high",
    resourceTypes: [T.vault],
    scope: "resource",
    check: (props) => {
      const rbac = at(props, "properties.enableRbacAuthorization");
      const policies = at(props, "properties.accessPolicies");
      return [
        ...when(rbac !== true, "does not use RBAC authorization", rbac, "set properties.enableRbacAuthorization: true"),
        ...when(Array.isArray(policies) && policies.length > 0, "has access policies", `${policies?.length} access policies`, "remove accessPolicies; grant roles with authorization.RoleAssignment"),
      ];
    },
  },
  {
    name: "keyvault-soft-delete",
    description: "Key Vault soft delete is set explicitly with a retention of 7-90 days.",
    source: ["CKV_AZURE_111", "CKV_AZURE_42", "AVD-AZU-0016", "AzPol 1e66c121"],
    severity: "high",
    resourceTypes: [T.vault],
    scope: "resource",
    check: (props) => {
      const soft = at(props, "properties.enableSoftDelete");
      const days = at(props, "properties.softDeleteRetentionInDays");
      return [
        ...when(soft !== true, "does not set soft delete explicitly", soft, "set properties.enableSoftDelete: true"),
        ...when(!(typeof days === "number" && days >= 7 && days <= 90), "has no explicit soft-delete retention of 7-90 days", days, "set properties.softDeleteRetentionInDays to 7-90 (e.g. 90)"),
      ];
    },
  },
  {
    name: "keyvault-purge-protection",
    description: "Key Vault purge protection is on, so deleted secrets cannot be purged before retention ends.",
    source: ["CKV_AZURE_110", "CKV_AZURE_42", "AVD-AZU-0016", "AzPol 0b60c0b2 (MCSB)"],
    severity: "medium",
    resourceTypes: [T.vault],
    scope: "resource",
    check: (props) => {
      const purge = at(props, "properties.enablePurgeProtection");
      return when(purge !== true, "has purge protection off", purge, "set properties.enablePurgeProtection: true (irreversible)");
    },
  },
  {
    name: "keyvault-purge-protection-not-false",
    description: "Key Vault never sets enablePurgeProtection: false (ARM rejects it); it omits the property where off.",
    source: ["Azure/azure-rest-api-specs#18106"],
    severity: "high",
    resourceTypes: [T.vault],
    scope: "resource",
    check: (props) => {
      const purge = at(props, "properties.enablePurgeProtection");
      return when(purge === false, "sets purge protection to false, which Azure rejects", purge, "omit properties.enablePurgeProtection where it is off");
    },
  },
  {
    name: "keyvault-public-network-access-disabled",
    description: "Key Vault has public network access disabled (reached through a private endpoint).",
    source: ["CKV_AZURE_189", "AzPol 405c5871 (MCSBv2)", "AzPol 55615ac9 (MCSB)"],
    severity: "high",
    resourceTypes: [T.vault],
    scope: "resource",
    check: (props) => {
      const access = at(props, "properties.publicNetworkAccess");
      return when(access !== "Disabled", "allows public network access", access, 'set properties.publicNetworkAccess: "Disabled" and add a private endpoint (group "vault")');
    },
  },
  {
    name: "keyvault-network-acl-deny",
    description: "Key Vault network ACLs deny by default (Trivy ignores publicNetworkAccess).",
    source: ["AVD-AZU-0013", "CKV_AZURE_109", "AzPol 55615ac9 (MCSB)"],
    severity: "critical",
    resourceTypes: [T.vault],
    scope: "resource",
    check: (props) => {
      const action = at(props, "properties.networkAcls.defaultAction");
      return when(action !== "Deny", "does not deny network access by default", action, 'set properties.networkAcls: {defaultAction: "Deny", bypass: "AzureServices"}');
    },
  },
  {
    name: "keyvault-secret-content-type",
    description: "Key Vault secrets declare a content type.",
    source: ["CKV_AZURE_114", "AVD-AZU-0015", "AzPol 75262d3e"],
    severity: "low",
    resourceTypes: [T.secret],
    scope: "resource",
    check: (props) => {
      const type = at(props, "properties.contentType");
      return when(!(typeof type === "string" && type.trim() !== ""), "has no content type", type, 'set properties.contentType (e.g. "text/plain")');
    },
  },
];
