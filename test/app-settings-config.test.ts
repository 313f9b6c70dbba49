/**
 * App settings by config: `app.settings` (every Azure stack file) and dev's `docker.api.settings` add settings
 * without code. Names are checked, a name the program or the platform owns is refused by name, a credential in plain
 * text is refused, a `secure:` value becomes a Key Vault secret the app's identity alone may read (one grant per
 * secret), and every setting is in the offline plan, secure ones masked.
 */
import { PROGRAM_SETTINGS, reservedSetting } from "../config/settings";
import { PROGRAM_SET_NAMES, STACK_FILE_SETTINGS } from "../policy/rules";
import { environments, PROJECT_DIR } from "../config/stack-files";
import { readNonProductionStacks } from "../config/gating";
import { offlineSecret } from "../config/pulumi-files";
import { byType, oneOfType, type RegisteredResource, runProgram, runStack, type RunResult, userResources } from "../mock-runtime";
import { renderJson } from "../plan/json";
import { buildPlan } from "../plan/model";
import { renderText } from "../plan/render-text";
import { evaluate } from "../policy/evaluate";
import { at, everyStack } from "./support/stacks";

const T = {
  secret: "azure-native:keyvault:Secret",
  role: "azure-native:authorization:RoleAssignment",
  webApp: "azure-native:web:WebApp",
  vault: "azure-native:keyvault:Vault",
  container: "docker:index/container:Container",
};
const APP = "amplifier-infra:app";
const AZURE_STACKS = environments().filter((e) => e.platform === "azure").map((e) => e.stack);
// Every Docker stack file, and dev's stand-in once the repository has no Pulumi.dev.yaml (test/support/stacks.ts).
const DOCKER_STACKS = everyStack().filter((c) => c.cfg.platform === "docker").map(at);
const secure = (ciphertext: string) => ({ secure: `v1:${ciphertext}` });

const settingsOf = (r: RunResult): Record<string, string> =>
  Object.fromEntries((oneOfType(r, T.webApp).inputs.siteConfig.appSettings as { name: string; value: string }[]).map((s) => [s.name, s.value]));
const secretNamed = (r: RunResult, name: string): RegisteredResource | undefined => byType(r, T.secret).find((s) => s.inputs.secretName === name);

const NON_PRODUCTION = readNonProductionStacks(PROJECT_DIR);
/** Plain settings: any name outside production; production accepts only STACK_FILE_SETTINGS, all secure. */
/** An Azure stack outside production, where any name the denylist leaves is accepted. */
const FREE_STACK = AZURE_STACKS.find((stack) => Object.hasOwn(NON_PRODUCTION, stack))!;
const PLAIN = { FEATURE_FLAGS: "search,export", AMPLIFIER_CORE_PATH: "/opt/amplifier-core" };

