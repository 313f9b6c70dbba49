// tools/azure-setup.ts: flag validation, and the printed set-up script run against stand-in `az`/`gh` commands,
// checked against what the workflows expect (OIDC subjects, repository variables).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { main, parseSetupArgs, RESOURCE_PROVIDERS, setupScript, UsageError } from "../tools/azure-setup";

const SUB = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const REPO = "contoso/amplifier-infra";

function usageErrors(argv: string[]): string[] {
  try {
    parseSetupArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) return e.lines;
    throw e;
  }
  throw new Error(`no error for ${argv.join(" ")}`);
}

describe("flags", () => {
  test("defaults, and both --flag value and --flag=value", () => {
    expect(parseSetupArgs(["--repo", REPO, "--subscription", SUB.toUpperCase()])).toEqual({
      repo: REPO, subscription: SUB, appName: "amplifier-infra", location: "eastus", stateAccount: undefined,
    });
    expect(parseSetupArgs([`--repo=${REPO}`, `--subscription=${SUB}`, "--app-name=amp", "--location", "westeurope", "--state-account", "ampstate1"]))
      .toEqual({ repo: REPO, subscription: SUB, appName: "amp", location: "westeurope", stateAccount: "ampstate1" });
  });

  test.each([
    [["--repo", "contoso", "--subscription", SUB], '--repo (got "contoso"): a GitHub repository as owner/name, e.g. contoso/amplifier-infra'],
    [["--repo", "a/b/c", "--subscription", SUB], '--repo (got "a/b/c"): a GitHub repository as owner/name, e.g. contoso/amplifier-infra'],
    [["--repo", "-x/y", "--subscription", SUB], '--repo (got "-x/y"): a GitHub repository as owner/name, e.g. contoso/amplifier-infra'],
    [["--repo", "o/r;rm -rf", "--subscription", SUB], '--repo (got "o/r;rm -rf"): a GitHub repository as owner/name, e.g. contoso/amplifier-infra'],
    [["--repo", REPO, "--subscription", "my-sub"], '--subscription (got "my-sub"): an Azure subscription ID, a GUID such as 00000000-0000-0000-0000-000000000000'],
    [["--repo", REPO, "--subscription", SUB, "--location", "East US"], '--location (got "East US"): an Azure region name in lower case, e.g. eastus or westeurope'],
    [["--repo", REPO, "--subscription", SUB, "--state-account", "Amp_State"], '--state-account (got "Amp_State"): a storage account name: 3-24 lower-case letters and digits'],
    [["--repo", REPO, "--subscription", SUB, "--app-name", "1app"], `--app-name (got "1app"): a name of 1-51 letters, digits and '-', starting with a letter`],
    [["--repo", REPO, "--subscription", SUB, "--tenant", "x"], "--tenant (unknown flag): allowed flags are --repo, --subscription, --app-name, --location, --state-account"],
    [["--repo", REPO, "--subscription", SUB, "extra"], "extra (unexpected argument): allowed flags are --repo, --subscription, --app-name, --location, --state-account"],
    [["--repo", REPO, "--subscription"], "--subscription (got no value): an Azure subscription ID, a GUID such as 00000000-0000-0000-0000-000000000000"],
    [["--repo", REPO, "--repo", "o/r", "--subscription", SUB], '--repo (got "o/r" after "contoso/amplifier-infra"): give it once'],
  ])("%j is rejected", (argv, message) => {
    expect(usageErrors(argv)).toEqual([message]);
  });

  test("missing required flags and a flag without its value are all reported at once", () => {
    expect(usageErrors(["--location", "--bogus"])).toEqual([
      "--location (got no value): an Azure region name in lower case, e.g. eastus or westeurope",
      "--bogus (unknown flag): allowed flags are --repo, --subscription, --app-name, --location, --state-account",
      "--repo (missing): a GitHub repository as owner/name, e.g. contoso/amplifier-infra",
      "--subscription (missing): an Azure subscription ID, a GUID such as 00000000-0000-0000-0000-000000000000",
    ]);
  });

  test("main: exit 2 with the errors and usage on stderr, nothing on stdout; --help exits 0", () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(main(["--repo", "nope"], (s) => out.push(s), (s) => err.push(s))).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("")).toMatch(/^azure-setup: bad arguments\n {2}--repo \(got "nope"\).*\n {2}--subscription \(missing\).*\nusage: npm run/);
    expect(main(["--help"], (s) => out.push(s), (s) => err.push(s))).toBe(0);
    expect(out.join("")).toMatch(/^usage: /);
  });
});

