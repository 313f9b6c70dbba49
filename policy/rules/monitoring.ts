/** Logs and alerts: how long logs are kept, and whether an alert reaches a person. */
import { at, type PolicyResource, type Rule, T, when } from "../model";

/**
 * The minimum days logs stay queryable. A rule reads resources, not the stack config, so the floor is a constant:
 * 90 days, the scanners' floor for audit logs (Trivy AVD-AZU-0025, Checkov CKV_AZURE_46, CIS Azure 5.1.6: SQL audit
 * retention of at least 90 days) and PCI DSS v4.0 10.5.1's "at least the most recent three months immediately
 * available for analysis". A Log Analytics workspace left to Azure's default keeps 30 days.
 */
export const LOG_RETENTION_MIN_DAYS = 90;

/** Every receiver list an action group can carry (azure-native monitor.ActionGroup inputs). */
const RECEIVER_LISTS = [
  "emailReceivers", "smsReceivers", "webhookReceivers", "azureAppPushReceivers", "voiceReceivers", "armRoleReceivers",
  "azureFunctionReceivers", "logicAppReceivers", "automationRunbookReceivers", "eventHubReceivers", "itsmReceivers", "incidentReceivers",
];

/** How many receivers an enabled action group notifies (none when it is disabled). */
function receivers(group: PolicyResource): number {
  if (group.props.enabled === false) return 0;
  return RECEIVER_LISTS.reduce((n, key) => n + (Array.isArray(group.props[key]) ? group.props[key].length : 0), 0);
}

/** Diagnostic-setting entries whose own retention policy keeps data fewer than the minimum days (0 = forever). */
function shortRetention(entries: unknown): number[] {
  if (!Array.isArray(entries)) return [];
  return entries
    .map((e) => at(e, "retentionPolicy"))
    .filter((p) => p?.enabled === true && typeof p.days === "number" && p.days > 0 && p.days < LOG_RETENTION_MIN_DAYS)
    .map((p) => p.days);
}

export const monitoringRules: Rule[] = [
  {
    name: "log-retention-minimum",
    description: `Logs are kept at least ${LOG_RETENTION_MIN_DAYS} days: Log Analytics workspaces (set explicitly), Application Insights and diagnostic-setting retention policies.`,
    source: ["MCSB LT-6", "AVD-AZU-0025 / CKV_AZURE_46 / CIS Azure 5.1.6 (audit retention >= 90 days)", "PCI DSS v4.0 10.5.1 (three months immediately available)"],
    severity: "medium",
    resourceTypes: [T.workspace, T.appInsights, T.diagnosticSetting],
    scope: "resource",
    check: (props, ctx) => {
      const fix = `set monitoring.logRetentionDays to ${LOG_RETENTION_MIN_DAYS} or more`;
      if (ctx.resource.type === T.workspace) {
        const days = props.retentionInDays;
        return when(!(typeof days === "number" && days >= LOG_RETENTION_MIN_DAYS), `keeps logs fewer than ${LOG_RETENTION_MIN_DAYS} days (unset: Azure keeps 30)`, days, fix);
      }
      if (ctx.resource.type === T.appInsights) {
        const days = props.retentionInDays;
        return when(typeof days === "number" && days < LOG_RETENTION_MIN_DAYS, `keeps telemetry fewer than ${LOG_RETENTION_MIN_DAYS} days`, days, `remove retentionInDays (the workspace's retention applies) or set it to ${LOG_RETENTION_MIN_DAYS} or more`);
      }
      const short = [...shortRetention(props.logs), ...shortRetention(props.metrics)];
      return when(short.length > 0, `keeps exported logs fewer than ${LOG_RETENTION_MIN_DAYS} days`, short, `remove the retentionPolicy (send to the workspace) or set days to ${LOG_RETENTION_MIN_DAYS} or more`);
    },
  },
  {
    // Anchored on the database server: every Azure stack has one, and it is what the alerts are about.
    name: "alerts-reach-a-recipient",
    description: "Alerts reach a person: the stack has an enabled action group with at least one receiver, every action group has one, and every metric alert notifies one.",
    source: ["MCSB IR-2 (incident notification)", "AzPol 4f4f78b8 (a contact address for security alerts, by analogy)"],
    severity: "high",
    resourceTypes: [T.server, T.actionGroup, T.metricAlert],
    scope: "stack",
    check: (props, ctx) => {
      const fix = "set monitoring.alertEmails to the team's address(es)";
      if (ctx.resource.type === T.actionGroup) {
        return when(receivers(ctx.resource) === 0, "notifies nobody (no receivers, or disabled)", props.enabled === false ? "disabled" : 0, fix);
      }
      if (ctx.resource.type === T.metricAlert) {
        const actions = props.actions;
        return when(!(Array.isArray(actions) && actions.length > 0), "notifies nobody (no action group)", actions, "add actions: [{actionGroupId: <action group>.id}]");
      }
      const reached = ctx.resources.some((r) => r.type === T.actionGroup && receivers(r) > 0);
      return when(!reached, "belongs to a stack whose alerts reach nobody (no action group with a receiver)", undefined, fix);
    },
  },
];
