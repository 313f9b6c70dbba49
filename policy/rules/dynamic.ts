/**
 * Dynamic resources (https://www.pulumi.com/docs/iac/concepts/providers/dynamic-providers/): the deploying process runs
 * whatever module text the resource's `__provider` input holds (@pulumi/pulumi cmd/dynamic-provider:
 * `requireFromString(text).handler()`), with the deploy identity's credentials. Its type token says nothing about
 * what that text does, so the pack knows each provider text the program registers by its sha256, and refuses any
 * other. What the bootstrap run creates (a container group through ARM, invisible to the type allowlist) is judged
 * from its inputs: the image, the identity and the SQL it carries.
 */
import { createHash } from "crypto";
import { fail, ofType, type Finding, type PolicyResource, type Rule, T } from "../model";
import { appIdentities } from "./identity";

export const DYNAMIC_RULES_FILE = "policy/rules/dynamic.ts";

/**
 * Type token -> sha256 of the one provider text the program registers under it (components/settle.ts SETTLE_PROVIDER,
 * components/dynamic/bootstrap-run.js). A change to either text changes its hash here, in the same change:
 * test/policy-dynamic.test.ts compares them with what components/ register.
 */
export const KNOWN_PROVIDERS: Readonly<Record<string, string>> = {
  [T.settle]: "6aec4079d37b88fe5180f5a0d6f145a788e4ddeff9cad61f47b5889fce6bfb8f",
  [T.bootstrapRun]: "3068414144742281839a3032c7ec637c293da6f9af3fc35260749739618dad6e",
};

export const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** Whether a resource is a dynamic one: Pulumi's dynamic type prefix, or a `__provider` input under any type. */
const isDynamic = (r: PolicyResource) => r.type.startsWith("pulumi-nodejs:dynamic/") || Object.hasOwn(r.props, "__provider");

/** A container image from Microsoft's registry, pinned by digest: the bytes cannot change under the same reference. */
export const PINNED_MICROSOFT_IMAGE = /^mcr\.microsoft\.com\/[a-z0-9._/-]+(?::[A-Za-z0-9._-]+)?@sha256:[0-9a-f]{64}$/;

/** Server roles that administer the server or reach its files or other sessions (PostgreSQL "Predefined Roles"; Azure's azure_pg_admin). */
const ADMIN_ROLE = /^(azure_pg_admin|azuresu|pg_\w+)$/i;
/** Role attributes that make a role an administrator (PostgreSQL "CREATE ROLE"); NOSUPERUSER and the like are fine. */
const ADMIN_ATTRIBUTE = /\b(SUPERUSER|CREATEROLE|CREATEDB|REPLICATION|BYPASSRLS)\b/i;

const ident = (s: string) => s.trim().replace(/^"|"$/g, "").toLowerCase();

