/**
 * What the mock runtime answers in place of the providers: computed outputs (ids, FQDNs, generated secrets) for each
 * registered resource, and the invokes the program makes. Everything is deterministic, so two runs of one stack
 * register the same values. An invoke without an answer here fails the run.
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";

/**
 * Fixed identity answered for `azure-native:authorization:getClientConfig`. The subscription is in mixed case on
 * purpose: azure-native uses it exactly as configured (ARM_SUBSCRIPTION_ID may be typed in any case), so a program
 * that changed its case anywhere (an import id, a scope) would differ from what the provider builds, and tests see it.
 */
export const MOCK_CLIENT_CONFIG = {
  clientId: "00000000-0000-0000-0000-00000000c11e",
  objectId: "00000000-0000-0000-0000-0000000000b1",
  subscriptionId: "5Ab0c1D2-e3F4-4a5B-9c6D-7E8f9A0b1C2d",
  tenantId: "00000000-0000-0000-0000-0000000000a1",
};

/** A deterministic stand-in for generated secrets: same resource name, same value, on every run. */
function deterministicChars(seed: string, length: number, alphabet: string): string {
  let out = "";
  for (let block = 0; out.length < length; block++) {
    const digest = crypto.createHash("sha256").update(`${seed}:${block}`).digest();
    for (const byte of digest) if (out.length < length) out += alphabet[byte % alphabet.length];
  }
  return out;
}

function deterministicBytes(seed: string, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < length; i++) blocks.push(crypto.createHash("sha256").update(`${seed}:${i}`).digest());
  return Buffer.concat(blocks).subarray(0, length);
}

