/**
 * The offline plan of one stack as data: pure functions over the harness's RunResult. Every format (text, JSON,
 * Mermaid, the comparison table) renders this model, and the model is built from the masked run only.
 */
import type { RegisteredResource, RunResult } from "../mock-runtime";
import { costOf, formatDifference, priceSources, PRICES, totalOf, type CostTotal, type PriceSource, type PriceTable, type ResourceCost } from "./cost";
import { environmentFacts, type FactRow } from "./facts";
import { evaluate, type Exceptions, type Violation } from "../policy/evaluate";
import type { StackFacts } from "../policy/model";
import { collectSecrets, makeMasker, maskRun } from "./secrets";
import { settingsOf, type Setting } from "./settings";

/** A policy finding (policy/evaluate.ts): the same rules the CrossGuard pack enforces. */
export type { Violation };

export interface PlanResource {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  depth: number;
  custom: boolean;
  protect: boolean;
  /** Carries a secret: a secret input (password, connection string) or a provider-secret output. */
  secret: boolean;
  /** `publicNetworkAccess` when the resource has one (Server, Vault, StorageAccount, ...). */
  publicAccess?: "Enabled" | "Disabled";
  settings: Setting[];
  /** URNs it waits for, other than its parent. */
  dependsOn: string[];
  cost?: ResourceCost;
}

export interface Plan {
  stack: string;
  project: string;
  resources: PlanResource[];
  summary: {
    total: number;
    countsByType: Record<string, number>;
    protected: string[];
    /** Who the stack's alerts reach: each action group's receivers (`address (group, kind)`). */
    alertRecipients: string[];
    outputs: Record<string, unknown>;
  };
  cost: {
    currency: string;
    region: string;
    asOf: string;
    about: string;
    /** Where the prices this plan used come from, each source once with the date it was read. */
    sources: PriceSource[];
    /** `total.usd` is null when some resource is unpriced: then `total.pricedUsd` is only a lower bound. */
    total: CostTotal;
    spec?: { source: string; total: number; items: Record<string, string> };
  };
  facts: Record<FactRow, string>;
  violations: Violation[];
  /** The stack's documented policy exceptions (waivers): every one is shown in the plan's header. */
  waivers: { count: number; rules: string[] };
}

export interface BuildOptions {
  prices?: PriceTable;
  /** The stack's documented policy exceptions (`policy.exceptions`): those rules report as advisory. */
  exceptions?: Exceptions;
  /** What the rules may know of the stack (production from config/gating.ts); production when not given. */
  stack?: StackFacts;
}

/** Stable display of a type token: `random:index/randomPassword:RandomPassword` -> `random:index:RandomPassword`. */
export function displayType(type: string): string {
  return type.replace(/^([^:]+):index\/[^:]+:/, "$1:index:");
}

/** Shortens an Azure id or URN to something a reader recognises. */
function shortId(id: string): string {
  const parts = id.split("/").filter(Boolean);
  if (id.startsWith("/subscriptions/") && parts.length >= 2) return parts.slice(-2).join("/");
  if (id.startsWith("urn:pulumi:")) return id.split("::").pop() ?? id;
  return id.length > 48 ? `${id.slice(0, 22)}…${id.slice(-22)}` : id;
}

/** Resources in tree order: parents before children, siblings in registration order (deterministic). */
function treeOrder(resources: RegisteredResource[]): Array<{ r: RegisteredResource; depth: number }> {
  const children = new Map<string | undefined, RegisteredResource[]>();
  const urns = new Set(resources.map((r) => r.urn));
  for (const r of resources) {
    const parent = r.parent && urns.has(r.parent) ? r.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const out: Array<{ r: RegisteredResource; depth: number }> = [];
  const visit = (parent: string | undefined, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      out.push({ r, depth });
      visit(r.urn, depth + 1);
    }
  };
  visit(undefined, 0);
  return out;
}