describe.each(AZURE_STACKS)("%s: app.settings", (stack) => {
  const production = !Object.hasOwn(NON_PRODUCTION, stack);
  let plain: RunResult;
  let mixed: RunResult;
  beforeAll(async () => {
    plain = await runProgram({ stack, overrides: { app: { settings: PLAIN } } });
    mixed = await runStack({ stack, overrides: { app: { settings: { OPENAI_API_KEY: secure("openai"), GOOGLE_API_KEY: secure("google") } } } });
  });

  test("plain settings join the web app's settings as written (production: refused, off its allowlist); nothing else changes", async () => {
    if (production) {
      for (const name of Object.keys(PLAIN)) expect(plain.error?.message).toContain(`app.settings.${name} (got "a setting"): in production app.settings names only`);
      return;
    }
    const base = await runStack({ stack });
    expect(settingsOf(plain)).toEqual({ ...settingsOf(base), FEATURE_FLAGS: "search,export", AMPLIFIER_CORE_PATH: "/opt/amplifier-core" });
    expect(byType(plain, T.secret).map((s) => s.inputs.secretName)).toEqual(byType(base, T.secret).map((s) => s.inputs.secretName));
    expect(byType(plain, T.role)).toHaveLength(byType(base, T.role).length);
  });

  test("a secure: value becomes a Key Vault secret and the setting a reference; Pulumi does not say which value was secure, so every one does", () => {
    const vault = oneOfType(mixed, T.vault);
    for (const [setting, secretName] of [["OPENAI_API_KEY", "app-setting-openai-api-key"], ["GOOGLE_API_KEY", "app-setting-google-api-key"]]) {
      const secret = secretNamed(mixed, secretName)!;
      expect(secret.inputs).toMatchObject({ vaultName: vault.inputs.vaultName, properties: { contentType: `text/plain; app setting ${setting}` } });
      expect(secret.secretInputs).toEqual(["properties.value"]);
      // Retained on delete like the others: removing the setting must not need the Key Vault data plane.
      expect(secret.options.retainOnDelete).toBe(true);
      expect(settingsOf(mixed)[setting]).toBe(`@Microsoft.KeyVault(SecretUri=${secret.state.properties.secretUri})`);
    }
    expect(secretNamed(mixed, "app-setting-openai-api-key")!.inputs.properties.value).toBe(offlineSecret(stack, APP, "settings.OPENAI_API_KEY"));
  });

  test("secrets never land in plain settings: no setting and no input of the web app holds a secure value", () => {
    const webApp = oneOfType(mixed, T.webApp);
    expect(JSON.stringify(webApp.inputs)).not.toContain("offline-secret");
    expect(webApp.secretInputs).toEqual([]);
  });

  test("the app's identity may read each new secret (a grant on that secret alone), before the web app exists", () => {
    const vaultId = oneOfType(mixed, T.vault).state.id;
    const webApp = oneOfType(mixed, T.webApp);
    for (const name of ["app-setting-openai-api-key", "app-setting-google-api-key"]) {
      const grant = byType(mixed, T.role).find((r) => r.inputs.scope === `${vaultId}/secrets/${name}`)!;
      expect(grant.inputs.roleDefinitionId).toMatch(/4633458b-17de-408a-b874-0445c86b69e6$/);
      expect(grant.dependencies).toContain(secretNamed(mixed, name)!.urn);
      expect(webApp.dependencies).toContain(grant.urn);
    }
  });

  test("the policy pack accepts both (no secret in plain settings; grants under the stack's vault)", () => {
    for (const run of production ? [mixed] : [plain, mixed]) {
      const findings = evaluate(run.resources).filter((f) => ["webapp-no-secret-app-settings", "app-role-assignments-scoped-to-vault"].includes(f.rule));
      expect(findings).toEqual([]);
    }
  });

  test("the offline plan shows every setting in full, secure ones as their Key Vault reference, in text and JSON", () => {
    for (const [run, expected] of [
      [plain, ["FEATURE_FLAGS=search,export", "AMPLIFIER_CORE_PATH=/opt/amplifier-core"]],
      [mixed, ["OPENAI_API_KEY=@KeyVault(app-setting-openai-api-key)", "GOOGLE_API_KEY=@KeyVault(app-setting-google-api-key)"]],
    ] as const) {
      if (run.error) continue; // production's plain run is refused (the first test).
      const plan = buildPlan(run);
      const webApp = plan.resources.find((r) => r.type === T.webApp)!;
      const listed = webApp.settings.find(([k]) => k === "app settings")![1];
      for (const name of Object.keys(settingsOf(run))) expect(listed).toContain(`${name}=`);
      for (const part of expected) expect(listed).toContain(part);
      const json = renderJson(plan, []);
      for (const part of expected) expect(json).toContain(part);
      const text = renderText(plan, { color: false, width: 4000 });
      for (const part of expected) expect(text).toContain(part);
      for (const out of [json, text]) expect(out).not.toContain("offline-secret");
    }
  });
});

