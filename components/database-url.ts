import * as pulumi from "@pulumi/pulumi";

/** The parts of the app's `DATABASE_URL` (SQLAlchemy + asyncpg form, as in the spec's .env files). */
export interface DatabaseUrlParts {
  user: pulumi.Input<string>;
  /** None on Azure: the app's password is a Microsoft Entra token it fetches per connection. */
  password?: pulumi.Input<string>;
  host: pulumi.Input<string>;
  port: pulumi.Input<number>;
  database: pulumi.Input<string>;
  /** Append `?ssl=require` (asyncpg's spelling); Azure Flexible Server enforces TLS. */
  requireSsl: boolean;
}

/** Pure form of the URL, exported for tests: every credential is percent-encoded so any character survives URL parsing. */
export function formatDatabaseUrl(p: { user: string; password?: string; host: string; port: number; database: string; requireSsl: boolean }): string {
  const auth = p.password === undefined ? encodeURIComponent(p.user) : `${encodeURIComponent(p.user)}:${encodeURIComponent(p.password)}`;
  return `postgresql+asyncpg://${auth}@${p.host}:${p.port}/${encodeURIComponent(p.database)}${p.requireSsl ? "?ssl=require" : ""}`;
}

/** The URL as a secret Output (it carries the password where there is one, and it is the vault's value). */
export function databaseUrl(parts: DatabaseUrlParts): pulumi.Output<string> {
  return pulumi.secret(
    pulumi
      .all([parts.user, parts.password as pulumi.Input<string | undefined>, parts.host, parts.port, parts.database])
      .apply(([user, password, host, port, database]) =>
        formatDatabaseUrl({ user, password, host, port, database, requireSsl: parts.requireSsl }),
      ),
  );
}
