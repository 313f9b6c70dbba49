/**
 * `appDeploy`, the app repository's deploy identity, on every Azure stack: without the block nothing of it exists;
 * with it, one user-assigned identity trusting exactly one GitHub environment of the repository (issuer, audience,
 * subject with or without immutable ids), Website Contributor on the web app and nowhere else, and the outputs the
 * app's workflow logs in with. Also: a changed repository updates the credential in place, the policy pack holds
 * the role to the web app, bad blocks stop before anything is registered.
 */
import { AZURE_TOKEN_EXCHANGE_AUDIENCE, GITHUB_OIDC_ISSUER } from "../config/github";
import { CREDENTIAL_NAME, WEBSITE_CONTRIBUTOR } from "../components/app-deploy";
import { ConfigError } from "../config/schema";
import { byType, MOCK_CLIENT_CONFIG, oneOfType, type RegisteredResource, runProgram, runStack, type RunResult, userResources } from "../mock-runtime";
import { evaluate } from "../policy/evaluate";
import { buildPlan } from "../plan/model";
import { azureStacks } from "../tools/ci-stacks";
import { at, AZURE, azureConfig, DOCKER, NETWORKED, PUBLIC, stackWith, stacksCovering } from "./support/stacks";

const T = {
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  credential: "azure-native:managedidentity:FederatedIdentityCredential",
  role: "azure-native:authorization:RoleAssignment",
  webApp: "azure-native:web:WebApp",
};
const APP_DEPLOY = { repository: "contoso/amplifier-api", environment: "production" };
/** A repository created or renamed since mid-2026: GitHub's subject carries the owner's and repository's ids. */
const IMMUTABLE = { repository: "contoso@4242/amplifier-api@777", environment: "production" };

// Every Azure stack file, and a stand-in for a public or a private one when no stack file is (test/support/stacks.ts).
const covered = stacksCovering(AZURE, [PUBLIC, NETWORKED]);
/** The stack the single-stack checks run on, and its derived names. */
const one = stackWith(AZURE);
const { appService, azure } = azureConfig(one);
const oneLabel = covered.find((c) => c.dir === one.dir && c.stack === one.stack)!.label;
const without: Record<string, RunResult> = {};
const withBlock: Record<string, RunResult> = {};
let immutable: RunResult;
let renamed: RunResult;

beforeAll(async () => {
  for (const c of covered) {
    without[c.label] = await runStack(at(c));
    withBlock[c.label] = await runStack({ ...at(c), overrides: { appDeploy: APP_DEPLOY } });
  }
  immutable = await runStack({ ...at(one), overrides: { appDeploy: IMMUTABLE } });
  renamed = await runStack({ ...at(one), overrides: { appDeploy: { ...IMMUTABLE, repository: "contoso@4242/amplifier-service@777" } } });
});

const deployIdentity = (run: RunResult) => byType(run, T.identity).find((r) => r.inputs.resourceName.endsWith("-deploy"))!;
const grantsTo = (run: RunResult, identity: RegisteredResource) => byType(run, T.role).filter((r) => r.inputs.principalId === identity.state.principalId);