describe("app.settings refused before anything is registered, never quoting a value", () => {
  const refused = async (settings: Record<string, unknown>, ...fragments: string[]) => {
    const result = await runProgram({ stack: AZURE_STACKS[0], overrides: { app: { settings } } });
    expect(result.error?.name).toBe("ConfigError");
    for (const f of fragments) expect(result.error!.message).toContain(f);
    expect(userResources(result)).toEqual([]);
    return result.error!.message;
  };

  test("a name the program sets: named, with the key that sets it", async () => {
    await refused({ LOG_LEVEL: "debug" }, "app.settings.LOG_LEVEL: the program sets LOG_LEVEL (from app.logLevel); remove it here");
    await refused({ AUTH_REQUIRED: "false" }, "app.settings.AUTH_REQUIRED: the program sets AUTH_REQUIRED (from app.authRequired)");
    await refused({ TELEMETRY_SANITIZE_PII: "false" }, "app.settings.TELEMETRY_SANITIZE_PII: the program sets");
    for (const name of ["DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FALLBACKS", "KEY_VAULT_REFERENCES_DIGEST", "AZURE_CLIENT_ID", "JWT_AUDIENCE"]) {
      await refused({ [name]: "x" }, `app.settings.${name}: the program sets ${name}`);
    }
  });

  test("a name App Service, the Azure SDK, the interpreter or the TLS stack reads: refused, secure or not", async () => {
    for (const name of ["WEBSITE_RUN_FROM_PACKAGE", "WEBSITES_ENABLE_APP_SERVICE_STORAGE", "SCM_BASIC_AUTH", "APPSETTING_X"]) await refused({ [name]: "1" }, `app.settings.${name}: ${name} is App Service's own`);
    await refused({ AZURE_CLIENT_SECRET: secure("cs") }, "AZURE_CLIENT_SECRET is read by the Azure SDK's DefaultAzureCredential");
    await refused({ AZURE_TENANT_ID: "t" }, "AZURE_TENANT_ID is read by the Azure SDK");
    await refused({ IDENTITY_ENDPOINT: "http://x" }, "IDENTITY_ENDPOINT is where the managed identity's tokens come from");
    await refused({ HTTPS_PROXY: "http://proxy:3128" }, "HTTPS_PROXY is a proxy or CA setting (it routes or changes the trust of the app's TLS traffic)");
    await refused({ PYTHONPATH: "/tmp" }, "PYTHONPATH is read by the shell or the Python interpreter");
    await refused({ LD_PRELOAD: "/tmp/x.so" }, "LD_PRELOAD is read by the dynamic loader");
  });

  test("the build, its package index, the interpreter, the app's server and the container registry: refused by family", async () => {
    // SCM_DO_BUILD_DURING_DEPLOYMENT=true: Oryx builds on deploy and runs the hooks as shell commands.
    for (const name of ["PRE_BUILD_COMMAND", "POST_BUILD_COMMAND", "PRE_BUILD_SCRIPT_PATH", "ENABLE_ORYX_BUILD", "ORYX_DISABLE_TELEMETRY", "CUSTOM_BUILD_COMMAND", "DISABLE_COLLECTSTATIC"]) {
      await refused({ [name]: "curl x | sh" }, `app.settings.${name}: ${name} is `);
    }
    for (const name of ["PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST"]) await refused({ [name]: "https://evil.example/simple" }, `${name} is read by pip during the build`);
    for (const name of ["PYTHONWARNINGS", "PYTHONINSPECT", "PYTHON_GIL"]) await refused({ [name]: "1" }, `${name} is read by the shell or the Python interpreter`);
    for (const name of ["GUNICORN_CMD_ARGS", "UVICORN_APP_DIR"]) await refused({ [name]: "--x" }, `${name} is read by the app's server as extra options`);
    for (const name of ["DOCKER_REGISTRY_SERVER_URL", "DOCKER_CUSTOM_IMAGE_NAME"]) await refused({ [name]: "docker.io/x/y:1" }, `${name} is an App Service container registry setting`);
  });

  test("names must be upper-case identifiers that fit a Key Vault secret name", async () => {
    for (const name of ["feature_flags", "1FLAG", "A-B", "A.B", "A".repeat(116)]) {
      const message = await refused({ [name]: "not-shown-value" }, `app.settings.${name}: the name must be an upper-case identifier`);
      expect(message).not.toContain("not-shown-value");
    }
    // 115 characters is the longest: app-setting-<name> is then Key Vault's 127.
    expect((await runProgram({ stack: FREE_STACK, overrides: { app: { settings: { ["A".repeat(115)]: "x" } } } })).error).toBeUndefined();
  });

  test("a credential in plain text is refused (it would sit in the stack file, the state and the site's configuration), the same value secure is not", async () => {
    const cases: Record<string, string> = {
      STRIPE_API_KEY: "sk_live_51abcdef",
      WEBHOOK_TOKEN: "abcdef",
      UPSTREAM_URL: "https://svc:hunter22@upstream.example.org/",
      STORAGE: "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc==",
    };
    const message = await refused(cases, "(value not shown)");
    for (const [name, value] of Object.entries(cases)) {
      expect(message).toContain(`app.settings.${name}: `);
      expect(message).toContain(`pulumi config set --secret --path 'app.settings.${name}'`);
      expect(message).not.toContain(value);
    }
    const secured = Object.fromEntries(Object.keys(cases).map((name) => [name, secure(name)]));
    expect((await runProgram({ stack: FREE_STACK, overrides: { app: { settings: secured } } })).error).toBeUndefined();
  });

  test("a value must be a string (quoted in YAML)", async () => {
    await refused({ MAX_UPLOADS: 5 }, "app.settings.MAX_UPLOADS (got 5): must be a string");
  });

  test("a secure: value elsewhere in app (no setting to hold it) is still refused by key", async () => {
    const result = await runProgram({ stack: AZURE_STACKS[0], overrides: { app: { jwt: { audience: secure("aud") } } } });
    expect(result.error!.message).toContain("app: Pulumi marks it secret (a secure: value inside), but a secure: value is allowed only at");
    expect(userResources(result)).toEqual([]);
  });
});

