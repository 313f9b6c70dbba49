/**
 * Prod's "Private Endpoint only": VNet, private endpoints with private DNS, the web app's VNet integration, and no
 * public path to the database, the vault or the session share. Test keeps its public endpoints.
 */
import { byType, dependsOnTransitively, oneOfType, RegisteredResource, runStack, RunResult } from "../mock-runtime";
import { at, AZURE, azureConfig, NETWORKED, PUBLIC, specStack, stackWith } from "./support/stacks";

const T = {
  server: "azure-native:dbforpostgresql:Server",
  vault: "azure-native:keyvault:Vault",
  account: "azure-native:storage:StorageAccount",
  webApp: "azure-native:web:WebApp",
  vnet: "azure-native:network:VirtualNetwork",
  subnet: "azure-native:network:Subnet",
  endpoint: "azure-native:network:PrivateEndpoint",
  zoneGroup: "azure-native:network:PrivateDnsZoneGroup",
  zone: "azure-native:privatedns:PrivateZone",
  link: "azure-native:privatedns:VirtualNetworkLink",
  firewall: "azure-native:dbforpostgresql:FirewallRule",
  entraAdmin: "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra",
};
const SERVER_CHILDREN = [
  "azure-native:dbforpostgresql:Database",
  "azure-native:dbforpostgresql:Configuration",
  "azure-native:dbforpostgresql:FirewallRule",
  T.entraAdmin,
];

function endpointFor(result: RunResult, groupId: string): RegisteredResource {
  const found = byType(result, T.endpoint).filter((e) => e.inputs.privateLinkServiceConnections[0].groupIds.includes(groupId));
  if (found.length !== 1) throw new Error(`expected one private endpoint for ${groupId}, found ${found.length}`);
  return found[0];
}

/** Server children plus the postgres private endpoint: each pair must be ordered (ServerIsBusy). */
function expectTotalOrder(result: RunResult, writes: RegisteredResource[]) {
  for (let i = 0; i < writes.length; i++) {
    for (let j = i + 1; j < writes.length; j++) {
      const ordered = dependsOnTransitively(result, writes[i], writes[j]) || dependsOnTransitively(result, writes[j], writes[i]);
      expect({ pair: [writes[i].name, writes[j].name], ordered }).toEqual({ pair: [writes[i].name, writes[j].name], ordered: true });
    }
  }
}

