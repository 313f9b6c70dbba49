import * as fs from "fs";
import * as path from "path";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { insideProject } from "../config/load";
import type { LocalDatabaseConfig } from "../config/schema";
import { secretAware } from "../config/secrets";
import { databaseUrl } from "./database-url";
import { APP_ROLE, devAppRoleSql, GRANTS_SQL_PATH } from "./database-roles";
import { readProjectFile } from "./project-files";

/** Port PostgreSQL listens on inside its container (the official image's default). */
const CONTAINER_PG_PORT = 5432;
/** Where the official postgres image runs init scripts on first start. */
const INIT_DIR = "/docker-entrypoint-initdb.d";

export interface LocalPostgresArgs {
  /** The validated `docker` block of the stack config (names already derived). */
  config: LocalDatabaseConfig;
  /** Directory relative paths in the config (init SQL, API checkout) are resolved against. */
  projectDir: string;
  /** Environment name passed to the optional API container as ENVIRONMENT. */
  environment: string;
  /** Pulumi `protect` on the data volume (stack config `protect`). */
  protect: boolean;
  /** The stack config's secret paths (`docker.api.settings.<NAME>`): those settings reach the container as secrets. */
  secretPaths: ReadonlySet<string>;
}

/**
 * dev: PostgreSQL 15 in local Docker, as the spec's docker-compose.dev.yml, plus the optional API container.
 * `pulumi up` returns only once the database container reports healthy (`wait`).
 */
export class LocalPostgres extends pulumi.ComponentResource {
  /** The app's `postgresql+asyncpg://amplifier_app:pass@localhost:<port>/<db>` (secret): the same role as on Azure. */
  readonly databaseUrl: pulumi.Output<string>;
  /** The container's superuser (POSTGRES_USER), for local admin work only (secret). */
  readonly adminUrl: pulumi.Output<string>;
  readonly host: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly database: pulumi.Output<string>;
  readonly user: pulumi.Output<string>;
  readonly container: docker.Container;
  /** URL of the API container when one is configured. */
  readonly apiUrl?: pulumi.Output<string>;

  constructor(name: string, args: LocalPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("amplifier:database:LocalPostgres", name, {}, opts);
    const c = args.config;
    const password = pulumi.secret(c.password);
    // config/load.ts already refused a path outside the project; resolve it the same way (symlinks included).
    const initSqlFile = insideProject(args.projectDir, c.initSqlPath);
    if (typeof initSqlFile === "string") throw new Error(`docker.initSqlPath ${JSON.stringify(c.initSqlPath)}: ${initSqlFile}`);
    const initSql = fs.readFileSync(initSqlFile.file, "utf8");

    const image = new docker.RemoteImage(`${name}-image`, { name: c.image, keepLocally: true }, { parent: this });
    const volume = new docker.Volume(`${name}-data`, { name: c.volumeName }, { parent: this, protect: args.protect });
    // A private network only matters when the API container has to reach the database by name.
    const network = c.api
      ? new docker.Network(`${name}-net`, { name: `${c.containerName}-net`, internal: false }, { parent: this })
      : undefined;

    this.container = new docker.Container(
      `${name}-container`,
      {
        name: c.containerName,
        image: image.imageId,
        envs: [
          `POSTGRES_USER=${c.user}`,
          pulumi.interpolate`POSTGRES_PASSWORD=${password}`,
          `POSTGRES_DB=${c.database}`,
        ],
        // Spec: "Public Access: localhost only".
        ports: [{ internal: CONTAINER_PG_PORT, external: c.hostPort, ip: "127.0.0.1" }],
        volumes: [{ volumeName: volume.name, containerPath: "/var/lib/postgresql/data" }],
        // Run in name order, once, on an empty volume, by the superuser in POSTGRES_DB: the spec's init SQL, the app's
        // login role (dev's form of the role Azure maps to the app's identity), then the grants Azure runs too.
        uploads: [
          { file: `${INIT_DIR}/10-init.sql`, content: initSql },
          { file: `${INIT_DIR}/20-app-role.sql`, content: password.apply(devAppRoleSql) },
          { file: `${INIT_DIR}/30-app-grants.sql`, content: readProjectFile(GRANTS_SQL_PATH, args.projectDir) },
        ],
        restart: "unless-stopped",
        healthcheck: {
          tests: ["CMD-SHELL", `pg_isready -U ${c.user} -d ${c.database}`],
          interval: c.healthcheck.interval,
          timeout: c.healthcheck.timeout,
          retries: c.healthcheck.retries,
        },
        // Block `pulumi up` until the healthcheck passes (compose: `condition: service_healthy`).
        wait: true,
        waitTimeout: 120,
        networksAdvanced: network ? [{ name: network.name, aliases: ["postgres"] }] : undefined,
      },
      { parent: this },
    );

    this.host = pulumi.output("localhost");
    this.port = pulumi.output(c.hostPort);
    this.database = pulumi.output(c.database);
    this.user = pulumi.output(c.user);
    // dev connects as the app's role too, so a permission bug shows up on a laptop, not in prod.
    this.databaseUrl = databaseUrl({ user: APP_ROLE, password, host: "localhost", port: c.hostPort, database: c.database, requireSsl: false });
    this.adminUrl = databaseUrl({ user: c.user, password, host: "localhost", port: c.hostPort, database: c.database, requireSsl: false });

    if (c.api && network) {
      const api = c.api;
      const context = path.resolve(args.projectDir, api.context);
      const apiImage = new docker.Image(
        `${name}-api-image`,
        {
          imageName: `${c.containerName}-api:local`,
          build: { context, dockerfile: path.join(context, api.dockerfile), platform: "linux/amd64" },
          skipPush: true,
        },
        { parent: this },
      );
      // Inside the network the API reaches the database by container name on the container port.
      const internalUrl = databaseUrl({
        user: APP_ROLE,
        password,
        host: c.containerName,
        port: CONTAINER_PG_PORT,
        database: c.database,
        requireSsl: false,
      });
      new docker.Container(
        `${name}-api`,
        {
          name: api.containerName,
          image: apiImage.imageName,
          envs: [
            `ENVIRONMENT=${args.environment}`,
            pulumi.interpolate`DATABASE_URL=${internalUrl}`,
            ...Object.entries(api.settings).map(([k, v]) => secretAware(args.secretPaths, `docker.api.settings.${k}`, `${k}=${v}`)),
          ],
          ports: [{ internal: api.hostPort, external: api.hostPort, ip: "127.0.0.1" }],
          volumes: api.mountSource ? [{ hostPath: context, containerPath: "/app" }] : undefined,
          command: [
            "uvicorn",
            "amplifier_app_api.main:app",
            "--host",
            "0.0.0.0",
            "--port",
            String(api.hostPort),
            ...(api.mountSource ? ["--reload"] : []),
          ],
          networksAdvanced: [{ name: network.name }],
          restart: "unless-stopped",
        },
        // The database container only exists once healthy (`wait`), so this is compose's service_healthy.
        { parent: this, dependsOn: [this.container] },
      );
      this.apiUrl = pulumi.output(`http://localhost:${api.hostPort}`);
    }

    this.registerOutputs({
      databaseUrl: this.databaseUrl,
      adminUrl: this.adminUrl,
      host: this.host,
      port: this.port,
      database: this.database,
      user: this.user,
      apiUrl: this.apiUrl,
    });
  }
}
