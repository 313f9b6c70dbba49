/**
 * Runs the rules over a list of resources without Pulumi: the offline plan and the tests feed it the mock harness's
 * registrations (`RunResult.resources`). Also turns a stack's documented exceptions into enforcement levels, for
 * both this evaluation and the CrossGuard pack's `--policy-pack-config` file.
 */
import { azureName, Enforcement, Finding, PolicyResource, Rule, Severity, type StackFacts, UNKNOWN_STACK } from "./model";
import { appliesTo, RULE_NAMES, RULES } from "./rules";

/** The shape of a mock-runtime registration (mock-runtime/index.ts `RegisteredResource`), reduced to what rules read. */
export interface EvaluatedResource {
  type: string;
  name: string;
  urn?: string;
  inputs: Record<string, any>;
  options?: { protect?: boolean };
  /** Input name -> URNs its value came from (recorded by the mock runtime), so links work as under CrossGuard. */
  propertyDependencies?: Record<string, string[]>;
}

export interface Violation {
  rule: string;
  /** Pulumi resource name. */
  resource: string;
  type: string;
  urn: string;
  severity: Severity;
  enforcement: Enforcement;
  message: string;
  /** The stack's documented reason, when the rule is advisory because of an exception. */
  exception?: string;
}

/** Rule name -> reason, from `amplifier-infra:policy.exceptions` in the stack file. */
export type Exceptions = Readonly<Record<string, string>>;

export function enforcementOf(rule: string, exceptions: Exceptions): Enforcement {
  return exceptions[rule] ? "advisory" : "mandatory";
}

/** Throws on an exception naming no rule, so a typo cannot silently leave a rule mandatory or unexplained. */
export function checkExceptions(exceptions: Exceptions): void {
  const unknown = Object.keys(exceptions).filter((name) => !RULE_NAMES.includes(name));
  if (unknown.length > 0) throw new Error(`policy exceptions name unknown rules: ${unknown.join(", ")} (rules: ${RULE_NAMES.join(", ")})`);
}

/**
 * Excepted rules that report nothing in the stack. An exception that excuses nothing is stale: it would silently make
 * the rule advisory the day it fires again, so it is an error (only knowable after the program ran).
 */
export function staleExceptions(violations: readonly Violation[], exceptions: Exceptions): string[] {
  const firing = new Set(violations.map((v) => v.rule));
  return Object.keys(exceptions).filter((rule) => !firing.has(rule));
}

/** Whether a documented exception marks a gap to close before the first deploy (its reason starts with PENDING). */
export const isPending = (v: Violation): boolean => v.enforcement === "advisory" && /^PENDING\b/.test(v.exception ?? "");

/** One policy's entry in the pack config: its enforcement, and for a rule that reads them the stack's facts. */
export type PolicyConfigEntry = Enforcement | ({ enforcementLevel: Enforcement } & StackFacts);

/**
 * The CrossGuard pack config for a stack: excepted rules advisory; every other rule keeps the pack's default,
 * mandatory (policy/index.ts); a rule that reads the stack's facts gets them as its config properties.
 * Short form accepted by `--policy-pack-config`: `{"<policy>": "<enforcementLevel>"}`; the long form adds a policy's
 * config properties: `{"<policy>": {"enforcementLevel": "...", "<property>": ...}}` (Pulumi docs, "Policy pack
 * configuration").
 */
export function policyPackConfig(exceptions: Exceptions, stack: StackFacts = UNKNOWN_STACK, rules: readonly Rule[] = RULES): Record<string, PolicyConfigEntry> {
  checkExceptions(exceptions);
  const config: Record<string, PolicyConfigEntry> = {};
  for (const rule of rules) {
    const level = enforcementOf(rule.name, exceptions);
    if (rule.readsStackFacts) config[rule.name] = { enforcementLevel: level, production: stack.production };
    else if (level === "advisory") config[rule.name] = level;
  }
  return config;
}

/** The rules a pack config makes advisory (what `policy-config` names as waived). */
export function waivedIn(config: Record<string, PolicyConfigEntry>): string[] {
  return Object.entries(config)
    .filter(([, entry]) => (typeof entry === "string" ? entry : entry.enforcementLevel) === "advisory")
    .map(([name]) => name)
    .sort();
}

function show(found: unknown): string {
  if (found === undefined) return "missing";
  const text = JSON.stringify(found);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** `[rule] <type> "<pulumi name>" (<azure name>) <problem> (found <value>); fix: <fix>` */
export function formatFinding(rule: Rule, resource: PolicyResource, finding: Finding): string {
  const azure = azureName(resource);
  const label = `${resource.type} "${resource.name}"${azure && azure !== resource.name ? ` (${azure})` : ""}`;
  return `[${rule.name}] ${label} ${finding.problem} (found ${show(finding.found)}); fix: ${finding.fix}`;
}

/** Messages of one rule for one resource; [] when it passes or does not apply. */
export function checkResource(rule: Rule, resource: PolicyResource, resources: readonly PolicyResource[], stack: StackFacts = UNKNOWN_STACK): string[] {
  if (!appliesTo(rule, resource.type)) return [];
  return rule.check(resource.props, { resource, resources, stack }).map((f) => formatFinding(rule, resource, f));
}

export function toPolicyResource(r: EvaluatedResource): PolicyResource {
  return {
    type: r.type,
    name: r.name,
    urn: r.urn ?? r.name,
    props: r.inputs ?? {},
    protect: r.options?.protect === true,
    propertyDependencies: r.propertyDependencies,
  };
}

/**
 * Every violation of every rule over `resources`, with its enforcement under the stack's exceptions. `stack`: what
 * the rules may know of the stack (production unless said otherwise).
 */
export function evaluate(resources: readonly EvaluatedResource[], exceptions: Exceptions = {}, rules: readonly Rule[] = RULES, stack: StackFacts = UNKNOWN_STACK): Violation[] {
  checkExceptions(exceptions);
  const all = resources.map(toPolicyResource);
  const out: Violation[] = [];
  for (const rule of rules) {
    for (const resource of all) {
      for (const message of checkResource(rule, resource, all, stack)) {
        const enforcement = enforcementOf(rule.name, exceptions);
        out.push({
          rule: rule.name,
          resource: resource.name,
          type: resource.type,
          urn: resource.urn,
          severity: rule.severity,
          enforcement,
          message,
          ...(enforcement === "advisory" ? { exception: exceptions[rule.name] } : {}),
        });
      }
    }
  }
  return out;
}
