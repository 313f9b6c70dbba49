import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as pulumi from "@pulumi/pulumi";
import type { MonitoringConfig } from "../config/schema";
import type { AzurePlacement } from "./azure-placement";

export interface TelemetryArgs extends AzurePlacement {
  /** The validated `monitoring` block (names derived). */
  config: MonitoringConfig;
}

/**
 * Log Analytics workspace and a workspace-based Application Insights (AzPol d550e854): the app's telemetry and
 * every resource's diagnostic logs land in the one workspace.
 */
export class Telemetry extends pulumi.ComponentResource {
  readonly workspace: operationalinsights.Workspace;
  readonly appInsights: applicationinsights.Component;
  /** TELEMETRY_APP_INSIGHTS_CONNECTION_STRING (secret: it carries the instrumentation key). */
  readonly connectionString: pulumi.Output<string>;

  constructor(name: string, args: TelemetryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("amplifier:monitoring:Telemetry", name, {}, opts);
    const c = args.config;

    this.workspace = new operationalinsights.Workspace(
      `${name}-workspace`,
      {
        workspaceName: c.workspaceName,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        sku: { name: "PerGB2018" },
        retentionInDays: c.logRetentionDays,
        tags: args.tags,
      },
      { parent: this },
    );

    this.appInsights = new applicationinsights.Component(
      `${name}-app-insights`,
      {
        resourceName: c.appInsightsName,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        kind: "web",
        applicationType: "web",
        workspaceResourceId: this.workspace.id,
        ingestionMode: "LogAnalytics",
        tags: args.tags,
      },
      // Keep the key out of plain-text state: the engine encrypts these outputs.
      { parent: this, additionalSecretOutputs: ["connectionString", "instrumentationKey"] },
    );
    this.connectionString = pulumi.secret(this.appInsights.connectionString);

    this.registerOutputs({ workspaceId: this.workspace.id, connectionString: this.connectionString });
  }
}
