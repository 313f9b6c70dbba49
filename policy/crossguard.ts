/**
 * Adapts the plain rules (rules/) to CrossGuard policies. Kept apart from index.ts because constructing a
 * PolicyPack starts the analyzer server; tests import this module, never index.ts. Only types come from
 * @pulumi/policy, so importing this loads no second copy of @pulumi/pulumi.
 */
import type {
  Policies,
  PolicyResource as CrossGuardResource,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidation,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { checkResource } from "./evaluate";
import { type PolicyResource, type Rule, type StackFacts, UNKNOWN_STACK } from "./model";
import { appliesTo, RULES } from "./rules";

// Re-exported so root tests (outside policy/, where @pulumi/policy is installed) can type their fake arguments.
export type { CrossGuardResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy };

/** The single exact type token of a rule, which lets the analyzer skip other types without calling us. */
function singleType(rule: Rule): string | undefined {
  const [only, ...rest] = rule.resourceTypes;
  return rest.length === 0 && only !== "*" && !only.endsWith(":*") ? only : undefined;
}

function notApplicableReason(rule: Rule): string {
  return `Policy only applies to resources of type ${rule.resourceTypes.map((t) => `'${t}'`).join(", ")}`;
}

/**
 * The stack's facts from the policy's config (`npm run policy-config` writes them: policy/evaluate.ts
 * policyPackConfig), for a rule that reads them; without a config the stack counts as production.
 */
function stackFacts(rule: Rule, args: { getConfig<T extends object>(): T }): StackFacts {
  if (!rule.readsStackFacts) return UNKNOWN_STACK;
  const { production } = args.getConfig<Partial<StackFacts>>();
  return { production: production !== false };
}

/** Resource-level rules: CrossGuard passes the resource's inputs, as the harness records them. */
export function resourceValidation(rule: Rule): ResourceValidation {
  const validate: ResourceValidation = (args, reportViolation) => {
    // Mirrors validateResourceOfType (@pulumi/policy >= 1.18): a non-matching type is "not applicable" (throws).
    if (!appliesTo(rule, args.type)) args.notApplicable(notApplicableReason(rule));
    const resource: PolicyResource = { type: args.type, name: args.name, urn: args.urn, props: args.props, protect: args.opts.protect };
    for (const message of checkResource(rule, resource, [resource], stackFacts(rule, args))) reportViolation(message);
  };
  const type = singleType(rule);
  if (type) (validate as any).__pulumiType = type;
  return validate;
}

function fromCrossGuard(r: CrossGuardResource): PolicyResource {
  const propertyDependencies: Record<string, string[]> = {};
  for (const [key, deps] of Object.entries(r.propertyDependencies ?? {})) propertyDependencies[key] = deps.map((d) => d.urn);
  return { type: r.type, name: r.name, urn: r.urn, props: r.props, protect: r.opts?.protect === true, propertyDependencies };
}

/**
 * Stack-level rules see every resource's output properties; links between resources (a parameter to its server, a
 * lock to its scope) are found through property dependencies, which are known even while values are not.
 */
export function stackValidation(rule: Rule): StackValidation {
  const validate: StackValidation = (args, reportViolation) => {
    const resources = args.resources.map(fromCrossGuard);
    const targets = resources.filter((r) => appliesTo(rule, r.type));
    if (targets.length === 0) args.notApplicable(notApplicableReason(rule));
    for (const target of targets) {
      for (const message of checkResource(rule, target, resources, stackFacts(rule, args))) reportViolation(message, target.urn);
    }
  };
  const type = singleType(rule);
  if (type) (validate as any).__pulumiType = type;
  return validate;
}

/** One CrossGuard policy per rule. Enforcement comes from the pack default and `--policy-pack-config`. */
export function toPolicies(rules: readonly Rule[] = RULES): Policies {
  return rules.map((rule): ResourceValidationPolicy | StackValidationPolicy => {
    const meta = {
      name: rule.name,
      description: `${rule.description} Sources: ${rule.source.join("; ")}.`,
      severity: rule.severity,
      tags: [rule.scope === "stack" ? "stack" : "resource"],
      ...(rule.readsStackFacts ? { configSchema: { properties: { production: { type: "boolean" as const } } } } : {}),
    };
    return rule.scope === "stack" ? { ...meta, validateStack: stackValidation(rule) } : { ...meta, validateResource: resourceValidation(rule) };
  });
}
