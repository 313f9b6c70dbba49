import * as pulumi from "@pulumi/pulumi";

/** Where an Azure component's resources go: the stack's resource group, its region and the stack's tags. */
export interface AzurePlacement {
  resourceGroupName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  /** environment, managed-by and cost-center on every taggable resource (policy rule required-tags). */
  tags: Record<string, string>;
}
