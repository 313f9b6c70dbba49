/**
 * Every policy rule of the project, as plain data + pure checks over registered inputs, one file per resource area.
 * One definition, three uses: the CrossGuard pack (policy/index.ts), the offline plan and the tests
 * (policy/evaluate.ts).
 *
 * Sources are the public rule ids each rule implements: Checkov (CKV*), Trivy (AVD-AZU-*), Azure Policy built-ins by
 * GUID prefix (AzPol), PSRule for Azure, and MCSB (Microsoft cloud security benchmark) controls. Every rule applies
 * to every stack that has its resource type; a stack that deviates on purpose documents it under
 * `amplifier-infra:policy.exceptions`, which makes that rule advisory there instead of mandatory. No rule branches
 * on what a stack says about itself; a rule may read whether it is production (`readsStackFacts`: from the code
 * owners' list, through the pack's config; production when unknown).
 */
import type { Rule } from "../model";
import { appSettingRules } from "./app-settings";
import { appSettingAllowlistRules } from "./app-settings-allowlist";
import { databaseAccessRules } from "./database-access";
import { dynamicRules } from "./dynamic";
import { guardRules } from "./guards";
import { identityRules } from "./identity";
import { keyVaultRules } from "./key-vault";
import { monitoringRules } from "./monitoring";
import { networkRules } from "./network";
import { placeholderRules } from "./placeholders";
import { postgresRules } from "./postgres";
import { postgresParameterRules } from "./postgres-parameters";
import { resourceTypeRules } from "./resource-types";
import { roleAssignmentRules } from "./role-assignments";
import { storageRules } from "./storage";
import { tagRules } from "./tags";
import { webAppRules } from "./web-app";

export { REQUIRED_TAGS, TAGGABLE_TYPES } from "./tags";
export { isSecretSettingName } from "./app-settings";
export { PROGRAM_SET_NAMES, STACK_FILE_SETTINGS } from "./app-settings-allowlist";
export { KEY_VAULT_SECRETS_USER, WEBSITE_CONTRIBUTOR } from "./identity";
export { LOG_RETENTION_MIN_DAYS } from "./monitoring";
export { placeholderHost } from "./placeholders";
export { EXTENSIONS, SERVER_PARAMETERS } from "./postgres-parameters";
export { ALLOWED_TYPES, RESOURCE_TYPES_FILE } from "./resource-types";
export { KNOWN_PROVIDERS, PINNED_MICROSOFT_IMAGE, sha256 } from "./dynamic";
export { ASSIGNABLE_ROLES, ROLE_TABLE_FILE } from "./role-assignments";

/** Every rule, in the order docs/policy-rules.md lists them. */
export const RULES: readonly Rule[] = [
  ...postgresRules,
  ...postgresParameterRules,
  ...guardRules,
  ...networkRules,
  ...keyVaultRules,
  ...webAppRules,
  ...appSettingRules,
  ...appSettingAllowlistRules,
  ...identityRules,
  ...roleAssignmentRules,
  ...databaseAccessRules,
  ...dynamicRules,
  ...storageRules,
  ...monitoringRules,
  ...placeholderRules,
  ...tagRules,
  ...resourceTypeRules,
];

export const RULE_NAMES: readonly string[] = RULES.map((r) => r.name);

/** Rules that may not be waived in a production stack (config/load.ts refuses such an exception). */
export const CRITICAL_RULES: readonly string[] = RULES.filter((r) => r.severity === "critical").map((r) => r.name);

/** Whether `rule` checks resources of `type` (`*` matches every type, `azure-native:*` every azure-native token). */
export function appliesTo(rule: Rule, type: string): boolean {
  return rule.resourceTypes.some((t) => t === "*" || t === type || (t.endsWith(":*") && type.startsWith(t.slice(0, -1))));
}
