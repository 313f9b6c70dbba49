import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import type { MonitoringConfig } from "../config/schema";
import type { AzurePlacement } from "./azure-placement";

/** Alert rules and action groups are global: no location. */
export interface MonitoringArgs extends Omit<AzurePlacement, "location"> {
  /** The validated `monitoring` block (names derived). */
  config: MonitoringConfig;
  /** Log Analytics workspace receiving the diagnostic logs. */
  workspaceId: pulumi.Input<string>;
  serverId: pulumi.Input<string>;
  vaultId: pulumi.Input<string>;
  webAppId: pulumi.Input<string>;
  /** Storage account holding the sessions share: its file service's logs go to the workspace too. */
  storageAccountId: pulumi.Input<string>;
}

/** How often metric alerts are evaluated (the window comes from config). */
const EVALUATION_FREQUENCY = "PT5M";

/**
 * Alerts and logs: an action group mailing the configured addresses, metric alerts on the database's CPU and
 * storage and on the web app's 5xx responses, and diagnostic settings sending database, vault, web app and
 * sessions-share logs to the workspace (AzPol cf820ca0, 91a78b24; the PostgreSQL DINE policy's allLogs + AllMetrics).
 */
export class Monitoring extends pulumi.ComponentResource {
  readonly actionGroup: monitor.ActionGroup;
  readonly alerts: monitor.MetricAlert[] = [];

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("amplifier:monitoring:Monitoring", name, {}, opts);
    const c = args.config;

    this.actionGroup = new monitor.ActionGroup(
      `${name}-action-group`,
      {
        actionGroupName: c.actionGroupName,
        groupShortName: c.actionGroupShortName,
        resourceGroupName: args.resourceGroupName,
        location: "global",
        enabled: true,
        emailReceivers: c.alertEmails.map((emailAddress, i) => ({ name: `email-${i + 1}`, emailAddress, useCommonAlertSchema: true })),
        tags: args.tags,
      },
      { parent: this },
    );

    const alerts = [
      {
        key: "db-cpu",
        scope: args.serverId,
        namespace: "Microsoft.DBforPostgreSQL/flexibleServers",
        metric: "cpu_percent",
        aggregation: "Average",
        threshold: c.dbCpuPercent,
        severity: 2,
        description: `Database CPU above ${c.dbCpuPercent}% on average over ${c.window}`,
      },
      {
        key: "db-storage",
        scope: args.serverId,
        namespace: "Microsoft.DBforPostgreSQL/flexibleServers",
        metric: "storage_percent",
        aggregation: "Average",
        threshold: c.dbStoragePercent,
        // Storage does not grow by itself (autogrow is off): a full disk stops the database.
        severity: 1,
        description: `Database storage above ${c.dbStoragePercent}% (grow postgres.storageSizeGb)`,
      },
      {
        key: "app-5xx",
        scope: args.webAppId,
        namespace: "Microsoft.Web/sites",
        metric: "Http5xx",
        aggregation: "Total",
        threshold: c.http5xxCount,
        severity: 2,
        description: `More than ${c.http5xxCount} HTTP 5xx responses in ${c.window}`,
      },
    ];
    for (const a of alerts) {
      this.alerts.push(
        new monitor.MetricAlert(
          `${name}-alert-${a.key}`,
          {
            ruleName: `alert-${c.actionGroupName.replace(/^ag-/, "")}-${a.key}`,
            resourceGroupName: args.resourceGroupName,
            location: "global",
            description: a.description,
            severity: a.severity,
            enabled: true,
            scopes: [a.scope],
            evaluationFrequency: EVALUATION_FREQUENCY,
            windowSize: c.window,
            autoMitigate: true,
            criteria: {
              odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
              allOf: [
                {
                  criterionType: "StaticThresholdCriterion",
                  name: a.metric,
                  metricName: a.metric,
                  metricNamespace: a.namespace,
                  operator: "GreaterThan",
                  threshold: a.threshold,
                  timeAggregation: a.aggregation,
                },
              ],
            },
            actions: [{ actionGroupId: this.actionGroup.id }],
            tags: args.tags,
          },
          { parent: this },
        ),
      );
    }

    // Storage logs live on the account's services, not the account: the share's reads, writes and deletes are
    // logged on `<account>/fileServices/default`, whose metric category is Transaction (Microsoft Learn, "Monitor
    // Azure Files").
    const diagnostics = [
      { key: "postgres", resourceUri: args.serverId, metrics: "AllMetrics" },
      { key: "vault", resourceUri: args.vaultId, metrics: "AllMetrics" },
      { key: "web-app", resourceUri: args.webAppId, metrics: "AllMetrics" },
      { key: "sessions-files", resourceUri: pulumi.interpolate`${args.storageAccountId}/fileServices/default`, metrics: "Transaction" },
    ];
    for (const d of diagnostics) {
      new monitor.DiagnosticSetting(
        `${name}-diagnostics-${d.key}`,
        {
          name: "to-log-analytics",
          resourceUri: d.resourceUri,
          workspaceId: args.workspaceId,
          logs: [{ categoryGroup: "allLogs", enabled: true }],
          metrics: [{ category: d.metrics, enabled: true }],
        },
        { parent: this },
      );
    }

    this.registerOutputs({ actionGroupId: this.actionGroup.id });
  }
}