describe("appDeploy: the app repository's deploy identity", () => {
  test("the stacks it is checked on come from the stack files", () => {
    expect(covered.filter((c) => !c.fixture).map((c) => c.stack)).toEqual(azureStacks().map((c) => c.stack));
    // A public and a private stack, whatever the stack files hold.
    expect(covered.some((c) => PUBLIC.has(c.cfg)) && covered.some((c) => NETWORKED.has(c.cfg))).toBe(true);
  });

  test("without the block: no deploy identity, no federated credential, no Website Contributor, no appDeploy outputs", () => {
    for (const { stack, label } of covered) {
      const run = without[label];
      expect([stack, byType(run, T.credential)]).toEqual([stack, []]);
      // The app's identity and the database bootstrap's; no deploy identity.
      expect([stack, byType(run, T.identity).map((r) => r.inputs.resourceName).sort()]).toEqual([stack, [`id-amplifier-api-${stack}`, `id-amplifier-db-bootstrap-${stack}`]]);
      expect([stack, byType(run, T.role).filter((r) => r.inputs.roleDefinitionId.endsWith(WEBSITE_CONTRIBUTOR))]).toEqual([stack, []]);
      expect([stack, Object.keys(run.outputs).filter((k) => k.startsWith("appDeploy"))]).toEqual([stack, []]);
    }
  });

  test("with it: one identity, one credential trusting exactly the repository's environment", () => {
    for (const { stack, label } of covered) {
      const run = withBlock[label];
      const identity = deployIdentity(run);
      expect(identity.inputs).toMatchObject({ resourceName: `id-amplifier-api-${stack}-deploy`, resourceGroupName: `rg-amplifier-${stack}` });
      const credential = oneOfType(run, T.credential);
      expect(credential.inputs).toEqual({
        federatedIdentityCredentialResourceName: CREDENTIAL_NAME,
        resourceName: identity.inputs.resourceName,
        resourceGroupName: `rg-amplifier-${stack}`,
        issuer: GITHUB_OIDC_ISSUER,
        subject: "repo:contoso/amplifier-api:environment:production",
        audiences: [AZURE_TOKEN_EXCHANGE_AUDIENCE],
      });
      expect(credential.inputs.issuer).toBe("https://token.actions.githubusercontent.com");
      expect(credential.inputs.audiences).toEqual(["api://AzureADTokenExchange"]);
      // Written after its identity exists (the credential is a child of it).
      expect(credential.propertyDependencies.resourceName).toEqual([identity.urn]);
    }
  });

  test("a repository with immutable subject claims: the subject carries both ids", () => {
    expect(oneOfType(immutable, T.credential).inputs.subject).toBe("repo:contoso@4242/amplifier-api@777:environment:production");
  });

  test("Website Contributor on the web app only, and no other role for the identity", () => {
    for (const { stack, label } of covered) {
      const run = withBlock[label];
      const identity = deployIdentity(run);
      const webApp = oneOfType(run, T.webApp);
      const roles = grantsTo(run, identity);
      expect([stack, roles.map((r) => r.inputs)]).toEqual([
        stack,
        [
          {
            principalId: identity.state.principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: `/subscriptions/${MOCK_CLIENT_CONFIG.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${WEBSITE_CONTRIBUTOR}`,
            scope: webApp.state.id,
          },
        ],
      ]);
      expect(webApp.state.id).toMatch(/\/resourceGroups\/[^/]+\/providers\/Microsoft\.Web\/sites\/amplifier-api-[a-z]+$/);
      expect(roles[0].propertyDependencies).toMatchObject({ principalId: [identity.urn], scope: [webApp.urn] });
      // The only Website Contributor assignment of the stack, and the app's own identity is unchanged.
      expect(byType(run, T.role).filter((r) => r.inputs.roleDefinitionId.endsWith(WEBSITE_CONTRIBUTOR))).toEqual(roles);
      const appIdentity = byType(run, T.identity).find((r) => r.name === "app-identity")!;
      // The app's identity keeps only its Key Vault Secrets User grants (one per secret it reads).
      const appRoles = grantsTo(run, appIdentity).map((r) => r.inputs.roleDefinitionId.split("/").pop());
      expect(appRoles.length).toBeGreaterThanOrEqual(4);
      expect([...new Set(appRoles)]).toEqual(["4633458b-17de-408a-b874-0445c86b69e6"]);
    }
  });

  test("the block adds those three resources and their component, nothing else, and changes nothing that exists", () => {
    for (const { stack, label } of covered) {
      const shape = (r: RegisteredResource) => JSON.stringify([r.type, r.name, r.inputs]);
      const before = new Set(userResources(without[label]).map(shape));
      const added = userResources(withBlock[label]).filter((r) => !before.has(shape(r)));
      expect([stack, added.map((r) => r.name).sort()]).toEqual([stack, ["app-deploy", "app-deploy-credential", "app-deploy-identity", "app-deploy-website-contributor"]]);
    }
  });

  test("stack outputs: what the app's workflow logs in and deploys with", () => {
    for (const { stack, label } of covered) {
      const run = withBlock[label];
      expect(run.outputs).toMatchObject({
        appDeployClientId: deployIdentity(run).state.clientId,
        appDeployTenantId: MOCK_CLIENT_CONFIG.tenantId,
        appDeploySubscriptionId: MOCK_CLIENT_CONFIG.subscriptionId,
        webAppName: `amplifier-api-${stack}`,
        resourceGroupName: `rg-amplifier-${stack}`,
      });
      // Ids, not secrets: the workflow keeps them as plain variables.
      expect(run.secretOutputs.filter((k) => k.startsWith("appDeploy"))).toEqual([]);
    }
  });

  test("a renamed repository (a new subject) changes only the credential's subject: an update in place, same name, same identity", () => {
    const before = oneOfType(immutable, T.credential);
    const after = oneOfType(renamed, T.credential);
    const { subject: s1, ...rest1 } = before.inputs;
    const { subject: s2, ...rest2 } = after.inputs;
    expect(rest2).toEqual(rest1);
    expect([s1, s2]).toEqual(["repo:contoso@4242/amplifier-api@777:environment:production", "repo:contoso@4242/amplifier-service@777:environment:production"]);
    expect(after.name).toBe(before.name);
    expect(deployIdentity(renamed).inputs).toEqual(deployIdentity(immutable).inputs);
  });

  test("the policy pack passes it, and the plan shows the identity, what it trusts and the role's scope", () => {
    for (const { stack, label } of covered) {
      expect([stack, evaluate(withBlock[label].resources).filter((v) => v.rule === "app-deploy-role-scoped-to-web-app")]).toEqual([stack, []]);
    }
    const plan = buildPlan(withBlock[oneLabel]);
    const settings = (name: string) => Object.fromEntries(plan.resources.find((r) => r.name === name)!.settings);
    expect(settings("app-deploy-identity")).toEqual({ name: `id-${appService.name}-deploy` });
    expect(settings("app-deploy-credential")).toMatchObject({ trusts: "repo:contoso/amplifier-api:environment:production", issuer: GITHUB_OIDC_ISSUER });
    expect(settings("app-deploy-website-contributor")).toEqual({
      role: "Website Contributor",
      principal: `UserAssignedIdentity id-${appService.name}-deploy (ServicePrincipal)`,
      scope: `WebApp ${appService.name}`,
    });
    // Identities and credentials cost nothing: the total stays a full figure.
    expect(plan.cost.total.unpriced).toEqual([]);
  });

  test("widening the role's scope to the resource group is a mandatory policy finding", () => {
    const run = structuredClone(withBlock[oneLabel]);
    const role = run.resources.find((r) => r.name === "app-deploy-website-contributor")!;
    role.inputs.scope = `/subscriptions/${MOCK_CLIENT_CONFIG.subscriptionId}/resourceGroups/${azure.resourceGroupName}`;
    delete role.propertyDependencies.scope;
    const found = evaluate(run.resources).filter((v) => v.rule === "app-deploy-role-scoped-to-web-app");
    expect(found.map((v) => [v.resource, v.enforcement])).toEqual([["app-deploy-website-contributor", "mandatory"]]);
    expect(found[0].message).toContain("a scope other than the stack's web app");
  });
});

