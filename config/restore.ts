/**
 * `postgres.restore`: create the stack's server as a point-in-time restore of another flexible server. It acts only
 * when the server is created (a new stack, docs/restore.md): the inputs it sets are create-only and the component
 * ignores them afterwards, so adding the block to a running stack, or removing it, changes nothing.
 *
 * Azure's side (Microsoft Learn, "Restore to custom restore point", CLI notes): a point in the future is silently
 * normalised to "now", and one before the source's earliest restore point fails with an InternalServerError; the
 * window is the source's backup retention, 7-35 days ("Backup and restore in Azure Database for PostgreSQL flexible
 * server", Backup retention). A future point is refused before anything is registered. The window moves with time
 * while the block stays in a running stack (where it changes nothing), so an instant that has left it is a warning
 * (`restoreWindowNotes`: the program logs it, the plan prints it) and a refused change only where the block is added
 * or changed (`npm run plan -- <stack> --base <ref>`, plan/cli.ts): a stack file never turns invalid by itself.
 */
import { z } from "zod";
import type { StackNames } from "./collisions";
import type { Problem } from "./errors";
import { matching } from "./fields";

/** Azure's longest backup retention: no server can restore further back. */
export const MAX_RETENTION_DAYS = 35;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The ARM id of a flexible server, the only kind `sourceServerResourceId` accepts (azure-rest-api-specs
 * specification/postgresql/resource-manager/Microsoft.DBforPostgreSQL/stable/2025-08-01/openapi.json,
 * ServerProperties.sourceServerResourceId: format arm-id, allowedResources Microsoft.DBforPostgreSQL/flexibleServers).
 */
const SERVER_ID = /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/resourceGroups\/([-\w._()]{1,90})\/providers\/Microsoft\.DBforPostgreSQL\/flexibleServers\/([a-z0-9][a-z0-9-]{1,61}[a-z0-9])$/i;
export const SERVER_ID_RULE =
  "must be the ARM id of a flexible server: /subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.DBforPostgreSQL/flexibleServers/<server> (az postgres flexible-server show --query id)";

/** The source's group and server, for comparing with other stack files (server names are lower case in Azure). */
export interface ServerId {
  resourceGroupName: string;
  serverName: string;
}

export function parseServerId(id: string): ServerId | undefined {
  const m = SERVER_ID.exec(id);
  return m ? { resourceGroupName: m[2], serverName: m[3].toLowerCase() } : undefined;
}

/** ISO 8601 in UTC: `2026-12-01T10:01:00Z` (seconds and fractions optional, `+00:00` for `Z` allowed). */
const UTC_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?(?:Z|\+00:00)$/;
export const POINT_IN_TIME_RULE = "must be an ISO 8601 UTC instant such as 2026-12-01T10:01:00Z (Z or +00:00; no local time)";

/** The instant in ms, or undefined when the text is not a real UTC instant (2026-02-30 is not). */
export function parseUtcInstant(text: string): number | undefined {
  const m = UTC_INSTANT.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  const d = new Date(ms);
  const same = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()].every((v, i) => v === Number(m[i + 1]));
  return same ? ms : undefined;
}

/** Why `pointInTime` is never valid: an instant after `at` ("now"). Time only makes it valid, never invalid. */
export function futurePointProblem(ms: number, at = Date.now()): string | undefined {
  if (ms <= at) return undefined;
  return `is in the future (now is ${new Date(at).toISOString()}); Azure would silently restore to the moment of the request instead: give the last good instant before the incident`;
}

/** Whether `pointInTime` has left the window of a source that keeps `retentionDays` of backups (`at` is "now"). */
export function outsideRetention(ms: number, retentionDays: number, at = Date.now(), source = "any source"): string | undefined {
  if (ms >= at - retentionDays * DAY_MS) return undefined;
  return (
    `is more than ${retentionDays} days ago, before the earliest restore point of ${source} (its backup retention): ` +
    "once this stack's server exists this changes nothing (the block acts only when the server is created; remove it when convenient), " +
    "but a server created from it would fail to restore (InternalServerError): for a new restore give a later instant"
  );
}

