/**
 * Secret config stays secret: a `secure:` value reaches the program as a secret key (the mock
 * runtime passes PULUMI_CONFIG_SECRET_KEYS like the engine), the program keeps it a secret Output all the way to the
 * resources, the plan prints [secret] and never the placeholder, and offline placeholders differ per key and path.
 */
import * as crypto from "crypto";
import { ConfigError } from "../config/errors";
import { offlineSecret, toRuntimeConfig } from "../config/pulumi-files";
import { SECRET_CAPABLE } from "../config/secrets";
import { parseStackFile } from "../config/stack-files";
import { byType, runProgram, runStack, userResources } from "../mock-runtime";
import { renderJson } from "../plan/json";
import { buildPlan } from "../plan/model";
import { renderText } from "../plan/render-text";
import { main as plan } from "../plan/cli";
import { captureIo, scratchProject, stackText } from "./support/checkout";
import { at, specStack, type SpecStack } from "./support/stacks";

/** The spec's stack: the repository's file while it exists, else its stand-in (test/support/stacks.ts). */
const on = (stack: SpecStack) => at(specStack(stack));

const DOCKER = "amplifier-infra:docker";
const secure = (ciphertext: string) => ({ secure: `v1:${ciphertext}` });
// A dev stack with a secure password and a secure API setting, as `pulumi config set --secret --path` writes them.
const SECURE_DEV = {
  docker: {
    password: secure("pw"),
    api: { context: "test/fixtures/amplifier-app-api", settings: { SECRET_KEY: secure("sk"), LOG_LEVEL: "debug" } },
  },
};

describe("dev with secure: values", () => {
  test("the container's password and the API's SECRET_KEY are secret inputs; DATABASE_URL a secret output", async () => {
    const result = await runStack({ ...on("dev"), overrides: SECURE_DEV });
    const containers = byType(result, "docker:index/container:Container");
    const db = containers.find((c) => c.inputs.name === "amplifier-postgres-dev")!;
    const api = containers.find((c) => c.inputs.name === "amplifier-api-dev")!;
    const password = offlineSecret("dev", DOCKER, "password");
    expect(db.inputs.envs[1]).toBe(`POSTGRES_PASSWORD=${password}`);
    expect(db.secretInputs).toEqual(["envs[1]", "uploads[1].content"]);
    const envs = api.inputs.envs as string[];
    const secretKey = envs.findIndex((e) => e === `SECRET_KEY=${offlineSecret("dev", DOCKER, "api.settings.SECRET_KEY")}`);
    expect(secretKey).toBeGreaterThan(-1);
    expect(api.secretInputs).toContain(`envs[${secretKey}]`);
    expect(result.secretOutputs.sort()).toEqual(["DATABASE_ADMIN_URL", "DATABASE_URL"]);
    expect(String(result.outputs.DATABASE_URL)).toContain(password);
  });

  test("Pulumi marks only the top-level key secret, so every secret-capable value under it is secret (never too few)", async () => {
    const api = async (docker: Record<string, unknown>) => {
      const run = await runStack({ ...on("dev"), overrides: { docker } });
      const container = byType(run, "docker:index/container:Container").find((c) => c.name === "postgres-api")!;
      const at = (prefix: string) => `envs[${(container.inputs.envs as string[]).findIndex((e) => e.startsWith(prefix))}]`;
      return { secret: container.secretInputs, logLevel: at("LOG_LEVEL="), databaseUrl: at("DATABASE_URL=") };
    };
    const withSecret = await api(SECURE_DEV.docker);
    expect(withSecret.secret).toContain(withSecret.logLevel);
    // With no secure: value anywhere in the block, plain settings stay plain (only DATABASE_URL is secret).
    const plain = await api({ api: { context: "test/fixtures/amplifier-app-api", settings: { SECRET_KEY: "not-secret", LOG_LEVEL: "debug" } } });
    expect(plain.secret).toEqual([plain.databaseUrl]);
  });

  test("the plan prints [secret] for them and never a placeholder, in text and JSON", async () => {
    const result = await runStack({ ...on("dev"), overrides: SECURE_DEV });
    const plan = buildPlan(result);
    const outputs = [renderText(plan, { color: false, width: 200 }), renderJson(plan, [])];
    for (const out of outputs) {
      expect(out).toContain("SECRET_KEY=[secret]");
      expect(out).toContain("POSTGRES_PASSWORD=[secret]");
      expect(out).not.toContain("offline-secret");
    }
  });

  test("a schema error under a secret key names the key and what is allowed, but never shows the value", async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      // A value that is secure itself, where the schema wants a number.
      [{ docker: { password: secure("pw"), hostPort: secure("port") } }, "docker.hostPort (value not shown: docker holds a secure: value): must be a number", "hostPort"],
      // A plain value beside a secure one: Pulumi does not say which one was secure, so neither is shown.
      [{ docker: { password: secure("pw"), healthcheck: { interval: "soon" } } }, "docker.healthcheck.interval (value not shown: docker holds a secure: value): must be a Docker duration", ""],
      // The whole block written as one secure value.
      [{ docker: secure("block") }, "docker (value not shown: docker holds a secure: value): must be a mapping", ""],
    ];
    for (const [overrides, fragment, at] of cases) {
      const result = await runProgram({ ...on("dev"), overrides });
      const message = result.error!.message;
      expect(message).toContain(fragment);
      expect(message).not.toMatch(/offline-secret-|"soon"/);
      if (at) expect(message).not.toContain(offlineSecret("dev", DOCKER, at));
      expect(userResources(result)).toEqual([]);
    }
  });

  test("every secret-capable path is covered by a case above or below", () => {
    expect([...SECRET_CAPABLE]).toEqual(["docker.password", "docker.api.settings.*", "app.settings.*"]);
  });
});

