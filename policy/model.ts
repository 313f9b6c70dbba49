/**
 * The shapes every policy rule works on, and the small helpers rules share. No Pulumi import: the same rules run in
 * the CrossGuard pack (policy/crossguard.ts), in the offline plan and in the jest suite (policy/evaluate.ts).
 */

export type Severity = "low" | "medium" | "high" | "critical";
export type Enforcement = "mandatory" | "advisory";

/** One resource as a rule sees it: the registered inputs (ARM names, `properties` flattened except Key Vault). */
export interface PolicyResource {
  /** Type token, e.g. `azure-native:dbforpostgresql:Server`. */
  type: string;
  /** Pulumi resource name. */
  name: string;
  urn: string;
  props: Record<string, any>;
  /** Pulumi `protect` resource option. */
  protect: boolean;
  /** Property name -> URNs its value came from (CrossGuard `propertyDependencies`), for links whose value is unknown. */
  propertyDependencies?: Record<string, string[]>;
}

/**
 * What a rule may know about the stack beyond its resources. `production` comes from the code owners' list of stacks
 * that are not production (config/gating.ts), never from anything the stack file or the program says about itself:
 * `npm run policy-config` writes it into the pack's config, the plan and the tests pass it to `evaluate`. Unknown
 * means production (the stricter answer).
 */
export interface StackFacts {
  production: boolean;
}

export const UNKNOWN_STACK: StackFacts = { production: true };

export interface RuleContext {
  /** The resource being checked. */
  resource: PolicyResource;
  /** Every resource of the stack: stack-level rules look here for companions (parameters, locks, diagnostics). */
  resources: readonly PolicyResource[];
  stack: StackFacts;
}

/** What a check found wrong; the engine turns it into a message naming resource, rule, value found and fix. */
export interface Finding {
  /** What is wrong, e.g. `allows public network access`. */
  problem: string;
  /** The value found (shown as JSON; `undefined` reads "missing"). Never pass a secret value here. */
  found: unknown;
  fix: string;
}

export interface Rule {
  /** kebab-case; the name used in stack config exceptions and in `--policy-pack-config`. */
  name: string;
  description: string;
  /** Scanner rule ids / benchmark controls it implements (Checkov CKV*, Trivy AVD-AZU-*, Azure Policy GUID prefixes, MCSB controls). */
  source: string[];
  severity: Severity;
  /** The type tokens it checks; a resource of another type is not applicable. */
  resourceTypes: string[];
  /** `resource`: reads only the resource's own inputs. `stack`: also needs other resources (`ctx.resources`). */
  scope: "resource" | "stack";
  /** Whether the check reads `ctx.stack` (the pack then takes `production` from its config for this rule). */
  readsStackFacts?: boolean;
  check(props: Record<string, any>, ctx: RuleContext): Finding[];
}

