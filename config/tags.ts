/** The tags on every Azure resource (spec: environment, managed-by, cost-center), from the validated config. */
export function azureTags(cfg: { environment: string; tags: { managedBy: string; costCenter: string } }): Record<string, string> {
  return { environment: cfg.environment, "managed-by": cfg.tags.managedBy, "cost-center": cfg.tags.costCenter };
}
