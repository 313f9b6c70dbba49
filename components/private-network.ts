import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkConfig } from "../config/schema";
import type { AzurePlacement } from "./azure-placement";

/** Azure's private-link DNS zone for each sub-resource we put behind an endpoint. */
export const PRIVATE_DNS_ZONES = {
  postgresqlServer: "privatelink.postgres.database.azure.com",
  vault: "privatelink.vaultcore.azure.net",
  file: "privatelink.file.core.windows.net",
} as const;
export type PrivateLinkGroup = keyof typeof PRIVATE_DNS_ZONES;

export const APP_SUBNET = "snet-app";
export const PRIVATE_ENDPOINT_SUBNET = "snet-private-endpoints";
export const BOOTSTRAP_SUBNET = "snet-db-bootstrap";

export interface PrivateEndpointTarget {
  /** Short name used in resource names (`pe-<prefix>-<key>-<stack>`). */
  key: string;
  resourceId: pulumi.Input<string>;
  groupId: PrivateLinkGroup;
  /**
   * Registers the endpoint in the target's write chain when the target needs one (FlexiblePostgres.serialWrite:
   * a private endpoint connection is a write to the server).
   */
  serialWrite?: <T extends pulumi.Resource>(create: (dependsOn: pulumi.Resource[]) => T) => T;
}

export interface PrivateNetworkArgs extends AzurePlacement {
  /** The validated `network` block (VNet name derived). */
  config: NetworkConfig;
  /** `pe-<prefix>-<key>-<stack>` names the endpoints: pass `<prefix>` and `<stack>` slug. */
  namePrefix: string;
  stackSlug: string;
  endpoints: PrivateEndpointTarget[];
}

/**
 * The spec's "Private Endpoint only": a VNet with an App Service integration subnet and a private endpoint subnet,
 * a private endpoint per target with its private DNS zone linked to the VNet and a DNS zone group on the endpoint.
 */
export class PrivateNetwork extends pulumi.ComponentResource {
  readonly vnet: network.VirtualNetwork;
  readonly appSubnetId: pulumi.Output<string>;
  readonly privateEndpointSubnetId: pulumi.Output<string>;
  /** Where the database bootstrap container runs (components/database-bootstrap.ts). */
  readonly bootstrapSubnetId: pulumi.Output<string>;
  readonly endpoints: network.PrivateEndpoint[] = [];
  readonly zoneGroups: network.PrivateDnsZoneGroup[] = [];
  /** The zones' links to the VNet: until they exist the app cannot resolve the private names. */
  readonly links: privatedns.VirtualNetworkLink[] = [];

  constructor(name: string, args: PrivateNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("amplifier:network:PrivateNetwork", name, {}, opts);
    const c = args.config;

    // Subnets inline only: mixing inline subnets with network.Subnet resources makes refreshes delete them
    // (pulumi-azure-native#2368).
    this.vnet = new network.VirtualNetwork(
      `${name}-vnet`,
      {
        virtualNetworkName: c.name,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        addressSpace: { addressPrefixes: [c.addressSpace] },
        subnets: [
          {
            name: APP_SUBNET,
            addressPrefix: c.appSubnetPrefix,
            delegations: [{ name: "app-service", serviceName: "Microsoft.Web/serverFarms" }],
          },
          { name: PRIVATE_ENDPOINT_SUBNET, addressPrefix: c.privateEndpointSubnetPrefix, privateEndpointNetworkPolicies: "Disabled" },
          // The database bootstrap's container group runs here, inside the VNet that resolves the server's private
          // name (Microsoft Learn, "Deploy container instances into an Azure virtual network": a delegated subnet).
          {
            name: BOOTSTRAP_SUBNET,
            addressPrefix: c.bootstrapSubnetPrefix,
            delegations: [{ name: "container-instances", serviceName: "Microsoft.ContainerInstance/containerGroups" }],
          },
        ],
        tags: args.tags,
      },
      { parent: this },
    );
    this.appSubnetId = pulumi.interpolate`${this.vnet.id}/subnets/${APP_SUBNET}`;
    this.privateEndpointSubnetId = pulumi.interpolate`${this.vnet.id}/subnets/${PRIVATE_ENDPOINT_SUBNET}`;
    this.bootstrapSubnetId = pulumi.interpolate`${this.vnet.id}/subnets/${BOOTSTRAP_SUBNET}`;

    const zones = new Map<PrivateLinkGroup, privatedns.PrivateZone>();
    for (const group of new Set(args.endpoints.map((e) => e.groupId))) {
      const zoneName = PRIVATE_DNS_ZONES[group];
      const zone = new privatedns.PrivateZone(
        `${name}-zone-${group}`,
        { privateZoneName: zoneName, resourceGroupName: args.resourceGroupName, location: "global", tags: args.tags },
        { parent: this },
      );
      const link = new privatedns.VirtualNetworkLink(
        `${name}-zone-${group}-link`,
        {
          virtualNetworkLinkName: `${c.name}-link`,
          privateZoneName: zone.name,
          resourceGroupName: args.resourceGroupName,
          location: "global",
          virtualNetwork: { id: this.vnet.id },
          registrationEnabled: false,
          tags: args.tags,
        },
        { parent: this },
      );
      this.links.push(link);
      zones.set(group, zone);
    }

    for (const target of args.endpoints) {
      const endpointName = `pe-${args.namePrefix}-${target.key}-${args.stackSlug}`;
      const create = (dependsOn: pulumi.Resource[]) =>
        new network.PrivateEndpoint(
          `${name}-pe-${target.key}`,
          {
            privateEndpointName: endpointName,
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            subnet: { id: this.privateEndpointSubnetId },
            privateLinkServiceConnections: [{ name: endpointName, privateLinkServiceId: target.resourceId, groupIds: [target.groupId] }],
            tags: args.tags,
          },
          { parent: this, dependsOn },
        );
      const endpoint = target.serialWrite ? target.serialWrite(create) : create([]);
      this.endpoints.push(endpoint);
      this.zoneGroups.push(
        new network.PrivateDnsZoneGroup(
          `${name}-pe-${target.key}-dns`,
          {
            privateEndpointName: endpoint.name,
            privateDnsZoneGroupName: "default",
            resourceGroupName: args.resourceGroupName,
            privateDnsZoneConfigs: [{ name: target.groupId, privateDnsZoneId: zones.get(target.groupId)!.id }],
          },
          { parent: this },
        ),
      );
    }

    this.registerOutputs({ vnetId: this.vnet.id, appSubnetId: this.appSubnetId, privateEndpointSubnetId: this.privateEndpointSubnetId });
  }
}