export const T = {
  server: "azure-native:dbforpostgresql:Server",
  firewallRule: "azure-native:dbforpostgresql:FirewallRule",
  configuration: "azure-native:dbforpostgresql:Configuration",
  entraAdmin: "azure-native:dbforpostgresql:AdministratorsMicrosoftEntra",
  vault: "azure-native:keyvault:Vault",
  secret: "azure-native:keyvault:Secret",
  database: "azure-native:dbforpostgresql:Database",
  webApp: "azure-native:web:WebApp",
  webAppSlot: "azure-native:web:WebAppSlot",
  appSettings: "azure-native:web:WebAppApplicationSettings",
  appSettingsSlot: "azure-native:web:WebAppApplicationSettingsSlot",
  connectionStrings: "azure-native:web:WebAppConnectionStrings",
  connectionStringsSlot: "azure-native:web:WebAppConnectionStringsSlot",
  ftpAllowed: "azure-native:web:WebAppFtpAllowed",
  ftpAllowedSlot: "azure-native:web:WebAppFtpAllowedSlot",
  scmAllowed: "azure-native:web:WebAppScmAllowed",
  scmAllowedSlot: "azure-native:web:WebAppScmAllowedSlot",
  storageAccount: "azure-native:storage:StorageAccount",
  fileShare: "azure-native:storage:FileShare",
  blobContainer: "azure-native:storage:BlobContainer",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  userAssignedIdentity: "azure-native:managedidentity:UserAssignedIdentity",
  federatedIdentityCredential: "azure-native:managedidentity:FederatedIdentityCredential",
  workspace: "azure-native:operationalinsights:Workspace",
  appInsights: "azure-native:applicationinsights:Component",
  actionGroup: "azure-native:monitor:ActionGroup",
  metricAlert: "azure-native:monitor:MetricAlert",
  diagnosticSetting: "azure-native:monitor:DiagnosticSetting",
  lockByScope: "azure-native:authorization:ManagementLockByScope",
  lockAtResource: "azure-native:authorization:ManagementLockAtResourceLevel",
  lockAtGroup: "azure-native:authorization:ManagementLockAtResourceGroupLevel",
  /** Dynamic resources (components/settle.ts, components/bootstrap-run.ts): the type pulumi.dynamic.Resource would register. */
  settle: "pulumi-nodejs:dynamic/amplifier:Settle",
  bootstrapRun: "pulumi-nodejs:dynamic/amplifier:BootstrapRun",
} as const;

/** `a.b.c` lookup that tolerates missing levels. */
export function at(obj: unknown, path: string): any {
  return path.split(".").reduce<any>((node, key) => (node !== null && typeof node === "object" ? node[key] : undefined), obj);
}

export function ofType(resources: readonly PolicyResource[], ...types: string[]): PolicyResource[] {
  return resources.filter((r) => types.includes(r.type));
}

/** Name inputs that do not follow the `<type>Name` pattern. */
const NAME_INPUTS: Record<string, string> = {
  [T.storageAccount]: "accountName",
  [T.fileShare]: "shareName",
  [T.metricAlert]: "ruleName",
  [T.federatedIdentityCredential]: "federatedIdentityCredentialResourceName",
};

/**
 * The Azure name of a resource: the `<type>Name` input azure-native uses (`serverName`, `vaultName`, ...), the
 * type's own name input (`accountName`), `name` or `resourceName`. A deployment slot is `<site>/<slot>`, as ARM
 * names it.
 */
export function azureName(r: PolicyResource): string | undefined {
  const typeName = r.type.split(":")[2] ?? "";
  const key = NAME_INPUTS[r.type] ?? `${typeName.charAt(0).toLowerCase()}${typeName.slice(1)}Name`;
  const value = r.props[key] ?? r.props.name ?? r.props.resourceName;
  if (typeof value !== "string") return undefined;
  return r.type === T.webAppSlot && typeof r.props.slot === "string" ? `${value}/${r.props.slot}` : value;
}

/** Whether `child.props[key]` came from `target` (CrossGuard / mock-runtime property dependencies). */
export function dependsOn(child: PolicyResource, key: string, target: PolicyResource): boolean {
  return child.propertyDependencies?.[key]?.includes(target.urn) === true;
}

/**
 * Whether `child.props[key]` points at `target`: the value equals the target's Azure name, or is an ARM id whose
 * last segment is that name (`resourceUri`, `scope`), or, when the value is not known yet (preview), the property's
 * dependencies include the target.
 */
export function refersTo(child: PolicyResource, key: string, target: PolicyResource): boolean {
  if (dependsOn(child, key, target)) return true;
  const value = child.props[key];
  const name = azureName(target);
  if (typeof value !== "string" || !name) return false;
  const segments = value.split("/");
  const named = value === name || (value.startsWith("/") && segments[segments.length - 1] === name);
  return named && sameGroup(child, target);
}

function sameGroup(a: PolicyResource, b: PolicyResource): boolean {
  const ga = a.props.resourceGroupName;
  const gb = b.props.resourceGroupName;
  return typeof ga !== "string" || typeof gb !== "string" || ga === gb;
}

