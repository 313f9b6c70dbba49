/** What the app may be on its database: a login of its own, never an administrator. */
import { at, dependsOn, ofType, type PolicyResource, type Rule, T } from "../model";
import { settingsOf, SETTINGS_CARRIERS } from "./app-settings";
import { appIdentities } from "./identity";

/** The user of a PostgreSQL URL (`postgresql+asyncpg://user[:pw]@host/db`), or undefined for anything else. */
export function postgresUrlUser(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^postgres(?:ql)?(?:\+[a-z0-9]+)?:\/\/([^:@/?#]*)(?::[^@/?#]*)?@/i.exec(value.trim());
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/** Logins that administer a server of the stack: each server's administratorLogin and each Entra admin's name. */
function adminLogins(resources: readonly PolicyResource[]): Set<string> {
  return new Set(
    [...ofType(resources, T.server).map((s) => s.props.administratorLogin), ...ofType(resources, T.entraAdmin).map((a) => a.props.principalName)]
      .filter((v): v is string => typeof v === "string" && v !== "")
      .map((v) => v.toLowerCase()),
  );
}

/** Whether an Entra admin's object id is one of the app's identities (by value, or linked while unknown). */
function isAppIdentity(admin: PolicyResource, identities: PolicyResource[]): boolean {
  const objectId = admin.props.objectId;
  return identities.some(
    (id) =>
      dependsOn(admin, "objectId", id) ||
      (typeof objectId === "string" && objectId !== "" && [at(id.props, "identity.principalId"), id.props.principalId].includes(objectId)),
  );
}

export const databaseAccessRules: Rule[] = [
  {
    name: "app-not-database-admin",
    description:
      "The app's identities are never a Microsoft Entra administrator of a database server, and no DATABASE_URL the app reads (a vault secret or an app setting) logs in as a server administrator.",
    source: ["MCSB PA-7 (just enough administration)", "MCSB IM-3", "Microsoft Learn: Manage Microsoft Entra roles in Azure Database for PostgreSQL (non-admin roles with pgaadauth_create_principal_with_oid)"],
    severity: "critical",
    resourceTypes: [T.entraAdmin, T.secret, ...SETTINGS_CARRIERS],
    scope: "stack",
    check: (props, ctx) => {
      const r = ctx.resource;
      if (r.type === T.entraAdmin) {
        if (!isAppIdentity(r, appIdentities(ctx.resources))) return [];
        return [
          {
            problem: "makes the app's identity an administrator of the database server",
            found: `objectId ${typeof props.objectId === "string" ? props.objectId : "from the app's identity"}`,
            fix: "give the app a non-admin role mapped to its identity (pgaadauth_create_principal_with_oid, components/database-bootstrap.ts); administrators are a people group (postgres.entraAdmin) and the bootstrap identity",
          },
        ];
      }
      const admins = adminLogins(ctx.resources);
      const urls =
        r.type === T.secret
          ? [{ name: `secret ${props.secretName ?? r.name}`, value: at(props, "properties.value") }]
          : settingsOf(props, r.type).filter((s) => s.name.toUpperCase() === "DATABASE_URL").map((s) => ({ name: `app setting ${s.name}`, value: s.value }));
      return urls.flatMap(({ name, value }) => {
        const user = postgresUrlUser(value);
        if (user === undefined || !admins.has(user.toLowerCase())) return [];
        return [
          {
            problem: `has ${name} logging in as server administrator ${user}`,
            found: `user ${user}`,
            fix: "connect as the app's own role (amplifier_app, no password: a Microsoft Entra token); the admin login is break-glass for people only",
          },
        ];
      });
    },
  },
];