// Runs the printed script with stand-in az, gh and sleep that log each call and answer the queries it makes.
function runWithStubs(script: string): string[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "azure-setup-"));
  try {
    const bin = path.join(tmp, "bin");
    fs.mkdirSync(bin);
    const log = path.join(tmp, "calls.log");
    const stub = (body: string) => `#!/usr/bin/env bash\nprintf '%s\\n' "$(basename "$0") $*" >> "${log}"\n${body}\n`;
    fs.writeFileSync(path.join(bin, "az"), stub(`case "$*" in
  "account show"*) echo tenant-0001 ;;
  "ad app create --display-name "*) echo "appid-$5" ;;
  "ad sp show"*) exit 3 ;;
  "ad sp create --id "*) echo "spid-$5" ;;
  "ad app federated-credential show"*|"keyvault key show"*) exit 3 ;;
  "ad signed-in-user show"*) echo me-0001 ;;
  "storage account show"*|"keyvault show"*) echo /subscriptions/x/resourceGroups/rg/providers/thing ;;
esac`), { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "gh"), stub('[ "$*" = "api user --jq .id" ] && echo 4242; case "$*" in *--input*) cat >/dev/null ;; esac; exit 0'), { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "sleep"), stub(""), { mode: 0o755 });
    fs.writeFileSync(path.join(tmp, "setup.sh"), script);
    execFileSync("bash", [path.join(tmp, "setup.sh")], { env: { PATH: `${bin}:${process.env.PATH}` }, stdio: ["ignore", "pipe", "pipe"] });
    return fs.readFileSync(log, "utf8").trim().split("\n");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

describe("the printed set-up", () => {
  const calls = runWithStubs(setupScript(parseSetupArgs(["--repo", REPO, "--subscription", SUB])));
  const credentials = calls.filter((c) => c.startsWith("az ad app federated-credential create"));
  const subjectsOf = (appId: string) =>
    credentials.filter((c) => c.includes(`--id ${appId} `)).map((c) => JSON.parse(c.slice(c.indexOf("{"))).subject).sort();

  test("one federated credential per subject the workflows present, on the right identity", () => {
    expect(subjectsOf("appid-amplifier-infra-deploy")).toEqual([`repo:${REPO}:environment:prod`, `repo:${REPO}:environment:test`]);
    expect(subjectsOf("appid-amplifier-infra-preview")).toEqual([`repo:${REPO}:pull_request`, `repo:${REPO}:ref:refs/heads/main`]);
    for (const c of credentials) {
      expect(JSON.parse(c.slice(c.indexOf("{")))).toMatchObject({ issuer: "https://token.actions.githubusercontent.com", audiences: ["api://AzureADTokenExchange"] });
    }
  });

  test("the deploy identity may create resources and role assignments; the preview identity only reads", () => {
    const roles = (sp: string) => calls.filter((c) => c.startsWith(`az role assignment create --assignee-object-id ${sp} `))
      .map((c) => c.replace(/.*--role (.*) --scope (.*)$/, "$1 @ $2"));
    expect(roles("spid-appid-amplifier-infra-deploy")).toEqual([
      `Contributor @ /subscriptions/${SUB}`, `Role Based Access Control Administrator @ /subscriptions/${SUB}`,
      `amplifier-infra lock manager @ /subscriptions/${SUB}`,
    ]);
    expect(roles("spid-appid-amplifier-infra-preview")).toEqual([`Reader @ /subscriptions/${SUB}`]);
  });

  test("the lock role grants management locks and nothing else (prod's CanNotDelete locks)", () => {
    const create = calls.find((c) => c.startsWith("az role definition create --role-definition "))!;
    const definition = JSON.parse(create.slice("az role definition create --role-definition ".length));
    expect(definition).toMatchObject({
      Name: "amplifier-infra lock manager",
      Actions: ["Microsoft.Authorization/locks/read", "Microsoft.Authorization/locks/write", "Microsoft.Authorization/locks/delete"],
      AssignableScopes: [`/subscriptions/${SUB}`],
    });
  });

  test("no client secret or certificate is ever created", () => {
    expect(calls.filter((c) => /credential reset|--password|--cert|client-secret/i.test(c))).toEqual([]);
  });

  test("registers the resource providers and sets every repository variable the workflows read", () => {
    for (const ns of RESOURCE_PROVIDERS) expect(calls).toContain(`az provider register --namespace ${ns} --wait`);
    const vars = Object.fromEntries(calls.filter((c) => c.startsWith("gh variable set ")).map((c) => [c.split(" ")[3], c.split("--body ")[1]]));
    expect(vars).toEqual({
      AZURE_CLIENT_ID: "appid-amplifier-infra-deploy", AZURE_PREVIEW_CLIENT_ID: "appid-amplifier-infra-preview",
      AZURE_TENANT_ID: "tenant-0001", AZURE_SUBSCRIPTION_ID: SUB,
    });
    const dir = path.join(__dirname, "..", ".github", "workflows");
    const used = new Set(fs.readdirSync(dir).flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").match(/vars\.[A-Z_]+/g) ?? []).map((v) => v.slice(5)));
    // PULUMI_BACKEND_URL (self-managed state) and PULUMI_ORG are optional: unset means Pulumi Cloud, personal account.
    expect([...used].sort()).toEqual([...Object.keys(vars), "PULUMI_BACKEND_URL", "PULUMI_ORG"].sort());
    expect(calls).toContain(`gh secret set PULUMI_ACCESS_TOKEN --repo ${REPO}`);
  });

  test("environments test and prod deploy from main only; prod has a required reviewer", () => {
    const prod = calls.find((c) => c.startsWith(`gh api --method PUT repos/${REPO}/environments/prod`));
    expect(prod).toBeDefined();
    expect(calls).toContain(`gh api --method POST repos/${REPO}/environments/test/deployment-branch-policies -f name=main -f type=branch`);
    expect(calls).toContain(`gh api --method POST repos/${REPO}/environments/prod/deployment-branch-policies -f name=main -f type=branch`);
    const deploy = parse(fs.readFileSync(path.join(__dirname, "..", ".github", "workflows", "deploy.yml"), "utf8"));
    expect(Object.values(deploy.jobs).map((j: any) => j.environment).sort()).toEqual(["prod", "test"]);
  });

  test("the prod environment's reviewer is the user running it", () => {
    const script = setupScript(parseSetupArgs(["--repo", REPO, "--subscription", SUB]));
    const line = script.split("\n").find((l) => l.includes("environments/prod' --input"))!;
    const body = line.slice(line.indexOf("<<< ") + 4);
    const json = execFileSync("bash", ["-c", `gh() { echo 4242; }; printf '%s' ${body}`]).toString();
    expect(JSON.parse(json)).toEqual({
      reviewers: [{ type: "User", id: 4242 }],
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
    });
  });

  test("with --state-account: azblob state and a Key Vault secrets key, reached by Entra roles only", () => {
    const script = setupScript(parseSetupArgs(["--repo", REPO, "--subscription", SUB, "--state-account", "ampstate1"]));
    const stateCalls = runWithStubs(script);
    expect(stateCalls).toContain(`gh variable set PULUMI_BACKEND_URL --repo ${REPO} --body azblob://pulumi-state?storage_account=ampstate1`);
    expect(stateCalls.find((c) => c.startsWith("az storage account create"))).toMatch(/--min-tls-version TLS1_2 .*--allow-blob-public-access false --allow-shared-key-access false$/);
    expect(stateCalls.find((c) => c.startsWith("az keyvault key create"))).toBe("az keyvault key create --vault-name kv-ampstate1 --name pulumi-secrets --kty RSA --size 4096");
    for (const sp of ["spid-appid-amplifier-infra-deploy", "spid-appid-amplifier-infra-preview"]) {
      for (const role of ["Storage Blob Data Contributor", "Key Vault Crypto User"]) {
        expect(stateCalls.filter((c) => c.startsWith(`az role assignment create --assignee-object-id ${sp} `) && c.includes(`--role ${role} `))).toHaveLength(1);
      }
    }
    expect(stateCalls.some((c) => c.startsWith("gh secret set PULUMI_ACCESS_TOKEN"))).toBe(false);
    expect(script).toContain("pulumi stack init test --secrets-provider 'azurekeyvault://kv-ampstate1.vault.azure.net/keys/pulumi-secrets'");
  });
});
