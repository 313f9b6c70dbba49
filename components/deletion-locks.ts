import * as authorization from "@pulumi/azure-native/authorization";
import * as pulumi from "@pulumi/pulumi";

export interface DeletionLocksArgs {
  /** What to lock: a short key (used in names) to the resource id. */
  targets: Record<string, pulumi.Input<string>>;
}

/**
 * CanNotDelete management locks: unlike Pulumi `protect`, they also stop deletion from the portal, the CLI or
 * another tool. Creating one needs Microsoft.Authorization/locks/write (Owner or User Access Administrator).
 */
export class DeletionLocks extends pulumi.ComponentResource {
  readonly locks: authorization.ManagementLockByScope[] = [];

  constructor(name: string, args: DeletionLocksArgs, opts?: pulumi.ComponentResourceOptions) {
    super("amplifier:guards:DeletionLocks", name, {}, opts);
    for (const [key, scope] of Object.entries(args.targets)) {
      this.locks.push(
        new authorization.ManagementLockByScope(
          `${name}-${key}`,
          {
            lockName: `do-not-delete-${key}`,
            scope,
            level: "CanNotDelete",
            notes: `Guards the ${key} against deletion (stack config: locks). Remove the lock before a deliberate teardown.`,
          },
          { parent: this },
        ),
      );
    }
    this.registerOutputs({});
  }
}
