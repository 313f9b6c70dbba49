/**
 * Every policy rule against hand-built resources: the compliant stack passes everything; each rule has cases that
 * must still pass and cases that must fail, with a message naming the resource, the rule, the value found and the fix.
 */
import { checkExceptions, enforcementOf, evaluate, policyPackConfig } from "../policy/evaluate";
import { ALLOWED_TYPES, RULE_NAMES, RULES, isSecretSettingName } from "../policy/rules";
import { ALSO_FIRES, compliantStack, RULE_CASES, TYPE_ALLOWLIST_RULE } from "./policy-cases";

describe("policy rules", () => {
  test("rule metadata: unique kebab-case names, sources, severities, types", () => {
    expect(new Set(RULE_NAMES).size).toBe(RULE_NAMES.length);
    for (const rule of RULES) {
      expect(rule.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(rule.description.length).toBeGreaterThan(10);
      expect(rule.source.length).toBeGreaterThan(0);
      expect(["low", "medium", "high", "critical"]).toContain(rule.severity);
      for (const type of rule.resourceTypes) expect(type).toMatch(/^(azure-native:([a-z]+:[A-Za-z]+|\*)|pulumi-nodejs:dynamic\/amplifier:[A-Za-z]+|\*)$/);
    }
  });

  test("every rule has at least one failing case, and every case names a real rule", () => {
    expect(Object.keys(RULE_CASES).sort()).toEqual([...RULE_NAMES].sort());
    const withoutFailingCase = Object.entries(RULE_CASES).filter(([, cases]) => cases.fail.length === 0);
    expect(withoutFailingCase.map(([name]) => name)).toEqual([]);
  });

  test("the compliant stack passes every rule", () => {
    expect(evaluate(compliantStack())).toEqual([]);
  });

  const passing = Object.entries(RULE_CASES).flatMap(([rule, c]) => c.pass.map((p) => [rule, p.label, p] as const));
  test.each(passing)("%s passes: %s", (rule, _label, c) => {
    const stack = compliantStack();
    c.change(stack);
    expect(evaluate(stack, {}, undefined, c.stack).filter((v) => v.rule === rule)).toEqual([]);
  });

  const failing = Object.entries(RULE_CASES).flatMap(([rule, c]) => c.fail.map((f) => [rule, f.label, f] as const));
  test.each(failing)("%s fails: %s", (rule, _label, c) => {
    const stack = compliantStack();
    c.change(stack);
    const violations = evaluate(stack, {}, undefined, c.stack);
    const own = violations.filter((v) => v.rule === rule);
    expect(own.length).toBeGreaterThan(0);
    const extra = (r: string) => r !== rule && !(ALSO_FIRES[rule] ?? []).includes(r);
    // A type the case adds off the program's allowlist is flagged by the type allowlist, exactly those and no other.
    const listed = c.offAllowlist ?? [];
    expect(listed.filter((t) => Object.hasOwn(ALLOWED_TYPES, t))).toEqual([]);
    if (rule !== TYPE_ALLOWLIST_RULE) {
      const present = new Set(stack.map((r) => r.type));
      const flagged = [...new Set(violations.filter((v) => v.rule === TYPE_ALLOWLIST_RULE).map((v) => v.type))].sort();
      expect(flagged).toEqual(listed.filter((t) => present.has(t)).sort());
    }
    expect(violations.map((v) => v.rule).filter((r) => extra(r) && r !== TYPE_ALLOWLIST_RULE)).toEqual([]);
    for (const v of own) {
      expect(v.enforcement).toBe("mandatory");
      expect(v.message).toContain(`[${rule}]`);
      expect(v.message).toMatch(/\(found .+\); fix: .+/);
      if (c.resource) {
        expect(v.resource).toBe(c.resource);
        expect(v.message).toContain(`"${c.resource}"`);
      }
    }
    if (c.found) expect(own.some((v) => v.message.includes(c.found!))).toBe(true);
  });

  test("secret values never appear in messages", () => {
    const stack = compliantStack();
    RULE_CASES["webapp-no-secret-app-settings"].fail.forEach((c) => c.change(stack));
    const messages = evaluate(stack).map((v) => v.message).join("\n");
    expect(messages).toContain("DATABASE_URL");
    expect(messages).toContain("connection string sessions");
    const secrets = ["hunter2", "s3cr3t-value", "AccountKey=abc", "InstrumentationKey=abc", "sk-0000", "xoxb-0000", "correct horse", "c2VjcmV0", "sig=abc", "PRIVATE KEY", "Password=x", "User Id=u"];
    for (const secret of secrets) expect(messages).not.toContain(secret);
  });

  test.each([
    ["DATABASE_URL", true],
    ["SECRET_KEY", true],
    ["POSTGRES_PASSWORD", true],
    ["TELEMETRY_APP_INSIGHTS_CONNECTION_STRING", true],
    ["GITHUB_TOKEN", true],
    ["API_KEY_HEADER", false],
    ["ACCESS_TOKEN_EXPIRE_MINUTES", false],
    ["AZURE_KEYVAULT_NAME", false],
    ["JWT_ALGORITHM", false],
    ["LOG_LEVEL", false],
    ["JWT_PUBLIC_KEY_URL", false],
    ["JWT_PUBLIC_KEY", false],
    ["REDIS_URL", false],
    ["PRIVATE_KEY", true],
    // Glued words, credentials, SAS, passphrases; and names that only describe a secret.
    ["PGPASSWORD", true],
    ["DB_PASS", true],
    ["AZURE_CLIENT_CREDENTIAL", true],
    ["APPINSIGHTS_INSTRUMENTATIONKEY", true],
    ["OPENAI_APIKEY", true],
    ["CLIENTSECRET", true],
    ["GPG_PASSPHRASE", true],
    ["SAS_TOKEN", true],
    ["STORAGE_SAS", true],
    ["BYPASS_CACHE", false],
    ["KEY_VAULT_URI", false],
    ["KEY_VAULT", false],
    ["SECRET_NAME", false],
    ["TOKEN_ENDPOINT", false],
    ["SIGNING_KEY_ID", false],
  ])("app setting %s is secret-named: %s", (name, secret) => {
    expect(isSecretSettingName(name)).toBe(secret);
  });
});

describe("exceptions and enforcement", () => {
  test("an excepted rule is advisory and carries its reason; others stay mandatory", () => {
    const stack = compliantStack();
    RULE_CASES["postgres-firewall-no-azure-services"].fail[0].change(stack);
    stack.find((r) => r.name === "postgres-server")!.inputs.backup.backupRetentionDays = 7;
    const reason = "test: the App Service reaches the database through the Azure-services rule";
    const violations = evaluate(stack, { "postgres-firewall-no-azure-services": reason });
    expect(violations.map((v) => [v.rule, v.enforcement, v.exception])).toEqual([
      ["postgres-backup-retention-14-days", "mandatory", undefined],
      ["postgres-firewall-no-azure-services", "advisory", reason],
    ]);
    expect(enforcementOf("postgres-firewall-no-azure-services", { "postgres-firewall-no-azure-services": reason })).toBe("advisory");
  });

  test("pack config: excepted rules advisory, nothing else listed (the pack default is mandatory)", () => {
    // The rules that read the stack's facts always carry them (production unless said otherwise), others only when waived.
    const facts = {
      "postgres-parameters-allowlisted": { enforcementLevel: "mandatory", production: true },
      "app-settings-allowlisted": { enforcementLevel: "mandatory", production: true },
      "bootstrap-run-contained": { enforcementLevel: "mandatory", production: true },
    };
    expect(policyPackConfig({})).toEqual(facts);
    expect(policyPackConfig({ "stateful-resources-locked": "test stacks are torn down" })).toEqual({ ...facts, "stateful-resources-locked": "advisory" });
    expect(policyPackConfig({}, { production: false })).toEqual({
      "postgres-parameters-allowlisted": { enforcementLevel: "mandatory", production: false },
      "app-settings-allowlisted": { enforcementLevel: "mandatory", production: false },
      "bootstrap-run-contained": { enforcementLevel: "mandatory", production: false },
    });
  });

  test("an exception naming no rule is rejected with the list of rules", () => {
    expect(() => checkExceptions({ "postgres-publc-access": "typo" })).toThrow(/unknown rules: postgres-publc-access \(rules: postgres-public-network-access-disabled, /);
    expect(() => evaluate([], { nope: "x" })).toThrow(/unknown rules: nope/);
  });
});
