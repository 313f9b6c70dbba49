// The deploy's last word on a first start: after `pulumi up`, every Key Vault reference of the web app must be
// Resolved, or the deploy fails (.github/scripts/check-key-vault-references.sh, run here with a stand-in `az`).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { environments } from "../config/stack-files";
import { runStack } from "../mock-runtime";
import { allJobs, PINS, pulumiSteps, root, text, workflowErrors } from "./support/workflows";

const CHECK_RUN = "bash .github/scripts/check-key-vault-references.sh";
const upJobs = allJobs.filter(([, job]) => pulumiSteps(job).some((s) => s.with?.command === "up"));

describe("every `pulumi up` job checks the Key Vault references after the update", () => {
  test("there are deploy jobs, and each one logs in to Azure again and runs the check right after its Pulumi step, with no secret", () => {
    expect(upJobs.map(([id]) => id).sort()).toEqual(["deploy.yml:up-gated", "deploy.yml:up-ungated"]);
    for (const [id, job] of upJobs) {
      const [up] = pulumiSteps(job);
      const i = job.steps.indexOf(up);
      const [login, check] = [job.steps[i + 1], job.steps[i + 2]];
      expect([id, up.id]).toEqual([id, "up"]);
      expect([id, login.uses, login.if, login.with]).toEqual([
        id,
        `azure/login@${PINS["azure/login"].sha}`,
        undefined,
        { "client-id": "${{ vars.AZURE_CLIENT_ID }}", "tenant-id": "${{ vars.AZURE_TENANT_ID }}", "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}" },
      ]);
      expect([id, check.run, check.env]).toEqual([
        id,
        CHECK_RUN,
        { RESOURCE_GROUP: "${{ steps.up.outputs.resourceGroupName }}", WEB_APP: "${{ steps.up.outputs.webAppName }}" },
      ]);
      expect([id, /secrets\./.test(text(check)), check.if]).toEqual([id, false, undefined]);
      // The subscription comes from the job, as the Pulumi step's does.
      expect([id, job.env?.ARM_SUBSCRIPTION_ID]).toEqual([id, "${{ vars.AZURE_SUBSCRIPTION_ID }}"]);
      expect([id, job.steps.length]).toEqual([id, i + 3]);
    }
  });

  test.each(environments().filter((e) => e.platform === "azure").map((e) => e.stack))("%s exports the stack outputs the check reads", async (stack) => {
    const result = await runStack({ stack });
    expect(result.outputs).toMatchObject({ resourceGroupName: expect.stringMatching(/\S/), webAppName: expect.stringMatching(/\S/) });
    expect(result.secretOutputs).not.toEqual(expect.arrayContaining(["resourceGroupName", "webAppName"]));
  });
});

