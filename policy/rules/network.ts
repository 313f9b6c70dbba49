/** Network exposure across the stack: one private data store makes every data store private. */
import { at, azureName, ofType, type Rule, T, when } from "../model";
import { serverIsPrivate } from "./postgres";

/** Where each data store type says whether it has a public endpoint. */
const PUBLIC_ACCESS_INPUT: Record<string, string> = {
  [T.storageAccount]: "publicNetworkAccess",
  [T.vault]: "properties.publicNetworkAccess",
};

export const networkRules: Rule[] = [
  {
    // A stack that keeps its database off the internet has decided its data is private; a vault or storage account
    // left public next to it is the gap an attacker uses (the sessions share holds user data; the vault the
    // database URL). A stack whose database is public (test) is not held to it.
    name: "data-stores-private-with-database",
    description:
      "Where the stack's PostgreSQL server has no public endpoint, its storage accounts and vaults have public network access Disabled too.",
    source: ["CKV_AZURE_59", "AzPol b2982f36 (storage, MCSB)", "AzPol 405c5871 (vault, MCSBv2)", "spec: prod Private Endpoint only"],
    severity: "high",
    resourceTypes: [T.storageAccount, T.vault],
    scope: "stack",
    check: (props, ctx) => {
      const privateServer = ofType(ctx.resources, T.server).find((s) => serverIsPrivate(s.props));
      if (!privateServer) return [];
      const key = PUBLIC_ACCESS_INPUT[ctx.resource.type];
      const access = at(props, key);
      return when(
        access !== "Disabled",
        `is reachable from the internet although database server ${azureName(privateServer) ?? privateServer.name} is private`,
        access,
        `set ${key}: "Disabled" and reach it through a private endpoint (the stack's network block does this by default)`,
      );
    },
  },
];