function deterministicGuid(seed: string): string {
  const h = crypto.createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const AZURE_PROVIDER_NAMESPACES: Record<string, string> = {
  dbforpostgresql: "Microsoft.DBforPostgreSQL",
  keyvault: "Microsoft.KeyVault",
  web: "Microsoft.Web",
  storage: "Microsoft.Storage",
  network: "Microsoft.Network",
  privatedns: "Microsoft.Network",
  operationalinsights: "Microsoft.OperationalInsights",
  applicationinsights: "Microsoft.Insights",
  monitor: "Microsoft.Insights",
  authorization: "Microsoft.Authorization",
  managedidentity: "Microsoft.ManagedIdentity",
};

/** A user-assigned identity's ids, the same on the identity and wherever a web app lists it. */
function userIdentity(name: string): { principalId: string; clientId: string } {
  return { principalId: deterministicGuid(`uai-principal:${name}`), clientId: deterministicGuid(`uai-client:${name}`) };
}

/** A generated value's seed: its resource's name, and its keepers (pulumi-random makes a new value when they change). */
const seedOf = (args: pulumi.runtime.MockResourceArgs) => (args.inputs?.keepers ? `${args.name}:${JSON.stringify(args.inputs.keepers)}` : args.name);

/** Computed outputs the real providers would return, so outputs such as FQDNs and ids read like the real thing. */
export function builtInState(args: pulumi.runtime.MockResourceArgs): Record<string, any> {
  const inputs = args.inputs ?? {};
  const [pkg, module = "", typeName = ""] = args.type.split(":");
  const lowerType = typeName.charAt(0).toLowerCase() + typeName.slice(1);
  const name: string =
    inputs.name ?? inputs[`${lowerType}Name`] ?? inputs.federatedIdentityCredentialResourceName ?? inputs.resourceName ?? inputs.shareName ?? inputs.ruleName ?? inputs.lockName ?? inputs.accountName ?? args.name;
  const state: Record<string, any> = { name };
  if (pkg === "azure-native") {
    const sub = MOCK_CLIENT_CONFIG.subscriptionId;
    if (args.type === "azure-native:resources:ResourceGroup") {
      state.id = `/subscriptions/${sub}/resourceGroups/${name}`;
    } else {
      const ns = AZURE_PROVIDER_NAMESPACES[module] ?? `Microsoft.${module}`;
      const plural = lowerType.endsWith("y") ? `${lowerType.slice(0, -1)}ies` : `${lowerType}s`;
      state.id = `/subscriptions/${sub}/resourceGroups/${inputs.resourceGroupName ?? "rg"}/providers/${ns}/${plural}/${name}`;
    }
  }
  switch (args.type) {
    case "azure-native:dbforpostgresql:Server":
      state.fullyQualifiedDomainName = `${name}.postgres.database.azure.com`;
      break;
    case "random:index/randomPassword:RandomPassword": {
      const specials = inputs.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?";
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + (inputs.special === false ? "" : specials);
      state.result = deterministicChars(seedOf(args), inputs.length ?? 16, alphabet);
      break;
    }
    case "azure-native:keyvault:Vault":
      state.properties = { ...inputs.properties, vaultUri: `https://${name}.vault.azure.net/` };
      break;
    case "azure-native:keyvault:Secret": {
      // ARM never returns a secret's value; the state carries only its URIs.
      const secretUri = `https://${inputs.vaultName}.vault.azure.net/secrets/${name}`;
      // A new value is a new version (Key Vault keeps every value as a version; an unchanged one is not written).
      const version = crypto.createHash("sha256").update(`${args.name}:${JSON.stringify(inputs.properties?.value ?? null)}`).digest("hex").slice(0, 32);
      state.properties = { contentType: inputs.properties?.contentType, secretUri, secretUriWithVersion: `${secretUri}/${version}` };
      break;
    }
    case "azure-native:web:WebApp": {
      // ARM's type for a web app is Microsoft.Web/sites (role scopes and policy rules read this id).
      state.id = `/subscriptions/${MOCK_CLIENT_CONFIG.subscriptionId}/resourceGroups/${inputs.resourceGroupName ?? "rg"}/providers/Microsoft.Web/sites/${name}`;
      state.defaultHostName = `${name}.azurewebsites.net`;
      // As ARM answers: a system identity's principal on the site; user-assigned ones as a map id -> principal.
      const type: string = inputs.identity?.type ?? "None";
      const userIds: string[] = inputs.identity?.userAssignedIdentities ?? [];
      state.identity = {
        type,
        ...(type.includes("SystemAssigned") ? { principalId: deterministicGuid(`principal:${name}`), tenantId: MOCK_CLIENT_CONFIG.tenantId } : {}),
        ...(userIds.length
          ? { userAssignedIdentities: Object.fromEntries(userIds.map((id) => [id, userIdentity(id.split("/").pop() ?? id)])) }
          : {}),
      };
      break;
    }
    case "azure-native:managedidentity:UserAssignedIdentity":
      // Its ARM id, as Azure returns it (the bootstrap run's container group names it; the pack reads the name).
      state.id = `/subscriptions/${MOCK_CLIENT_CONFIG.subscriptionId}/resourceGroups/${inputs.resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${inputs.resourceName}`;
      Object.assign(state, userIdentity(name), { tenantId: MOCK_CLIENT_CONFIG.tenantId });
      break;
    case "azure-native:managedidentity:FederatedIdentityCredential":
      // A child of its identity, as ARM names it.
      state.id = `/subscriptions/${MOCK_CLIENT_CONFIG.subscriptionId}/resourceGroups/${inputs.resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${inputs.resourceName}/federatedIdentityCredentials/${name}`;
      break;
    case "azure-native:applicationinsights:Component": {
      state.instrumentationKey = deterministicGuid(`ikey:${name}`);
      state.connectionString =
        `InstrumentationKey=${state.instrumentationKey};IngestionEndpoint=https://${inputs.location}-8.in.applicationinsights.azure.com/;` +
        `LiveEndpoint=https://${inputs.location}.livediagnostics.monitor.azure.com/`;
      break;
    }
    case "azure-native:operationalinsights:Workspace":
      state.customerId = deterministicGuid(`workspace:${name}`);
      break;
    case "random:index/randomBytes:RandomBytes":
    case "random:index/randomId:RandomId": {
      const bytes = deterministicBytes(seedOf(args), inputs.length ?? inputs.byteLength ?? 32);
      Object.assign(state, { hex: bytes.toString("hex"), base64: bytes.toString("base64"), b64Std: bytes.toString("base64") });
      break;
    }
    case "docker:index/remoteImage:RemoteImage":
      state.imageId = `sha256:${crypto.createHash("sha256").update(String(inputs.name)).digest("hex")}`;
      state.repoDigest = `${inputs.name}@${state.imageId}`;
      break;
  }
  return state;
}

export function mockCall(args: pulumi.runtime.MockCallArgs): Record<string, any> {
  switch (args.token) {
    case "azure-native:authorization:getClientConfig":
      return MOCK_CLIENT_CONFIG;
    case "azure-native:authorization:getClientToken":
      // Never a real token: the bootstrap run only carries it (as a secret) into its create or update.
      return { token: "mock-arm-token" };
    case "azure-native:storage:listStorageAccountKeys":
      return {
        keys: ["key1", "key2"].map((keyName) => ({
          keyName,
          permissions: "FULL",
          value: deterministicBytes(`${keyName}:${args.inputs.accountName}`, 64).toString("base64"),
        })),
      };
    default:
      // A new invoke also runs in every read-only preview: tools/azure-permissions.ts must say what it needs.
      throw new Error(`harness: no mock for invoke ${args.token}; add one to mock-runtime/mocks.ts and its Azure action to tools/azure-permissions.ts`);
  }
}