describe("appDeploy: bad blocks stop before anything is registered", () => {
  test.each([
    ["a bare repository name", one, { appDeploy: { ...APP_DEPLOY, repository: "amplifier-api" } }, ['appDeploy.repository (got "amplifier-api")', "owner@<owner id>/name@<repository id>"]],
    ["one id without the other", one, { appDeploy: { ...APP_DEPLOY, repository: "contoso@42/amplifier-api" } }, ["appDeploy.repository", "owner/name"]],
    ["an environment with a colon (it would be encoded in the subject)", one, { appDeploy: { ...APP_DEPLOY, environment: "prod:eu" } }, ['appDeploy.environment (got "prod:eu")', "GitHub environment name"]],
    ["a missing environment", one, { appDeploy: { repository: "contoso/amplifier-api" } }, ["appDeploy.environment"]],
    ["an unknown key", one, { appDeploy: { ...APP_DEPLOY, branch: "main" } }, ['unknown key "branch"']],
    ["the app's own identity name", one, { appDeploy: { ...APP_DEPLOY, identityName: appService.identityName } }, ["appDeploy.identityName", "the app's own identity"]],
    ["on a Docker stack", stackWith(DOCKER), { appDeploy: APP_DEPLOY }, ["appDeploy", "is not used when platform is docker"]],
  ])("%s", async (_label, stack, overrides, fragments) => {
    const result = await runProgram({ ...at(stack), overrides });
    expect(result.error).toBeInstanceOf(ConfigError);
    for (const fragment of fragments) expect(result.error!.message).toContain(fragment);
    expect(userResources(result)).toEqual([]);
  });
});
