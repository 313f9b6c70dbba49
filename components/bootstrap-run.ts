import * as pulumi from "@pulumi/pulumi";
import { readProjectFile } from "./project-files";

/**
 * One run of the database bootstrap: a short-lived Azure container group (Microsoft.ContainerInstance/containerGroups)
 * that this step creates through Azure Resource Manager's REST API, waits for, reads the exit code and log of, and
 * deletes. The container group is never a Pulumi resource: azure-native's ContainerGroup returns once the group is
 * provisioned and never waits for the container to end (its exit code comes later in the GET's instanceView), and a deployment script (Microsoft.Resources/deploymentScripts) deletes itself after its
 * retentionInterval (at most PT26H), so a refresh would drop it from the state and the next plan would create it again.
 *
 * A Pulumi dynamic resource (https://www.pulumi.com/docs/iac/concepts/providers/dynamic-providers/), like Settle; its
 * provider is components/dynamic/bootstrap-run.js (what create, update and diff do, and where its ARM token comes
 * from: the deploying process's own credential at run time, never an input or output of this resource).
 * ARM calls used, each a documented REST operation (Microsoft Learn, "Container Groups - Create Or Update", "Get",
 * "Delete"; "Containers - List Logs"): PUT/GET/DELETE {group}?api-version, GET {group}/containers/{name}/logs. The
 * group's instanceView carries the container's state and exit code (azure-rest-api-specs specification/
 * containerinstance/resource-manager/Microsoft.ContainerInstance/stable/2023-05-01/containerInstance.json,
 * ContainerState.exitCode).
 */
export const BOOTSTRAP_RUN_PROVIDER_PATH = "components/dynamic/bootstrap-run.js";

/** The provider text (`__provider`): the file itself, as the host loads it. */
export const BOOTSTRAP_RUN_PROVIDER = readProjectFile(BOOTSTRAP_RUN_PROVIDER_PATH);

/** Microsoft Entra ID's public-cloud sign-in endpoint, where the provider exchanges its credential for an ARM token. */
export const LOGIN_ENDPOINT = "https://login.microsoftonline.com";

export interface BootstrapRunArgs {
  /** Hash of everything the run depends on: a new key runs it again. */
  key: pulumi.Input<string>;
  /** The server's ARM id: a restored or replaced server gets its own run. */
  serverId: pulumi.Input<string>;
  /** ARM id of the container group the run creates and deletes. */
  groupId: pulumi.Input<string>;
  containerName: string;
  /** The container group's request body (location, identity, containers, subnet). */
  group: pulumi.Input<Record<string, unknown>>;
  armEndpoint: string;
  loginEndpoint: string;
  apiVersion: string;
  pollSeconds: number;
  timeoutMinutes: number;
}

/** The type token pulumi.dynamic.Resource would register ("pulumi-nodejs:dynamic/<module>:<type>"). */
export const BOOTSTRAP_RUN_TYPE = "pulumi-nodejs:dynamic/amplifier:BootstrapRun";

/** Runs the bootstrap container once per key (type BOOTSTRAP_RUN_TYPE). */
export class BootstrapRun extends pulumi.CustomResource {
  declare readonly key: pulumi.Output<string>;
  constructor(name: string, args: BootstrapRunArgs, opts?: pulumi.CustomResourceOptions) {
    super(BOOTSTRAP_RUN_TYPE, name, { ...args, __provider: BOOTSTRAP_RUN_PROVIDER }, opts);
  }
}
