import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import type { AppDeployConfig } from "../config/app-deploy";
import { AZURE_TOKEN_EXCHANGE_AUDIENCE, GITHUB_OIDC_ISSUER } from "../config/github";
import type { AzurePlacement } from "./azure-placement";
// Built-in role "Website Contributor", read from the policy pack, whose rule holds the assignment to the web app.
import { WEBSITE_CONTRIBUTOR } from "../policy/rules";
export { WEBSITE_CONTRIBUTOR };

/**
 * The credential's name: fixed, so a changed repository or environment (a new subject) updates it in place. The name
 * is the only immutable part (Microsoft Learn, "Important considerations and restrictions for federated identity
 * credentials"); issuer, subject and audiences carry no x-ms-mutability, so they are updatable
 * (azure-rest-api-specs specification/msi/resource-manager/Microsoft.ManagedIdentity/stable/2023-01-31/
 * ManagedIdentity.json, FederatedIdentityCredentialProperties; the name's pattern is ^[a-zA-Z0-9]{1}[a-zA-Z0-9-_]{2,119}$).
 */
export const CREDENTIAL_NAME = "github-actions";

export interface AppDeployArgs extends AzurePlacement {
  /** The validated `appDeploy` block (identity name and subject derived). */
  config: AppDeployConfig;
  subscriptionId: pulumi.Input<string>;
  /** The web app the identity may deploy to: the role's only scope. */
  webAppId: pulumi.Input<string>;
}

/**
 * The app repository's deploy identity: a user-assigned identity that trusts one GitHub environment of the app's
 * repository (OIDC; nothing secret is stored anywhere) and holds Website Contributor on the web app, nothing else.
 */
export class AppDeployIdentity extends pulumi.ComponentResource {
  readonly identity: managedidentity.UserAssignedIdentity;
  readonly credential: managedidentity.FederatedIdentityCredential;
  readonly roleAssignment: authorization.RoleAssignment;
  /** What the app's workflow passes to azure/login as `client-id`. */
  readonly clientId: pulumi.Output<string>;
  /** The identity's tenant (azure/login `tenant-id`). */
  readonly tenantId: pulumi.Output<string>;
  readonly principalId: pulumi.Output<string>;

  constructor(name: string, args: AppDeployArgs, opts?: pulumi.ComponentResourceOptions) {
    super("amplifier:app:AppDeployIdentity", name, {}, opts);
    const c = args.config;

    this.identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceName: c.identityName, resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags },
      { parent: this },
    );
    // One credential per identity: the identity's credentials may not be written concurrently (HTTP 409, Microsoft
    // Learn, "Important considerations and restrictions for federated identity credentials", "Concurrent updates
    // aren't supported"); a second one would have to depend on the first.
    this.credential = new managedidentity.FederatedIdentityCredential(
      `${name}-credential`,
      {
        federatedIdentityCredentialResourceName: CREDENTIAL_NAME,
        resourceName: this.identity.name,
        resourceGroupName: args.resourceGroupName,
        issuer: GITHUB_OIDC_ISSUER,
        subject: c.subject,
        audiences: [AZURE_TOKEN_EXCHANGE_AUDIENCE],
      },
      { parent: this },
    );
    this.roleAssignment = new authorization.RoleAssignment(
      `${name}-website-contributor`,
      {
        principalId: this.identity.principalId,
        // A principal created seconds ago: ServicePrincipal skips Entra's replication check (PrincipalNotFound)
        // (https://learn.microsoft.com/en-us/azure/role-based-access-control/role-assignments-template).
        principalType: "ServicePrincipal",
        roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${WEBSITE_CONTRIBUTOR}`,
        scope: args.webAppId,
      },
      { parent: this },
    );

    this.clientId = this.identity.clientId;
    this.tenantId = this.identity.tenantId;
    this.principalId = this.identity.principalId;
    this.registerOutputs({ clientId: this.clientId, tenantId: this.tenantId, principalId: this.principalId });
  }
}