/** The kinds of action group receiver a reviewer reads, and what names the receiver (webhooks: the host only). */
const RECEIVERS: Array<[list: string, kind: string, address: (r: any) => unknown]> = [
  ["emailReceivers", "e-mail", (r) => r.emailAddress],
  ["smsReceivers", "SMS", (r) => (r.phoneNumber ? `+${r.countryCode ?? ""} ${r.phoneNumber}` : undefined)],
  ["voiceReceivers", "voice", (r) => (r.phoneNumber ? `+${r.countryCode ?? ""} ${r.phoneNumber}` : undefined)],
  // A webhook URI may carry a token in its query: show where it goes, not the URI.
  ["webhookReceivers", "webhook", (r) => (typeof r.serviceUri === "string" ? /^[a-z]+:\/\/([^/?#]+)/i.exec(r.serviceUri)?.[1] : undefined)],
  ["azureAppPushReceivers", "app push", (r) => r.emailAddress],
];

/** Every receiver of every action group, for the plan's "Alert recipients" (masked run: secrets cannot appear). */
function alertRecipients(resources: RegisteredResource[]): string[] {
  return resources
    .filter((r) => r.type === "azure-native:monitor:ActionGroup")
    .flatMap((g) => {
      const group = g.inputs.actionGroupName ?? g.name;
      const off = g.inputs.enabled === false ? ", disabled" : "";
      return RECEIVERS.flatMap(([list, kind, address]) =>
        (Array.isArray(g.inputs[list]) ? g.inputs[list] : []).map((r: any) => `${String(address(r) ?? r?.name ?? "?")} (${group}, ${kind}${off})`),
      );
    });
}

/** `publicNetworkAccess` wherever azure-native puts it: top level, under `properties` or under `network`. */
function publicAccessOf(inputs: Record<string, any>): "Enabled" | "Disabled" | undefined {
  const v = inputs.publicNetworkAccess ?? inputs.properties?.publicNetworkAccess ?? inputs.network?.publicNetworkAccess;
  return v === "Enabled" || v === "Disabled" ? v : undefined;
}

/** Policy rules run on the real inputs; their messages are masked like everything else the plan prints. */
function policyViolations(raw: RunResult, exceptions: Exceptions, stack?: StackFacts): Violation[] {
  const masker = makeMasker(collectSecrets(raw));
  return evaluate(raw.resources, exceptions, undefined, stack).map((v) => ({ ...v, message: masker.text(v.message) }));
}

export function buildPlan(raw: RunResult, opts: BuildOptions = {}): Plan {
  if (raw.error) throw raw.error;
  const table = opts.prices ?? PRICES;
  const masked = maskRun(raw);
  const byId = new Map<string, RegisteredResource>();
  for (const r of masked.resources) {
    if (r.urn) byId.set(r.urn, r);
    if (typeof r.state.id === "string") byId.set(r.state.id, r);
    // Role assignments name their principal by id: show which identity it is.
    if (typeof r.state.principalId === "string" && r.inputs.principalId === undefined) byId.set(r.state.principalId, r);
  }
  const ref = (id: unknown): string => {
    if (typeof id !== "string") return String(id);
    const hit = byId.get(id);
    if (hit) return `${displayType(hit.type).split(":").pop()} ${hit.state.name ?? hit.name}`;
    // A scope under a resource of this run (a role on one secret of the vault): that resource, then the rest. A
    // resource, not its group: everything lies under the group.
    const under = [...byId.keys()].filter((k) => k.includes("/providers/") && id.startsWith(`${k}/`)).sort((a, b) => b.length - a.length)[0];
    return under ? `${ref(under)}${id.slice(under.length)}` : shortId(id);
  };

  const resources: PlanResource[] = treeOrder(masked.resources).map(({ r, depth }) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent,
    depth,
    custom: r.custom,
    protect: r.options.protect,
    secret: r.secretInputs.length > 0 || r.options.additionalSecretOutputs.length > 0,
    publicAccess: publicAccessOf(r.inputs ?? {}),
    settings: settingsOf(r, { ref }),
    dependsOn: [...new Set(r.dependencies.filter((d) => d !== r.parent))].sort(),
    cost: costOf(r, table),
  }));

  const countsByType: Record<string, number> = {};
  for (const r of resources) countsByType[displayType(r.type)] = (countsByType[displayType(r.type)] ?? 0) + 1;
  const total = totalOf(resources.map((r) => ({ label: `${displayType(r.type).split(":").pop()} ${r.name}`, cost: r.cost })));
  const spec = table.specCostTable.stacks[raw.stack];

  return {
    stack: raw.stack,
    project: resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn.split("::")[1] ?? "",
    resources,
    summary: {
      total: resources.length,
      countsByType,
      protected: resources.filter((r) => r.protect).map((r) => `${displayType(r.type)} ${r.name}`),
      alertRecipients: alertRecipients(masked.resources),
      outputs: masked.outputs,
    },
    cost: {
      currency: table.currency,
      region: table.region,
      asOf: table.asOf,
      about: table.about,
      sources: priceSources(resources.map((r) => r.cost), table),
      total,
      spec: spec ? { source: table.specCostTable.source, ...spec } : undefined,
    },
    facts: environmentFacts(raw, masked, total),
    violations: policyViolations(raw, opts.exceptions ?? {}, opts.stack),
    waivers: { count: Object.keys(opts.exceptions ?? {}).length, rules: Object.keys(opts.exceptions ?? {}).sort() },
  };
}

/** The spec's comparison table for several stacks: one row per aspect, one column per stack. */
export function compareStacks(plans: Plan[]): { stacks: string[]; rows: Array<{ aspect: string; values: string[] }> } {
  const aspects = Object.keys(plans[0]?.facts ?? {}) as FactRow[];
  return {
    stacks: plans.map((p) => p.stack),
    rows: [
      ...aspects.map((aspect) => ({ aspect, values: plans.map((p) => p.facts[aspect]) })),
      // Each stack against the first: the figure a reviewer of an upgrade looks for.
      ...(plans.length > 1
        ? [{ aspect: `Cost vs ${plans[0].stack}`, values: plans.map((p, i) => (i === 0 ? "-" : formatDifference(plans[0].cost.total, p.cost.total))) }]
        : []),
    ],
  };
}