export const restoreSchema = z
  .strictObject({
    sourceServerId: z
      .string()
      .superRefine((id, ctx) => {
        if (parseServerId(id)) return;
        const single = /\/providers\/Microsoft\.DBforPostgreSQL\/servers\//i.test(id);
        ctx.addIssue({
          code: "custom",
          message: single ? "is a Single Server; a flexible server restores only from a flexible server's backups. " + SERVER_ID_RULE : SERVER_ID_RULE,
        });
      })
      .meta({ rule: SERVER_ID_RULE })
      .describe("The server whose backups to restore (in this stack's subscription and region); it is only read."),
    pointInTime: matching(UTC_INSTANT, POINT_IN_TIME_RULE)
      .superRefine((text, ctx) => {
        const ms = parseUtcInstant(text);
        if (ms === undefined) {
          if (UTC_INSTANT.test(text)) ctx.addIssue({ code: "custom", message: "is not a calendar date and time" });
          return;
        }
        const problem = futurePointProblem(ms);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .describe("The instant (UTC) whose data the new server holds: the last good moment, e.g. a minute before a table was dropped. Quote it in the stack file."),
  })
  .describe(
    "Create this stack's server as a point-in-time restore of another server (createMode PointInTimeRestore). Acts only when the server is created: " +
      "a new stack (docs/restore.md); ignored afterwards, so adding or removing it changes nothing.",
  );

export type RestoreBlock = z.output<typeof restoreSchema>;

/** The stack file that deploys the source server, if any (matched by server name, which Azure keeps in lower case). */
function sourceOwner(own: StackNames, others: readonly StackNames[]): StackNames | undefined {
  if (own.cfg.platform !== "azure" || !own.cfg.postgres.restore) return undefined;
  const source = parseServerId(own.cfg.postgres.restore.sourceServerId);
  if (!source) return undefined;
  return others.find((o) => o.stack !== own.stack && o.cfg.platform === "azure" && o.cfg.postgres.serverName.toLowerCase() === source.serverName);
}

/**
 * What the other stack files tell about the source: it must not be this stack's own server (a restore creates a new
 * server; the running one is never replaced), and when another stack deploys it, the restoring stack must match
 * what a restore cannot change. None of this changes with time (the window does: `restoreWindowNotes`).
 */
export function restoreSourceProblems(own: StackNames, others: readonly StackNames[]): Problem[] {
  if (own.cfg.platform !== "azure" || !own.cfg.postgres.restore) return [];
  const pg = own.cfg.postgres;
  const restore = pg.restore!;
  const source = parseServerId(restore.sourceServerId);
  if (!source) return [];
  const path = ["postgres", "restore", "sourceServerId"];
  if (source.serverName === pg.serverName.toLowerCase()) {
    return [
      {
        path,
        text:
          `postgres.restore.sourceServerId names this stack's own server (${pg.serverName}): a restore always creates a new server and never ` +
          "overwrites the running one. Restore into a new stack whose server has another name (docs/restore.md)",
      },
    ];
  }
  const owner = sourceOwner(own, others);
  if (!owner || owner.cfg.platform !== "azure") return [];
  const theirs = owner.cfg.postgres;
  const problems: Problem[] = [];
  const add = (key: string, text: string) => problems.push({ path: key.split("."), text: `${key}: ${text}` });
  if (owner.cfg.azure.resourceGroupName.toLowerCase() !== source.resourceGroupName.toLowerCase()) {
    add("postgres.restore.sourceServerId", `names ${source.serverName} in resource group ${source.resourceGroupName}, but stack "${owner.stack}" deploys it to ${owner.cfg.azure.resourceGroupName}`);
  }
  // A point-in-time restore stays in the source's region (Microsoft Learn, "Restore to custom restore point": Location).
  if (owner.cfg.azure.location !== own.cfg.azure.location) {
    add("azure.location", `${own.cfg.azure.location} differs from the source's region ${owner.cfg.azure.location} (stack "${owner.stack}"); a point-in-time restore stays in the source's region`);
  }
  // The restored server brings the source's databases and login; the stack adopts its database by name, and the
  // administrator login is create-only (openapi.json above: administratorLogin x-ms-mutability read, create).
  if (theirs.databaseName !== pg.databaseName) {
    add("postgres.databaseName", `${pg.databaseName} is not the source's database ${theirs.databaseName} (stack "${owner.stack}"), which the restore brings; set postgres.databaseName: ${theirs.databaseName}`);
  }
  if (theirs.adminLogin !== pg.adminLogin) {
    add("postgres.adminLogin", `${pg.adminLogin} is not the source's administrator login ${theirs.adminLogin}, which the restored server keeps; set postgres.adminLogin: ${theirs.adminLogin}`);
  }
  // Azure grows storage but never shrinks it; the restore starts at the source's size.
  if (pg.storageSizeGb < theirs.storageSizeGb) {
    add("postgres.storageSizeGb", `${pg.storageSizeGb} is below the source's ${theirs.storageSizeGb} GiB, the restored server's size, which cannot shrink; set at least ${theirs.storageSizeGb}`);
  }
  return problems;
}

/**
 * `postgres.restore.pointInTime` outside the source's window at `at`: the source stack's `backupRetentionDays` when a
 * stack file deploys it, else Azure's longest (35 days). A warning, never a config error (see the top of this file).
 */
export function restoreWindowNotes(own: StackNames, others: readonly StackNames[], at = Date.now()): string[] {
  if (own.cfg.platform !== "azure" || !own.cfg.postgres.restore) return [];
  const restore = own.cfg.postgres.restore;
  const ms = parseUtcInstant(restore.pointInTime);
  const source = parseServerId(restore.sourceServerId);
  if (ms === undefined || !source) return [];
  const owner = sourceOwner(own, others);
  const retention = owner?.cfg.platform === "azure" ? owner.cfg.postgres.backupRetentionDays : MAX_RETENTION_DAYS;
  const name = owner ? `${source.serverName} (stack "${owner.stack}" keeps ${retention} days)` : "any server";
  const note = outsideRetention(ms, retention, at, name);
  return note ? [`stack ${own.stack}: postgres.restore.pointInTime ${restore.pointInTime} ${note}`] : [];
}