/** The run's container env, steps decoded (BOOTSTRAP_STEPS: base64 JSON of {database, sql}); undefined if unreadable. */
function stepsOf(group: any): { sql: string }[] | undefined {
  const env: unknown = group?.properties?.containers?.[0]?.properties?.environmentVariables;
  const encoded = Array.isArray(env) ? env.find((e) => e?.name === "BOOTSTRAP_STEPS")?.value : undefined;
  if (typeof encoded !== "string") return undefined;
  try {
    const steps = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
    return Array.isArray(steps) && steps.every((s) => typeof s?.sql === "string") ? steps : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Admin grants to the app in SQL: the app's role made an Entra administrator (pgaadauth_create_principal_with_oid's
 * fourth argument, isAdmin: Microsoft Learn, "Manage Microsoft Entra roles in Azure Database for PostgreSQL"), a
 * server administrator's role, azure_pg_admin or a predefined pg_* role granted to it, a role granted to it WITH
 * ADMIN OPTION, or an administrator attribute given to it. Statements in strings (EXECUTE '...') are read too; SQL
 * built at run time from pieces (format('%I')) cannot be judged here and is the grants' tests' business.
 */
export function adminGrantsToApp(sql: string, admins: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const created = [...sql.matchAll(/pgaadauth_create_principal_with_oid\s*\(\s*'([^']+)'\s*,[^,]*,[^,]*,\s*(\w+)/gi)];
  const appRoles = new Set(created.map((m) => m[1].toLowerCase()));
  for (const m of created) if (!/^false$/i.test(m[2])) out.push(`pgaadauth_create_principal_with_oid('${m[1]}', ..., isAdmin ${m[2]})`);
  const flat = sql.replace(/\s+/g, " ");
  for (const m of flat.matchAll(/\bGRANT ([\w"$., -]+?) TO ([\w"$., -]+?)( WITH ADMIN OPTION)?\s*(?:[;']|$)/gi)) {
    const grantees = m[2].split(",").map(ident);
    if (!grantees.some((g) => appRoles.has(g))) continue;
    const roles = m[1].split(",").map(ident);
    if (m[3] || roles.some((r) => ADMIN_ROLE.test(r) || admins.has(r))) out.push(m[0].trim().replace(/[;']$/, ""));
  }
  // ALTER USER is an alias of ALTER ROLE (PostgreSQL docs, "ALTER USER").
  for (const m of flat.matchAll(/\bALTER (ROLE|USER) ("?[\w]+"?) ([^;']*)/gi)) {
    if (appRoles.has(ident(m[2])) && ADMIN_ATTRIBUTE.test(m[3])) out.push(`ALTER ${m[1].toUpperCase()} ${m[2]} ${m[3].trim()}`);
  }
  return out;
}

/** Logins that administer a server of the stack (lower case): administratorLogin and Entra admins' names. */
function adminNames(resources: readonly PolicyResource[]): Set<string> {
  const names = [...ofType(resources, T.server).map((s) => s.props.administratorLogin), ...ofType(resources, T.entraAdmin).map((a) => a.props.principalName)];
  return new Set(names.filter((n): n is string => typeof n === "string" && n !== "").map((n) => n.toLowerCase()));
}

/** Azure's public cloud (Microsoft Learn, "Microsoft identity platform endpoints"; "Azure Resource Manager"). */
const AZURE_ENDPOINTS = { loginEndpoint: "https://login.microsoftonline.com", armEndpoint: "https://management.azure.com" } as const;

/** The run's container group: the image, the identity, the SQL, where its credential goes. */
function bootstrapRunFindings(props: Record<string, any>, resources: readonly PolicyResource[], production: boolean): Finding[] {
  const group = props.group;
  // Not known yet (a preview of a new server): `up` judges it before the run is created.
  if (group === undefined || group === null || typeof group !== "object") return [];
  const out: Finding[] = [];
  // Where the provider sends the deploy identity's credential and token: Azure's public cloud only.
  const endpoints = { loginEndpoint: props.loginEndpoint, armEndpoint: props.armEndpoint };
  if (endpoints.loginEndpoint !== AZURE_ENDPOINTS.loginEndpoint || endpoints.armEndpoint !== AZURE_ENDPOINTS.armEndpoint) {
    out.push(...fail("sends the deploy identity's credential or token to an endpoint other than Entra ID's and ARM's", endpoints,
      `use ${AZURE_ENDPOINTS.loginEndpoint} and ${AZURE_ENDPOINTS.armEndpoint} (components/database-bootstrap.ts)`));
  }
  const containers: any[] = Array.isArray(group.properties?.containers) ? group.properties.containers : [];
  for (const image of containers.map((c) => c?.properties?.image)) {
    if (production && !(typeof image === "string" && PINNED_MICROSOFT_IMAGE.test(image))) {
      out.push(...fail("runs an image that is not Microsoft's registry pinned by digest, as the server's Entra administrator inside the stack's network", image,
        "set postgres.bootstrap.image to mcr.microsoft.com/<repository>:<tag>@sha256:<digest>"));
    }
  }
  // Exactly one user-assigned identity, the bootstrap one: an Entra administrator of a server, and none of the app's.
  const type = group.identity?.type;
  const ids = Object.keys(group.identity?.userAssignedIdentities ?? {});
  const appNames = new Set(appIdentities(resources).map((r) => String(r.props.resourceName ?? r.name).toLowerCase()));
  const admins = new Set(ofType(resources, T.entraAdmin).map((a) => String(a.props.principalName).toLowerCase()));
  const name = ids.length === 1 ? ids[0].split("/").pop()!.toLowerCase() : undefined;
  if (type !== "UserAssigned" || name === undefined || appNames.has(name) || !admins.has(name)) {
    out.push(...fail("runs as an identity other than the bootstrap identity alone (the one user-assigned identity that is a server's Entra administrator, never the app's)",
      { type, identities: ids.map((id) => id.split("/").pop()) }, "give the container group only the bootstrap identity (components/database-bootstrap.ts)"));
  }
  const steps = stepsOf(group);
  if (steps === undefined) {
    out.push(...fail("carries SQL the pack cannot read (BOOTSTRAP_STEPS: base64 JSON of {database, sql})", "unreadable", "register the run through components/database-bootstrap.ts"));
  } else {
    // One text: the role is created in one step (database postgres), granted to in later ones.
    const grants = adminGrantsToApp(steps.map((s) => s.sql).join(";\n"), adminNames(resources));
    if (grants.length > 0) out.push(...fail("gives the app's role administrator rights in its SQL", grants.join("; "), "the app gets its own schema's rights only (scripts/app-grants.sql); administrators are people and the bootstrap identity"));
  }
  return out;
}

export const dynamicRules: Rule[] = [
  {
    name: "dynamic-provider-known",
    description:
      "A dynamic resource runs only a provider text the program ships (by sha256: the settle wait and the database bootstrap run): any other `__provider` text could do anything with the deploy identity's credentials.",
    source: ["MCSB AM-5 (use only approved applications)", "Pulumi dynamic providers (the `__provider` input is the code the engine runs)"],
    severity: "critical",
    resourceTypes: ["*"],
    scope: "resource",
    check: (props, ctx) => {
      if (!isDynamic(ctx.resource)) return [];
      const text = props.__provider;
      const hash = typeof text === "string" ? sha256(text) : undefined;
      if (hash !== undefined && KNOWN_PROVIDERS[ctx.resource.type] === hash) return [];
      return fail("runs a dynamic provider text the pack does not know", hash === undefined ? "no provider text" : `sha256 ${hash}`,
        `register it through components/ (Settle, BootstrapRun); a new provider text is a new hash in KNOWN_PROVIDERS, ${DYNAMIC_RULES_FILE}`);
    },
  },
  {
    name: "bootstrap-run-contained",
    description:
      "The database bootstrap run's container group runs as the bootstrap identity alone, its SQL gives the app no administrator rights, its credential goes to Entra ID and ARM only, and in production its image is Microsoft's registry pinned by digest.",
    source: ["MCSB PA-7 (just enough administration)", "MCSB DS-6 (secure the software supply chain)", "Microsoft Learn: Manage Microsoft Entra roles in Azure Database for PostgreSQL"],
    severity: "critical",
    resourceTypes: [T.bootstrapRun],
    scope: "stack",
    readsStackFacts: true,
    check: (props, ctx) => bootstrapRunFindings(props, ctx.resources, ctx.stack.production),
  },
];