describe("prod: private networking", () => {
  let result: RunResult;
  let vnet: RegisteredResource;
  const peSubnet = () => `${vnet.state.id}/subnets/snet-private-endpoints`;
  beforeAll(async () => {
    result = await runStack(at(specStack("prod")));
    vnet = oneOfType(result, T.vnet);
  });

  test("a VNet with an integration subnet delegated to App Service and a private endpoint subnet, defined inline", () => {
    expect(vnet.inputs).toMatchObject({ virtualNetworkName: "vnet-amplifier-prod", addressSpace: { addressPrefixes: ["10.20.0.0/16"] } });
    expect(vnet.inputs.subnets).toEqual([
      { name: "snet-app", addressPrefix: "10.20.1.0/26", delegations: [{ name: "app-service", serviceName: "Microsoft.Web/serverFarms" }] },
      { name: "snet-private-endpoints", addressPrefix: "10.20.2.0/27", privateEndpointNetworkPolicies: "Disabled" },
      // The database bootstrap's container group (components/database-bootstrap.ts).
      { name: "snet-db-bootstrap", addressPrefix: "10.20.3.0/28", delegations: [{ name: "container-instances", serviceName: "Microsoft.ContainerInstance/containerGroups" }] },
    ]);
    // One way only: no standalone Subnet resources next to the inline ones.
    expect(byType(result, T.subnet)).toEqual([]);
  });

  test("private endpoints for the database (postgresqlServer), the vault (vault) and the share (file)", () => {
    const targets = {
      postgresqlServer: oneOfType(result, T.server).state.id,
      vault: oneOfType(result, T.vault).state.id,
      file: oneOfType(result, T.account).state.id,
    };
    for (const [groupId, id] of Object.entries(targets)) {
      const pe = endpointFor(result, groupId);
      expect(pe.inputs.subnet.id).toBe(peSubnet());
      expect(pe.inputs.privateLinkServiceConnections).toEqual([expect.objectContaining({ privateLinkServiceId: id, groupIds: [groupId] })]);
    }
    expect(byType(result, T.endpoint)).toHaveLength(3);
  });

  test("private DNS zones linked to the VNet, with a zone group on each endpoint", () => {
    const zones = Object.fromEntries(byType(result, T.zone).map((z) => [z.inputs.privateZoneName, z]));
    expect(Object.keys(zones).sort()).toEqual([
      "privatelink.file.core.windows.net",
      "privatelink.postgres.database.azure.com",
      "privatelink.vaultcore.azure.net",
    ]);
    const links = byType(result, T.link);
    expect(links.map((l) => l.inputs.privateZoneName).sort()).toEqual(Object.keys(zones).sort());
    for (const link of links) expect(link.inputs).toMatchObject({ virtualNetwork: { id: vnet.state.id }, registrationEnabled: false });
    const expected = {
      postgresqlServer: "privatelink.postgres.database.azure.com",
      vault: "privatelink.vaultcore.azure.net",
      file: "privatelink.file.core.windows.net",
    };
    for (const [groupId, zoneName] of Object.entries(expected)) {
      const pe = endpointFor(result, groupId);
      const group = byType(result, T.zoneGroup).find((g) => g.inputs.privateEndpointName === pe.inputs.privateEndpointName)!;
      expect(group.inputs.privateDnsZoneConfigs).toEqual([{ name: groupId, privateDnsZoneId: zones[zoneName].state.id }]);
    }
  });

  test("no public path to the database: public access disabled, no firewall rule, not VNet-injected", () => {
    const server = oneOfType(result, T.server);
    expect(server.inputs.network).toEqual({ publicNetworkAccess: "Disabled" });
    expect(byType(result, T.firewall)).toEqual([]);
  });

  test("no public path to the vault or the share: public access disabled and default action Deny", () => {
    const vault = oneOfType(result, T.vault);
    expect(vault.inputs.properties).toMatchObject({ publicNetworkAccess: "Disabled", networkAcls: { defaultAction: "Deny", bypass: "AzureServices" } });
    const account = oneOfType(result, T.account);
    expect(account.inputs).toMatchObject({ publicNetworkAccess: "Disabled", networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" } });
  });

  test("the web app joins the integration subnet and routes all outbound traffic through it", () => {
    const webApp = oneOfType(result, T.webApp);
    expect(webApp.inputs.virtualNetworkSubnetId).toBe(`${vnet.state.id}/subnets/snet-app`);
    expect(webApp.inputs.outboundVnetRouting).toEqual({ allTraffic: true });
    expect(byType(result, "azure-native:web:WebAppSwiftVirtualNetworkConnection")).toEqual([]);
  });

  test("the web app starts only once the endpoints and their DNS exist", () => {
    const webApp = oneOfType(result, T.webApp);
    for (const r of [...byType(result, T.endpoint), ...byType(result, T.zoneGroup)]) {
      expect({ waitsFor: r.name, ok: dependsOnTransitively(result, webApp, r) }).toEqual({ waitsFor: r.name, ok: true });
    }
  });

  test("the database's private endpoint is one more serialised write to the server (ServerIsBusy)", () => {
    const pe = endpointFor(result, "postgresqlServer");
    const writes = [...result.resources.filter((r) => SERVER_CHILDREN.includes(r.type)), pe];
    expect(dependsOnTransitively(result, pe, oneOfType(result, T.server))).toBe(true);
    expectTotalOrder(result, writes);
  });

  test("the vault's and the share's endpoints are not chained to the server", () => {
    const server = oneOfType(result, T.server);
    expect(dependsOnTransitively(result, endpointFor(result, "vault"), server)).toBe(false);
    expect(dependsOnTransitively(result, endpointFor(result, "file"), server)).toBe(false);
  });
});

describe("test: public endpoints, no VNet", () => {
  let result: RunResult;
  beforeAll(async () => {
    result = await runStack(at(specStack("test")));
  });

  test("no VNet, endpoints, zones or VNet integration", () => {
    for (const type of [T.vnet, T.endpoint, T.zone, T.link, T.zoneGroup]) expect(byType(result, type)).toEqual([]);
    const webApp = oneOfType(result, T.webApp);
    expect(webApp.inputs.virtualNetworkSubnetId).toBeUndefined();
    expect(webApp.inputs.outboundVnetRouting).toBeUndefined();
  });

  test("the vault and the share stay reachable by the web app over their public endpoints", () => {
    expect(oneOfType(result, T.vault).inputs.properties).toMatchObject({ publicNetworkAccess: "Enabled", networkAcls: { defaultAction: "Allow" } });
    expect(oneOfType(result, T.account).inputs).toMatchObject({ publicNetworkAccess: "Enabled", networkRuleSet: { defaultAction: "Allow" } });
    expect(oneOfType(result, T.server).inputs.network).toEqual({ publicNetworkAccess: "Enabled" });
  });
});

describe("private networking is data: any Azure stack gets it from a network block", () => {
  test("a public stack (test) with an empty network block takes the default address plan and goes private", async () => {
    const result = await runStack({ ...at(stackWith(PUBLIC)), overrides: { network: {} } });
    expect(oneOfType(result, T.vnet).inputs.addressSpace).toEqual({ addressPrefixes: ["10.20.0.0/16"] });
    expect(byType(result, T.endpoint)).toHaveLength(3);
    expect(oneOfType(result, T.vault).inputs.properties.publicNetworkAccess).toBe("Disabled");
    expect(oneOfType(result, T.account).inputs.publicNetworkAccess).toBe("Disabled");
  });

  test("an explicit publicNetworkAccess wins over the network default", async () => {
    const result = await runStack({ ...at(stackWith(NETWORKED)), overrides: { keyVault: { publicNetworkAccess: "Enabled" } } });
    expect(oneOfType(result, T.vault).inputs.properties).toMatchObject({ publicNetworkAccess: "Enabled", networkAcls: { defaultAction: "Allow" } });
    expect(endpointFor(result, "vault")).toBeDefined();
  });
});

describe("Microsoft Entra administrators: the bootstrap identity always, people (postgres.entraAdmin) when configured", () => {
  const admin = { objectId: "11111111-2222-3333-4444-555555555555", principalName: "amplifier-db-admins", principalType: "Group" };
  const entraAuth = { passwordAuth: "Enabled", activeDirectoryAuth: "Enabled", tenantId: "00000000-0000-0000-0000-0000000000a1" };

  test("by default: Entra authentication on, the bootstrap identity the only administrator", async () => {
    const result = await runStack(at(stackWith(AZURE)));
    expect(byType(result, T.entraAdmin).map((a) => [a.name, a.inputs.principalType])).toEqual([["database-bootstrap-entra-admin", "ServicePrincipal"]]);
    expect(oneOfType(result, T.server).inputs.authConfig).toEqual(entraAuth);
  });

  test("configured: the people's admin too, in the deployment's tenant, and every admin a serialised server write", async () => {
    // A private server, so its private endpoint is among the serialised writes.
    const networked = stackWith(NETWORKED);
    const result = await runStack({ ...at(networked), overrides: { postgres: { entraAdmin: admin } } });
    const entra = byType(result, T.entraAdmin).find((a) => a.name === "postgres-entra-admin")!;
    expect(entra.inputs).toMatchObject({ ...admin, tenantId: "00000000-0000-0000-0000-0000000000a1", serverName: azureConfig(networked).postgres.serverName });
    expect(byType(result, T.entraAdmin)).toHaveLength(2);
    expect(oneOfType(result, T.server).inputs.authConfig).toEqual(entraAuth);
    expectTotalOrder(result, [...result.resources.filter((r) => SERVER_CHILDREN.includes(r.type)), endpointFor(result, "postgresqlServer")]);
  });
});