describe("the check: resolved passes, pending is refreshed and looked at again, never resolved fails the deploy", () => {
  const script = path.join(root, ".github", "scripts", "check-key-vault-references.sh");
  const SITE = "/subscriptions/sub-1/resourceGroups/rg-amplifier-prod/providers/Microsoft.Web/sites/amplifier-api-prod";
  const row = (setting: string, status: string) => `${SITE}/config/configreferences/appsettings/${setting}\t${status}`;
  const RESOLVED = [row("DATABASE_URL", "Resolved"), row("SECRET_KEY", "Resolved")].join("\n");
  const DENIED = [row("DATABASE_URL", "Resolved"), row("SECRET_KEY", "AccessToKeyVaultDenied")].join("\n");

  /** Runs the script with a stand-in `az` that answers each GET with the next of `answers` (the last one repeats). */
  function check(answers: (string | { fail: string })[], env: Record<string, string> = {}, restartFails = false) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-refs-"));
    try {
      const log = path.join(tmp, "calls.log");
      if (restartFails) fs.writeFileSync(path.join(tmp, "restart-fails"), "");
      answers.forEach((a, i) => fs.writeFileSync(path.join(tmp, `answer-${i}`), typeof a === "string" ? a : ""));
      const failing = answers.map((a, i) => (typeof a === "string" ? "" : `${i}) echo "${a.fail}" >&2; exit 1 ;;`)).join("\n");
      const stub = (body: string) => `#!/usr/bin/env bash\necho "$(basename "$0") $*" >> "${log}"\n${body}\n`;
      fs.writeFileSync(
        path.join(tmp, "az"),
        stub(`case "$5" in */restart\\?*) if [ -f "${tmp}/restart-fails" ]; then echo "Conflict: the site is busy" >&2; exit 1; fi ;; esac
if [ "$3" = get ]; then
  n=$(cat "${tmp}/n" 2>/dev/null || echo 0); echo $((n + 1)) > "${tmp}/n"
  last=${answers.length - 1}; [ "$n" -le "$last" ] || n=$last
  case "$n" in
${failing}
  esac
  cat "${tmp}/answer-$n"
fi
exit 0`),
        { mode: 0o755 },
      );
      for (const tool of ["sleep", "pulumi", "npm", "node", "curl"]) fs.writeFileSync(path.join(tmp, tool), stub("exit 0"), { mode: 0o755 });
      const run = spawnSync("bash", [script], {
        cwd: root,
        encoding: "utf8",
        env: { PATH: `${tmp}:/usr/bin:/bin`, ARM_SUBSCRIPTION_ID: "sub-1", RESOURCE_GROUP: "rg-amplifier-prod", WEB_APP: "amplifier-api-prod", ATTEMPTS: "3", INTERVAL: "7", ...env },
      });
      const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
      const { errors, message } = workflowErrors(run.stdout);
      return { status: run.status, stdout: run.stdout, errors, message, calls };
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  const GET = `az rest --method get --url https://management.azure.com${SITE}/config/configreferences/appsettings?api-version=2022-03-01 --query value[].[id, properties.status] --output tsv`;
  const REFRESH = `az rest --method post --url https://management.azure.com${SITE}/config/configreferences/appsettings/refresh?api-version=2022-03-01 --output none`;

  test("every reference Resolved: passes after one read, and refreshes nothing", () => {
    const r = check([RESOLVED]);
    expect({ status: r.status, errors: r.errors }).toEqual({ status: 0, errors: [] });
    expect(r.stdout).toContain("All 2 Key Vault references of amplifier-api-prod are Resolved.");
    expect(r.calls).toEqual([GET]);
  });

  const RESTART = `az rest --method post --url https://management.azure.com${SITE}/restart?softRestart=false&synchronous=true&api-version=2022-03-01 --output none`;

  test("a grant that applies late: refresh, wait, look again, then restart the app (its process may hold the literal text) and look once more", () => {
    const r = check([DENIED, RESOLVED]);
    expect({ status: r.status, errors: r.errors }).toEqual({ status: 0, errors: [] });
    expect(r.calls).toEqual([GET, REFRESH, "sleep 7", GET, RESTART, GET]);
    expect(r.stdout).toContain("SECRET_KEY: AccessToKeyVaultDenied");
    expect(r.stdout).toContain("restarting the app so its process reads them");
  });

  test("a failed restart after a refresh fails the deploy: the process may still hold @Microsoft.KeyVault(...) text", () => {
    const r = check([DENIED, RESOLVED], {}, true);
    expect(r.status).toBe(1);
    expect(r.calls).toEqual([GET, REFRESH, "sleep 7", GET, RESTART]);
    expect(r.errors[0]).toMatch(/^::error title=Cannot restart amplifier-api-prod::/);
    expect(r.message).toContain("Conflict: the site is busy");
    expect(r.message).toContain("az webapp restart -g rg-amplifier-prod -n amplifier-api-prod");
  });

  test("never Resolved: fails the deploy after the last look, naming each setting and its status and what to do", () => {
    const r = check([DENIED]);
    expect(r.status).toBe(1);
    expect(r.calls).toEqual([GET, REFRESH, "sleep 7", GET, REFRESH, "sleep 7", GET]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^::error title=Key Vault references of amplifier-api-prod did not resolve::/);
    expect(r.message).toContain("SECRET_KEY: AccessToKeyVaultDenied");
    expect(r.message).not.toContain("DATABASE_URL");
    expect(r.message).toContain('docs/secrets.md, "Check the references"');
    expect(fs.readFileSync(path.join(root, "docs/secrets.md"), "utf8")).toMatch(/^#+ Check the references$/m);
  });

  test("no reference listed yet is not success; a failed read stops with az's own words", () => {
    const empty = check([""]);
    expect(empty.status).toBe(1);
    expect(empty.message).toContain("no Key Vault reference is listed yet");
    const denied = check([{ fail: "AuthorizationFailed: no permission" }]);
    expect(denied.status).toBe(1);
    expect(denied.errors[0]).toMatch(/^::error title=Cannot read the Key Vault references of amplifier-api-prod::/);
    expect(denied.message).toContain("AuthorizationFailed: no permission");
    expect(denied.calls).toEqual([GET]);
  });

  test("it calls nothing but az (and sleep): no project code or dependency runs next to the Azure login", () => {
    const r = check([DENIED, RESOLVED]);
    expect([...new Set(r.calls.map((c) => c.split(" ")[0]))].sort()).toEqual(["az", "sleep"]);
  });

  test("the defaults wait longer than a role assignment takes to apply (up to 10 minutes)", () => {
    const body = fs.readFileSync(script, "utf8");
    const attempts = Number(/attempts="\$\{ATTEMPTS:-(\d+)\}"/.exec(body)![1]);
    const interval = Number(/interval="\$\{INTERVAL:-(\d+)\}"/.exec(body)![1]);
    expect((attempts - 1) * interval).toBeGreaterThan(10 * 60);
  });
});