describe("Azure with a secure: app setting", () => {
  test("it is a secret input of its Key Vault secret only, and the plan never prints it (test/app-settings-config.test.ts has the rest)", async () => {
    const result = await runStack({ ...on("test"), overrides: { app: { settings: { OPENAI_API_KEY: secure("k") } } } });
    const placeholder = offlineSecret("test", "amplifier-infra:app", "settings.OPENAI_API_KEY");
    const holders = result.resources.filter((r) => JSON.stringify(r.inputs).includes(placeholder));
    expect(holders.map((r) => [r.type, r.secretInputs])).toEqual([["azure-native:keyvault:Secret", ["properties.value"]]]);
    const plan = buildPlan(result);
    for (const out of [renderText(plan, { color: false, width: 200 }), renderJson(plan, [])]) expect(out).not.toContain("offline-secret");
  });
});

describe("secure: where nothing can keep it secret is refused", () => {
  test("the program (it sees only that the top-level key is secret) names the key and where secure: is allowed", async () => {
    const result = await runProgram({ ...on("prod"), overrides: { app: { jwt: { audience: secure("aud") } } } });
    expect(result.error).toBeInstanceOf(ConfigError);
    expect(result.error!.message).toContain("app: Pulumi marks it secret (a secure: value inside), but a secure: value is allowed only at docker.password, docker.api.settings.<NAME>");
    expect(userResources(result)).toEqual([]);
  });

  test("a misplaced secure: value that also breaks the schema is named by key, never quoted (the program sees it decrypted)", async () => {
    const result = await runProgram({ ...on("prod"), overrides: { postgres: { adminLogin: secure("login") } } });
    const message = result.error!.message;
    expect(message).toContain("postgres: Pulumi marks it secret (a secure: value inside), but a secure: value is allowed only at");
    expect(message).not.toContain(offlineSecret("prod", "amplifier-infra:postgres", "adminLogin"));
    expect(userResources(result)).toEqual([]);
  });

  test("the offline reader names the exact path and its line", () => {
    const text = stackText("prod", specStack("prod").dir).replace("audience: https://api.yourdomain.com", "audience:\n        secure: v1:abc");
    const dir = scratchProject({ "Pulumi.x.yaml": text });
    const line = text.split("\n").findIndex((l) => l.includes("secure: v1:abc")) + 1;
    expect(() => parseStackFile("x", dir)).toThrow(`Pulumi.x.yaml:${line - 1}:7: app.jwt.audience: a secure: value is allowed only at docker.password`);
  });
});

