// App-setting drift, which a refresh cannot see (tools/app-settings-drift.ts and its step in .github/workflows/drift.yml):
// the web app's settings as the real program registers them for an Azure stack, written as `pulumi stack export` would store
// them, against what `POST {site}/config/appsettings/list` would answer after a change in the portal.
import { spawnSync } from "child_process";
import * as fs from "fs";
import { SECRET_SIG } from "../config/pulumi-files";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { oneOfType, type RegisteredResource, runStack } from "../mock-runtime";
import { main } from "../tools/app-settings-drift";
import { PREVIEW_ROLE_ACTIONS } from "../tools/azure-permissions";
import { EXIT } from "../tools/cli";
import { at, AZURE, azureConfig, stackWith } from "./support/stacks";

let webApp: RegisteredResource;
let settings: { name: string; value: string }[];
let dir: string;
const azure = stackWith(AZURE);
const webAppName = azureConfig(azure).appService.name;

beforeAll(async () => {
  webApp = oneOfType(await runStack(at(azure)), "azure-native:web:WebApp");
  settings = webApp.inputs.siteConfig.appSettings;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "app-settings-drift-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A `pulumi stack export` holding the web app; `secret` names settings whose value the state keeps as ciphertext. */
function exported(secret: string[] = []): string {
  const appSettings = settings.map((s) => (secret.includes(s.name) ? { name: s.name, value: { [SECRET_SIG.key]: SECRET_SIG.secret, ciphertext: "v1:abc" } } : s));
  const resources = [
    { urn: `urn:pulumi:${azure.stack}::amplifier-infra::pulumi:pulumi:Stack::amplifier-infra-${azure.stack}`, type: "pulumi:pulumi:Stack" },
    { urn: webApp.urn, type: webApp.type, id: webApp.state.id, inputs: { ...webApp.inputs, siteConfig: { ...webApp.inputs.siteConfig, appSettings } }, outputs: { name: webApp.state.name } },
  ];
  return write("state.json", { version: 3, deployment: { resources } });
}

/** The list call's answer: the program's settings, changed by `edit`. */
function live(edit: (s: Record<string, string>) => void = () => {}): string {
  const properties = Object.fromEntries(settings.map((s) => [s.name, s.value]));
  edit(properties);
  return write("live.json", { id: `${webApp.state.id}/config/appsettings`, name: "appsettings", properties });
}

function write(name: string, value: unknown): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}-${name}`);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("app settings against what Pulumi last applied", () => {
  test("in step: exit 0", () => {
    expect(settings.length).toBeGreaterThan(5);
    const r = run([exported(), live()]);
    expect(r).toEqual({ code: EXIT.ok, stdout: `app settings of ${webAppName}: the ${settings.length} settings Pulumi last applied, and no others\n`, stderr: "" });
  });

  test("a value changed, a setting added and one removed in the portal: exit 5, names only, what the next deploy does", () => {
    // A plain value long enough not to appear by chance in the report's own words.
    const plain = settings.find((s) => !s.value.startsWith("@Microsoft.KeyVault(") && s.value.length >= 12)!;
    const removed = settings[settings.length - 1].name;
    const r = run([exported(), live((p) => {
      p[plain.name] = "changed-in-the-portal";
      p.ADDED_BY_HAND = "hunter2";
      delete p[removed];
    })]);
    expect(r.code).toBe(EXIT.drift);
    expect(r.stderr).toContain(`app settings of ${webAppName} differ from what Pulumi last applied (a refresh cannot see this):`);
    expect(r.stderr).toContain(`  changed outside Pulumi: ${plain.name}\n`);
    expect(r.stderr).toContain("  added outside Pulumi (the next deploy removes them): ADDED_BY_HAND\n");
    expect(r.stderr).toContain(`  missing in Azure (the next deploy puts them back): ${removed}\n`);
    // Never a value, old or new.
    for (const v of ["changed-in-the-portal", "hunter2", plain.value]) expect(r.stderr).not.toContain(v);
  });

  test("a Key Vault reference replaced by the plain secret is drift, and the secret is not printed", () => {
    const ref = settings.find((s) => s.name === "DATABASE_URL")!;
    expect(ref.value).toMatch(/^@Microsoft\.KeyVault\(SecretUri=https:\/\/.+\)$/);
    const r = run([exported(), live((p) => (p.DATABASE_URL = "postgresql://amplifier_admin:s3cret@db/amplifier"))]);
    expect(r.code).toBe(EXIT.drift);
    expect(r.stderr).toContain("  changed outside Pulumi: DATABASE_URL\n");
    expect(r.stderr).not.toContain("s3cret");
  });

  test("a value the state keeps as a secret is compared by name only: present is in step, absent is drift", () => {
    const name = settings[0].name;
    const changed = run([exported([name]), live((p) => (p[name] = "anything"))]);
    expect(changed.code).toBe(EXIT.ok);
    expect(changed.stdout).toContain(`stored as secrets, compared by name only: ${name}`);
    const missing = run([exported([name]), live((p) => delete p[name])]);
    expect(missing.code).toBe(EXIT.drift);
    expect(missing.stderr).toContain(`missing in Azure (the next deploy puts them back): ${name}`);
  });

  test("--web-app-id prints the site the workflow lists the settings of; a stack without a web app has nothing to compare", () => {
    expect(run(["--web-app-id", exported()])).toEqual({ code: EXIT.ok, stdout: `${webApp.state.id}\n`, stderr: "" });
    const empty = write("empty.json", { version: 3, deployment: { resources: [] } });
    expect(run(["--web-app-id", empty])).toEqual({ code: EXIT.ok, stdout: "", stderr: "" });
    expect(run([empty, live()]).code).toBe(EXIT.ok);
  });

  // A wrong argument count is usage (2); input it cannot read or understand is exit 1 (README, "Exit codes").
  test.each([
    [["only-one.json"], "expected two files", EXIT.usage],
    [["--web-app-id", "/nonexistent/state.json"], "cannot read /nonexistent/state.json", EXIT.config],
    [["STATE", "NOT_JSON"], "is not JSON", EXIT.config],
    [["NOT_EXPORT", "LIVE"], "not a `pulumi stack export`", EXIT.config],
    [["STATE", "NOT_LIST"], "not an app settings list", EXIT.config],
  ])("bad input %j: the reason, and its exit code", (argv, reason, code) => {
    const files: Record<string, () => string> = {
      STATE: () => exported(),
      LIVE: () => live(),
      NOT_JSON: () => {
        const f = path.join(dir, "not-json.txt");
        fs.writeFileSync(f, "ERROR: (AuthorizationFailed)");
        return f;
      },
      NOT_EXPORT: () => write("x.json", { resources: [] }),
      NOT_LIST: () => write("y.json", { value: [] }),
    };
    const r = run(argv.map((a) => files[a]?.() ?? a));
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(reason);
  });
});

describe("the drift workflow runs it as the stack's read identity, after the refresh", () => {
  const workflow = parse(fs.readFileSync(path.join(__dirname, "..", ".github", "workflows", "drift.yml"), "utf8"));
  const steps: { id?: string; name?: string; if?: string; run?: string; uses?: string }[] = workflow.jobs.drift.steps;
  const at = (id: string) => steps.findIndex((s) => s.id === id);

  test("after the preview, whether or not it found drift, once the stack exists; its failure opens the drift issue", () => {
    const state = steps[at("state")];
    const settingsStep = steps[at("settings")];
    expect(at("drift")).toBeLessThan(at("state"));
    expect(at("state")).toBeLessThan(at("settings"));
    expect(state.if).toBe("always() && steps.stack.outcome == 'success'");
    expect(settingsStep.if).toBe("always() && steps.state.outcome == 'success'");
    // The state with the Pulumi CLI alone, then Pulumi and the Azure CLI (the self-managed backend's login) logged out.
    expect(state.run!.trim().split("\n")).toEqual(['pulumi stack export --stack "$STACK_NAME" > "$RUNNER_TEMP/state.json"', "pulumi logout", "az account clear"]);
    // The Microsoft.Web API version azure-native uses for web apps (its SDK header), as everywhere else here.
    const sdk = fs.readFileSync(path.join(__dirname, "..", "node_modules", "@pulumi", "azure-native", "web", "webApp.d.ts"), "utf8");
    const webApi = /Uses Azure REST API version ([0-9a-z-]+)/.exec(sdk)![1];
    expect(settingsStep.run).toContain(`az rest --method post --url "https://management.azure.com\${id}/config/appsettings/list?api-version=${webApi}"`);
    for (const file of ["README.md", "docs/unverified.md", ".github/workflows/drift.yml"]) {
      const versions = fs.readFileSync(path.join(__dirname, "..", file), "utf8").match(/\/config\/[a-z/]+\?api-version=[0-9-]+/g) ?? [];
      for (const v of versions) expect([file, v]).toEqual([file, expect.stringMatching(new RegExp(`api-version=${webApi}$`))]);
    }
    expect(settingsStep.run).toContain('npm run --silent app-settings-drift -- "$RUNNER_TEMP/state.json" "$RUNNER_TEMP/app-settings.json"');
    for (const s of [state, settingsStep]) expect(JSON.stringify(s)).not.toContain("secrets.");
    expect(steps.find((s) => s.name === "open or update the drift issue")?.if).toContain("steps.settings.outcome == 'failure'");
    // az is logged in again as the same read identity for the list call, whatever the state backend.
    const logins = steps.filter((s) => s.uses?.startsWith("azure/login@"));
    expect(logins.map((s) => s.if)).toEqual(["startsWith(vars.PULUMI_BACKEND_URL, 'azblob://')", "always() && steps.state.outcome == 'success'"]);
    for (const l of logins) expect((l as { with?: Record<string, string> }).with?.["client-id"]).toBe("${{ vars.AZURE_CLIENT_ID }}");
    expect(steps.indexOf(logins[1])).toBeLessThan(at("settings"));
    expect(workflow.jobs.drift.environment).toBe("${{ matrix.stack }}-preview");
  });

  test("the project code runs with no login and no way to get one; only az rest holds the read identity's session", () => {
    // The step run by bash with stand-in npm and az that record what each call could reach.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "drift-settings-"));
    try {
      const log = path.join(tmp, "calls.log");
      const record = (tool: string, body: string) =>
        fs.writeFileSync(path.join(tmp, tool), `#!/usr/bin/env bash\necho "${tool} $1 ARM_CLIENT_ID=\${ARM_CLIENT_ID-} TOKEN_URL=\${ACTIONS_ID_TOKEN_REQUEST_URL-} AZURE_CONFIG_DIR=\${AZURE_CONFIG_DIR-}" >> "${log}"\n${body}\n`, { mode: 0o755 });
      record("npm", 'case "$*" in *--web-app-id*) echo /subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app ;; esac');
      record("az", "");
      const r = spawnSync("bash", ["-e", "-c", steps[at("settings")].run!], {
        encoding: "utf8",
        env: { PATH: `${tmp}:/usr/bin:/bin`, RUNNER_TEMP: tmp, ARM_CLIENT_ID: "read-identity", ACTIONS_ID_TOKEN_REQUEST_URL: "https://token", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "t" },
      });
      expect(r.status).toBe(0);
      const calls = fs.readFileSync(log, "utf8").trim().split("\n");
      const empty = `AZURE_CONFIG_DIR=${tmp}/no-azure-cli`;
      expect(calls).toEqual([
        `npm run ARM_CLIENT_ID= TOKEN_URL= ${empty}`,
        "az rest ARM_CLIENT_ID=read-identity TOKEN_URL=https://token AZURE_CONFIG_DIR=",
        "az account ARM_CLIENT_ID=read-identity TOKEN_URL=https://token AZURE_CONFIG_DIR=",
        `npm run ARM_CLIENT_ID= TOKEN_URL= ${empty}`,
      ]);
      expect(fs.readdirSync(path.join(tmp, "no-azure-cli"))).toEqual([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test("the list call's action is in the read identity's preview role", () => {
    expect(PREVIEW_ROLE_ACTIONS).toContain("Microsoft.Web/sites/config/list/action");
  });
});