describe("every name the program sets is one app.settings may not override", () => {
  test("PROGRAM_SETTINGS lists exactly what the program sets, across the Azure stack files and every optional setting", async () => {
    const jwt = { publicKeyUrl: "https://idp.example.org/jwks.json", issuer: "https://idp.example.org/", audience: "api" };
    const runs = [...AZURE_STACKS.map((stack) => ({ stack })), { stack: AZURE_STACKS[0], overrides: { app: { jwt } } }];
    const set = new Set<string>();
    for (const opts of runs) for (const name of Object.keys(settingsOf(await runStack(opts)))) set.add(name);
    expect([...set].sort()).toEqual(Object.keys(PROGRAM_SETTINGS).sort());
  });
});

describe.each(DOCKER_STACKS)("$stack: the local API container gets the same settings rules", (docker) => {
  const api = (settings: Record<string, unknown>) => ({ docker: { api: { context: "test/fixtures/amplifier-app-api", settings } } });

  test("plain settings reach the container as environment variables, beside the program's own", async () => {
    const result = await runStack({ ...docker, overrides: api({ FEATURE_FLAGS: "search", LOG_LEVEL: "debug" }) });
    const container = byType(result, T.container).find((c) => c.name.endsWith("-api"))!;
    expect(container.inputs.envs).toEqual(expect.arrayContaining(["FEATURE_FLAGS=search", "LOG_LEVEL=debug"]));
    expect((container.inputs.envs as string[]).filter((e) => e.startsWith("ENVIRONMENT=") || e.startsWith("DATABASE_URL="))).toHaveLength(2);
  });

  test("the program's ENVIRONMENT and DATABASE_URL, and bad names, are refused by name", async () => {
    for (const [settings, fragment] of [
      [{ DATABASE_URL: "postgresql://x" }, "docker.api.settings.DATABASE_URL: the program sets DATABASE_URL"],
      [{ ENVIRONMENT: "production" }, "docker.api.settings.ENVIRONMENT: the program sets ENVIRONMENT (from environment)"],
      [{ log_level: "debug" }, "docker.api.settings.log_level: the name must be an upper-case identifier"],
    ] as const) {
      const result = await runProgram({ ...docker, overrides: api(settings) });
      expect(result.error!.message).toContain(fragment);
      expect(userResources(result)).toEqual([]);
    }
  });
});

describe("production's app-settings allowlist (policy/rules/app-settings-allowlist.ts)", () => {
  test("the pack's list of names the program sets is config's PROGRAM_SETTINGS, and no stack-file name is the program's or reserved", () => {
    expect([...PROGRAM_SET_NAMES].sort()).toEqual(Object.keys(PROGRAM_SETTINGS).sort());
    for (const name of Object.keys(STACK_FILE_SETTINGS)) expect([name, PROGRAM_SETTINGS[name], reservedSetting(name)]).toEqual([name, undefined, undefined]);
  });
});
