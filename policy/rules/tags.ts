/** Tags every taggable Azure resource carries. */
import { type Rule, T, when } from "../model";

export const REQUIRED_TAGS = ["environment", "managed-by", "cost-center"];

/** azure-native types that take `tags` in this project (any other azure-native resource with a `tags` input counts too). */
export const TAGGABLE_TYPES = [
  "azure-native:resources:ResourceGroup",
  T.server,
  T.vault,
  T.webApp,
  T.webAppSlot,
  "azure-native:web:AppServicePlan",
  T.storageAccount,
  "azure-native:network:VirtualNetwork",
  "azure-native:network:PrivateEndpoint",
  "azure-native:privatedns:PrivateZone",
  "azure-native:privatedns:VirtualNetworkLink",
  "azure-native:operationalinsights:Workspace",
  "azure-native:applicationinsights:Component",
  "azure-native:monitor:ActionGroup",
  "azure-native:monitor:MetricAlert",
];

export const tagRules: Rule[] = [
  {
    name: "required-tags",
    description: `Taggable Azure resources carry the tags ${REQUIRED_TAGS.join(", ")} (spec; cost and ownership reporting).`,
    source: ["AzPol 871b6d14 (Require a tag on resources)", "MCSB AM-2", "spec: --tags environment managed-by cost-center"],
    severity: "low",
    // Any azure-native type: `appliesTo` below narrows it to taggable ones.
    resourceTypes: ["azure-native:*"],
    scope: "resource",
    check: (props, ctx) => {
      if (!TAGGABLE_TYPES.includes(ctx.resource.type) && props.tags === undefined) return [];
      const tags = props.tags ?? {};
      const missing = REQUIRED_TAGS.filter((t) => !(typeof tags[t] === "string" && tags[t].trim() !== ""));
      return when(missing.length > 0, `lacks the tag(s) ${missing.join(", ")}`, props.tags, `add ${missing.join(", ")} to tags (index.ts builds them from stack config)`);
    },
  },
];