describe("the runtime map, as the language host builds it", () => {
  const map = (entries: Record<string, unknown>) => toRuntimeConfig("s", new Map(Object.entries(entries)));

  test("a key is secret when anything inside is secure; each secure value gets its own placeholder", () => {
    const { values, secretKeys } = map({ "p:a": { x: secure("1"), y: [secure("2")] }, "p:b": { x: 1 }, "p:c": secure("3") });
    expect(secretKeys).toEqual(["p:a", "p:c"]);
    const a = JSON.parse(values["p:a"]);
    expect(new Set([a.x, a.y[0], values["p:c"], offlineSecret("other", "p:c", "")]).size).toBe(4);
    expect(values["p:b"]).toBe('{"x":1}');
  });

  test("only Pulumi's exact secure form counts (a one-key mapping with a string); null is an empty string", () => {
    const { values, secretKeys } = map({ "p:a": { secure: "x", other: 1 }, "p:b": { secure: 5 }, "p:c": null, "p:d": "text" });
    expect(secretKeys).toEqual([]);
    expect(values).toEqual({ "p:a": '{"secure":"x","other":1}', "p:b": '{"secure":5}', "p:c": "", "p:d": "text" });
  });
});

describe("a secure: value must be Pulumi ciphertext (a pasted plain secret is refused offline)", () => {
  /** What `pulumi config set --secret` writes: v1:<nonce>:<AES-256-GCM ciphertext and tag> (passphrase, cloud KMS). */
  const v1 = (plain: string) => {
    const nonce = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv("aes-256-gcm", crypto.randomBytes(32), nonce);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `v1:${nonce.toString("base64")}:${body.toString("base64")}`;
  };
  /** Pulumi Cloud's form: base64 of the service's ciphertext (as `AAABA...` values in Pulumi's docs). */
  const service = (plain: string) => Buffer.concat([Buffer.from([0, 0, 1, 0]), crypto.randomBytes(12), Buffer.from(plain), crypto.randomBytes(16)]).toString("base64");
  const PASSPHRASE = "encryptionsalt: v1:c2FsdHNhbHQ=:v1:aXZpdml2aXZpdml2:Y2lwaGVydGV4dA==\n";
  const KMS = "secretsprovider: azurekeyvault://kv-state.vault.azure.net/keys/pulumi-x\nencryptedkey: " + "QUJD".repeat(20) + "\n";
  const dev = (password: string, head = "") => head + stackText("dev", specStack("dev").dir).replace("password: dev_password", `password:\n      secure: ${password}`);
  const check = (text: string) => () => parseStackFile("x", scratchProject({ "Pulumi.x.yaml": text }));

  test("ciphertext in the provider's format is accepted: v1 with a passphrase or a cloud KMS, base64 with Pulumi Cloud", () => {
    expect(check(dev(v1("dev_password"), PASSPHRASE))).not.toThrow();
    expect(check(dev(v1("dev_password"), KMS))).not.toThrow();
    expect(check(dev(service("dev_password")))).not.toThrow();
  });

  test.each([
    ["the plain password, Pulumi Cloud", dev("hunter2-but-longer"), "with Pulumi Cloud's secrets provider the CLI writes base64 ciphertext"],
    ["a plain value that happens to be base64, Pulumi Cloud", dev("Sup3rS3cret1"), "base64 ciphertext"],
    ["the plain password, passphrase provider", dev("hunter2-but-longer", PASSPHRASE), "with a passphrase secrets provider the CLI writes v1:<nonce>:<ciphertext>"],
    ["service ciphertext in a cloud-KMS file", dev(service("dev_password"), KMS), "with a cloud secrets provider the CLI writes v1:"],
    ["a v1 value with a short nonce", dev("v1:abc:def", PASSPHRASE), "v1:<nonce>:<ciphertext>"],
  ])("%s: refused at its line, the value never quoted", (_name, text, why) => {
    const line = text.split("\n").findIndex((l) => l.includes("secure:")) + 1;
    expect(check(text)).toThrow(ConfigError);
    let message = "";
    try {
      check(text)();
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`Pulumi.x.yaml:${line - 1}:5: docker.password: the secure: value is not Pulumi ciphertext`);
    expect(message).toContain(why);
    expect(message).toContain("pulumi config set --secret --path 'docker.password' <value>");
    const secret = /secure: (.*)$/m.exec(text)![1];
    expect(message).not.toContain(secret);
  });

  test("the plan refuses the file with exit 1 and prints nothing", async () => {
    const dir = scratchProject({ "Pulumi.dev.yaml": dev("dev_password") });
    const io = captureIo();
    expect(await plan(["dev"], io, dir)).toBe(1);
    expect(io.err()).toContain("docker.password: the secure: value is not Pulumi ciphertext");
    expect(io.out()).toBe("");
  });
});
