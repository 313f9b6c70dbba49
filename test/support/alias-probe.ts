/**
 * A one-resource program for test/harness.test.ts: its resource's own transformation (which the SDK applies before the
 * stack's) records the aliases azure-native gives it and what the SDK's stack-trace reader returns mid-run, so the
 * test can compare them with what the mock runtime registers.
 */
import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";

export const seen: { aliases: unknown[]; callsites: number }[] = [];

export default function program(): void {
  const probe: pulumi.ResourceTransformation = (args) => {
    seen.push({ aliases: [...(args.opts.aliases ?? [])], callsites: (pulumi.Resource as unknown as { callsites: () => unknown[] }).callsites().length });
    return undefined;
  };
  new resources.ResourceGroup("probe", { resourceGroupName: "rg-probe" }, { transformations: [probe], aliases: [{ name: "probe-old" }] });
}
