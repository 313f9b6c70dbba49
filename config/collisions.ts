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
}

interface Owned {
  what: string;
  /** The config key that sets the name. */
  key: string;
  name: string;
  /**
   * The resource group the name must be unique in (an App Service plan); unset: unique in the subscription or
   * globally. Every stack deploys to the subscription of the job that runs it (stack files cannot name one:
   * config/keys.ts), so two stacks may always share a subscription.
   */
  group?: string;
}

/** The names a stack would own that another stack could own too (Azure names compare without case). */
export function ownedNames({ cfg }: StackNames): Owned[] {
  if (cfg.platform === "docker") {
    // The local Docker engine (stack files cannot name another: config/keys.ts refuses docker:host).
    const d = cfg.docker;
    return [
      { what: "Docker container", key: "docker.containerName", name: d.containerName },
      { what: "Docker volume", key: "docker.volumeName", name: d.volumeName },
      { what: "host port", key: "docker.hostPort", name: `127.0.0.1:${d.hostPort}` },
      ...(d.api
        ? [
            { what: "Docker container", key: "docker.api.containerName", name: d.api.containerName ?? "" },
            { what: "host port", key: "docker.api.hostPort", name: `127.0.0.1:${d.api.hostPort}` },
          ]
        : []),
    ];
  }
  const rg = cfg.azure.resourceGroupName;
  // Resource Manager names are case-insensitive (Microsoft Learn, "Naming rules and restrictions for Azure resources").
  return [
    { what: "Azure resource group", key: "azure.resourceGroupName", name: rg },
    { what: "PostgreSQL server (a global name)", key: "postgres.serverName", name: cfg.postgres.serverName },
    { what: "Key Vault (a global name)", key: "keyVault.name", name: cfg.keyVault.name },
    { what: "storage account (a global name)", key: "storage.accountName", name: cfg.storage.accountName },
    { what: "web app (a global name)", key: "appService.name", name: cfg.appService.name },
    { what: "App Service plan", key: "appService.planName", name: cfg.appService.planName, group: rg.toLowerCase() },
  ].map((o) => ({ ...o, name: o.name.toLowerCase() }));
}

const sameGroup = (a: Owned, b: Owned) => a.group === undefined || b.group === undefined || a.group === b.group;

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
      const clash = theirs.find((t) => t.what === o.what && t.name === o.name && sameGroup(o, t));
      if (!clash) continue;
      problems.push({
        path: o.key.split("."),
        text: `${o.key}: stacks "${own.stack}" and "${other.stack}" would both own the ${o.what} "${o.name}" (${other.stack} sets it with ${clash.key}); give each stack its own`,
      });
    }
  }
  return problems;
}