/** Case-insensitive `on` (Trivy uses EqualFold; Azure Policy compares case-insensitively). */
export function isOn(value: unknown): boolean {
  return typeof value === "string" && ["on", "true"].includes(value.toLowerCase());
}

/** One finding (rules return a list: empty when the resource complies). */
export const fail = (problem: string, found: unknown, fix: string): Finding[] => [{ problem, found, fix }];
export const when = (bad: boolean, problem: string, found: unknown, fix: string): Finding[] => (bad ? fail(problem, found, fix) : []);

/** A role definition id's GUID (its last segment, lower case), or undefined while it is not known (preview). */
export const roleGuid = (id: unknown): string | undefined => (typeof id === "string" ? id.split("/").pop()?.toLowerCase() : undefined);

/**
 * Whether a role assignment's principal is one of `identities`: linked by dependency (CrossGuard and the mock runtime
 * record where `principalId` came from), or the same principal id as the identity's own or its site's identity.
 */
export function grantsTo(assignment: PolicyResource, identities: readonly PolicyResource[]): boolean {
  const principal = assignment.props.principalId;
  return identities.some(
    (id) =>
      dependsOn(assignment, "principalId", id) ||
      (typeof principal === "string" && principal !== "" && [id.props.principalId, at(id.props, "identity.principalId")].includes(principal)),
  );
}

/** The ARM resource type of each type a role may be scoped to (a scope is an ARM id). */
const ARM_TYPES: Readonly<Record<string, string>> = {
  [T.vault]: "Microsoft.KeyVault/vaults",
  [T.secret]: "Microsoft.KeyVault/vaults/secrets",
  [T.webApp]: "Microsoft.Web/sites",
  [T.server]: "Microsoft.DBforPostgreSQL/flexibleServers",
  [T.storageAccount]: "Microsoft.Storage/storageAccounts",
};

/** `/subscriptions/s/resourceGroups/g/providers/Ns/type/name[/type/name]` -> its ARM type, names and group. */
function parseScope(scope: string): { armType: string; names: string[]; group?: string } | undefined {
  const m = /^\/subscriptions\/[^/]+(?:\/resourceGroups\/([^/]+))?\/providers\/([^/]+)\/(.+)$/i.exec(scope);
  if (!m) return undefined;
  const parts = m[3].split("/");
  if (parts.length % 2 !== 0) return undefined;
  const types = parts.filter((_, i) => i % 2 === 0);
  return { armType: `${m[2]}/${types.join("/")}`, names: parts.filter((_, i) => i % 2 === 1), group: m[1] };
}

/**
 * The resource of the stack that a role assignment's scope is exactly, among resources of `types`; undefined when
 * it is none of them (a group, a subscription, something under or above one of them, another stack's resource).
 */
export function scopeTarget(assignment: PolicyResource, resources: readonly PolicyResource[], types: readonly string[]): PolicyResource | undefined {
  const candidates = resources.filter((r) => types.includes(r.type));
  const scope = assignment.props.scope;
  // Not known yet (preview): the scope was computed from a resource of the stack.
  if (typeof scope !== "string") return candidates.find((r) => dependsOn(assignment, "scope", r));
  const parsed = parseScope(scope);
  if (!parsed) return undefined;
  const lower = (s: unknown) => (typeof s === "string" ? s.toLowerCase() : s);
  return candidates.find((r) => {
    if (lower(ARM_TYPES[r.type]) !== parsed.armType.toLowerCase()) return false;
    if (lower(azureName(r)) !== lower(parsed.names[parsed.names.length - 1])) return false;
    // A secret also names its vault.
    if (r.type === T.secret && lower(r.props.vaultName) !== lower(parsed.names[0])) return false;
    const group = r.props.resourceGroupName;
    return typeof group !== "string" || parsed.group === undefined || lower(group) === lower(parsed.group);
  });
}
