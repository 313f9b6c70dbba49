import * as pulumi from "@pulumi/pulumi";

/**
 * A wait after a resource is created, before what depends on this step. Azure answers `ServerIsBusy` to a child
 * written right after a flexible server is created (Azure/azure-postgresql#134: "even a 1sec sleep works"), and
 * azure-native retries a 409 only for `AnotherOperationInProgress` (pulumi-azure-native
 * provider/pkg/azure/client_azcore.go, shouldRetryConflict; pulumi-azure-native#903), so the deploy would stop.
 *
 * A Pulumi dynamic resource: no provider plugin to download. Pulumi runs it by serialising the provider object's
 * source into the state (https://www.pulumi.com/docs/iac/concepts/providers/dynamic-providers/), so the functions
 * below capture nothing (no imports, no module variables), only JavaScript globals. It makes no cloud call: a
 * read-only preview only diffs it, a refresh keeps its state (no `read`), a destroy forgets it (no `delete`).
 */
const settleProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    await new Promise((resolve) => setTimeout(resolve, Number(inputs.seconds) * 1000));
    return { id: `settled-${inputs.targetId}`, outs: { targetId: inputs.targetId, seconds: inputs.seconds } };
  },
  // A new target (a replaced server has a new id) replaces the step, so it waits again; a new duration or a new
  // provider text (`__provider`) is an update that does not wait.
  async diff(_id, olds, news) {
    const replaced = olds.targetId !== news.targetId;
    return { changes: replaced || olds.seconds !== news.seconds, replaces: replaced ? ["targetId"] : [] };
  },
  async update(_id, _olds, news) {
    return { outs: { targetId: news.targetId, seconds: news.seconds } };
  },
};

export interface SettleArgs {
  /** Id of the resource whose creation starts the wait. */
  targetId: pulumi.Input<string>;
  /** Seconds to wait once it exists. */
  seconds: number;
}

/** Waits `seconds` after its target is created (type `pulumi-nodejs:dynamic/amplifier:Settle`). */
export class Settle extends pulumi.dynamic.Resource {
  constructor(name: string, args: SettleArgs, opts?: pulumi.CustomResourceOptions) {
    super(settleProvider, name, { ...args }, opts, "amplifier", "Settle");
  }
}
