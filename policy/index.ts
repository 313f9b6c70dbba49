/**
 * The CrossGuard pack: `pulumi preview --policy-pack policy --policy-pack-config <file>`. Wiring only; the rules
 * live in rules/. Every rule is mandatory unless the config file (generated from the stack's documented
 * exceptions by `npm run policy-config -- <stack>`) makes it advisory. Tests never import this file: constructing
 * a PolicyPack starts the analyzer's gRPC server.
 */
import { PolicyPack } from "@pulumi/policy";
import { toPolicies } from "./crossguard";

new PolicyPack("amplifier-infra", {
  description: "Checkov, Trivy and Microsoft cloud security benchmark baselines for the Amplifier stacks.",
  enforcementLevel: "mandatory",
  policies: toPolicies(),
});
