/**
 * Names two stacks must never share. Each stack derives its names from the stack name (or sets them), and Pulumi
 * would happily let two stacks manage one resource group, vault or container: destroying one would then delete the
 * other's resources, and globally unique Azure names would fail only at deploy time. The program (against its sibling
 * stack files), the offline tools and a test over the repository's stack files all run this check.
 */
import type { Problem } from "./errors";
import type { StackConfig } from "./schema";

export interface StackNames {
  stack: string;
  cfg: StackConfig;
  /**
   * Provider settings that would decide where a name lives (`azure-native:subscriptionId`, `docker:host`). Stack
   * files may not set them (config/keys.ts), so every such scope is unset: a name may be any other stack's.
   */
  providers: Readonly<Record<string, string>>;
}

interface Owned {
  what: string;
  /** The config key that sets the name. */
  key: string;
  name: string;
  /** Where the name must be unique; an unset part (default subscription, local Docker) may be anyone's. */
  scope: (string | undefined)[];
}

/** The names a stack would own that another stack could own too (Azure names compare without case). */
export function ownedNames({ cfg, providers }: StackNames): Owned[] {
  if (cfg.platform === "docker") {
    const host = [providers["docker:host"]];
    const d = cfg.docker;
    return [
      { what: "Docker container", key: "docker.containerName", name: d.containerName, scope: host },
      { what: "Docker volume", key: "docker.volumeName", name: d.volumeName, scope: host },
      { what: "host port", key: "docker.hostPort", name: `127.0.0.1:${d.hostPort}`, scope: host },
      ...(d.api
        ? [
            { what: "Docker container", key: "docker.api.containerName", name: d.api.containerName ?? "", scope: host },
            { what: "host port", key: "docker.api.hostPort", name: `127.0.0.1:${d.api.hostPort}`, scope: host },
          ]
        : []),
    ];
  }
  const subscription = providers["azure-native:subscriptionId"];
  const rg = cfg.azure.resourceGroupName;
  // Resource Manager names are case-insensitive (Microsoft Learn, "Naming rules and restrictions for Azure resources").
  return [
    { what: "Azure resource group", key: "azure.resourceGroupName", name: rg, scope: [subscription] },
    { what: "PostgreSQL server (a global name)", key: "postgres.serverName", name: cfg.postgres.serverName, scope: [] },
    { what: "Key Vault (a global name)", key: "keyVault.name", name: cfg.keyVault.name, scope: [] },
    { what: "storage account (a global name)", key: "storage.accountName", name: cfg.storage.accountName, scope: [] },
    { what: "web app (a global name)", key: "appService.name", name: cfg.appService.name, scope: [] },
    { what: "App Service plan", key: "appService.planName", name: cfg.appService.planName, scope: [subscription, rg.toLowerCase()] },
  ].map((o) => ({ ...o, name: o.name.toLowerCase() }));
}

const overlap = (a: (string | undefined)[], b: (string | undefined)[]) =>
  a.every((x, i) => x === undefined || b[i] === undefined || x.toLowerCase() === b[i]!.toLowerCase());

/** Problems for `own`: a stack name reducing to another's, or a name another stack would own too. */
export function collisionProblems(own: StackNames, others: readonly StackNames[]): Problem[] {
  const problems: Problem[] = [];
  const mine = ownedNames(own);
  for (const other of others) {
    if (other.stack === own.stack) continue;
    if (other.cfg.stackSlug === own.cfg.stackSlug) {
      problems.push({
        text: `stack name "${own.stack}" reduces to "${own.cfg.stackSlug}" like stack "${other.stack}", so it would derive ${other.stack}'s names; rename Pulumi.${own.stack}.yaml`,
      });
      continue;
    }
    const theirs = ownedNames(other);
    for (const o of mine) {
      const clash = theirs.find((t) => t.what === o.what && t.name === o.name && overlap(o.scope, t.scope));
      if (!clash) continue;
      problems.push({
        path: o.key.split("."),
        text: `${o.key}: stacks "${own.stack}" and "${other.stack}" would both own the ${o.what} "${o.name}" (${other.stack} sets it with ${clash.key}); give each stack its own`,
      });
    }
  }
  return problems;
}
