/**
 * The drift check's second half: the web app's app settings in Azure against those Pulumi last applied. A refresh
 * cannot see them: azure-native reads a web app with `GET {site}` and `GET {site}/config/web`, and both answer
 * `appSettings: null` (pulumi/pulumi-azure-native#4263; provider/pkg/resources/customresources/custom_webapp.go), so
 * `pulumi preview --refresh --expect-no-changes` passes while a setting changed in the portal stays changed, and the
 * next deploy silently puts every setting back (the site's PUT replaces them all).
 *
 *   npm run --silent app-settings-drift -- <state.json> <live.json>
 *
 * state.json: `pulumi stack export` (the web app's inputs as last deployed, secret values as ciphertext).
 * live.json:  `POST {site}/config/appsettings/list` (Microsoft Learn, "Web Apps - List Application Settings"), which
 *             needs `Microsoft.Web/sites/config/list/action`: the read identity's preview role has it
 *             (tools/azure-permissions.ts). `--web-app-id <state.json>` prints the site's id for that call.
 *
 * Only names are printed, never a value (a live value may be anything someone pasted into the portal). Plain values
 * are compared exactly; the program's secrets reach the app as Key Vault references (`@Microsoft.KeyVault(...)`, not
 * secret themselves), so they are compared as references; a value stored as a secret is compared by name only.
 * Exit 0 in step, 5 (`drift`) when they differ, 1 for input it cannot read or understand (a file that is not a stack
 * export or an app settings list: README, "Exit codes"), 2 for wrong arguments.
 */
import * as fs from "fs";
import { SECRET_SIG } from "../config/pulumi-files";
import { EXIT, type Io } from "./cli";

const WEB_APP = "azure-native:web:WebApp";

export const USAGE = "usage: npm run --silent app-settings-drift -- <pulumi stack export file> <app settings list file>\n" +
  "       npm run --silent app-settings-drift -- --web-app-id <pulumi stack export file>";

type Desired = { kind: "plain"; value: string } | { kind: "secret" };

interface WebAppState {
  id: string;
  name: string;
  settings: Map<string, Desired>;
}

export interface Drift {
  changed: string[];
  added: string[];
  missing: string[];
  /** Stored as secrets: compared by name only. */
  notCompared: string[];
}

class InputError extends Error {}

const isSecret = (v: unknown) => typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG.key] !== undefined;

/** The web app in a `pulumi stack export`, or undefined when the stack has none yet. */
export function webAppFromState(exported: unknown): WebAppState | undefined {
  const resources = (exported as { deployment?: { resources?: unknown } })?.deployment?.resources;
  if (!Array.isArray(resources)) throw new InputError("not a `pulumi stack export` (no deployment.resources)");
  const apps = resources.filter((r) => r?.type === WEB_APP && !r.delete);
  if (apps.length === 0) return undefined;
  if (apps.length > 1) throw new InputError(`the state holds ${apps.length} web apps; this check expects the program's one`);
  const [app] = apps;
  const list = app.inputs?.siteConfig?.appSettings;
  if (isSecret(list) || isSecret(app.inputs?.siteConfig)) throw new InputError("the web app's app settings are stored as one secret; they cannot be compared by name");
  const settings = new Map<string, Desired>();
  for (const item of Array.isArray(list) ? list : []) {
    if (typeof item?.name !== "string") throw new InputError("an app setting in the state has no name");
    settings.set(item.name, isSecret(item.value) ? { kind: "secret" } : { kind: "plain", value: String(item.value ?? "") });
  }
  return { id: String(app.id ?? app.outputs?.id ?? ""), name: String(app.outputs?.name ?? app.inputs?.name ?? app.id), settings };
}

/** The `properties` map of a `config/appsettings/list` answer. */
export function liveSettings(listed: unknown): Map<string, string> {
  const properties = (listed as { properties?: unknown })?.properties;
  if (typeof properties !== "object" || properties === null || Array.isArray(properties)) throw new InputError("not an app settings list (no properties object)");
  return new Map(Object.entries(properties).map(([k, v]) => [k, String(v ?? "")]));
}

export function compareSettings(desired: Map<string, Desired>, live: Map<string, string>): Drift {
  const drift: Drift = { changed: [], added: [], missing: [], notCompared: [] };
  for (const [name, want] of desired) {
    if (!live.has(name)) drift.missing.push(name);
    else if (want.kind === "secret") drift.notCompared.push(name);
    else if (live.get(name) !== want.value) drift.changed.push(name);
  }
  for (const name of live.keys()) if (!desired.has(name)) drift.added.push(name);
  for (const list of Object.values(drift)) list.sort();
  return drift;
}

const hasDrift = (d: Drift) => d.changed.length + d.added.length + d.missing.length > 0;

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`${file} is not JSON`);
  }
}

export function main(argv: string[], io: Pick<Io, "stdout" | "stderr">): number {
  try {
    if (argv.length === 2 && argv[0] === "--web-app-id") {
      const app = webAppFromState(readJson(argv[1]));
      if (app) io.stdout(`${app.id}\n`);
      return EXIT.ok;
    }
    if (argv.length !== 2 || argv.some((a) => a.startsWith("-"))) {
      io.stderr(`app-settings-drift: expected two files (got ${JSON.stringify(argv.join(" "))})\n${USAGE}\n`);
      return EXIT.usage;
    }
    const app = webAppFromState(readJson(argv[0]));
    if (!app) {
      io.stdout("app settings: the stack holds no web app yet; nothing to compare\n");
      return EXIT.ok;
    }
    const drift = compareSettings(app.settings, liveSettings(readJson(argv[1])));
    const note = drift.notCompared.length ? `; stored as secrets, compared by name only: ${drift.notCompared.join(", ")}` : "";
    if (!hasDrift(drift)) {
      io.stdout(`app settings of ${app.name}: the ${app.settings.size} settings Pulumi last applied, and no others${note}\n`);
      return EXIT.ok;
    }
    const lines = [
      `app settings of ${app.name} differ from what Pulumi last applied (a refresh cannot see this):`,
      ...(drift.changed.length ? [`  changed outside Pulumi: ${drift.changed.join(", ")}`] : []),
      ...(drift.added.length ? [`  added outside Pulumi (the next deploy removes them): ${drift.added.join(", ")}`] : []),
      ...(drift.missing.length ? [`  missing in Azure (the next deploy puts them back): ${drift.missing.join(", ")}`] : []),
      ...(note ? [`  ${note.slice(2)}`] : []),
      "Bring Azure back to the code with a deploy (pulumi up), or put the change in the stack file (app settings: docs/configuration.md).",
    ];
    io.stderr(`${lines.join("\n")}\n`);
    return EXIT.drift;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    io.stderr(`app-settings-drift: ${err.message}\n`);
    return EXIT.config;
  }
}
