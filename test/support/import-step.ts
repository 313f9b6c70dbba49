/**
 * When the Pulumi engine imports a resource that has an `import` id (pulumi/pulumi pkg/resource/deploy/
 * step_generator.go, generateSteps): the old state's importID, or its id when it has none, is compared byte for byte
 * with the goal's import id, `isImport := goal.Custom && goal.ID != "" && (old == nil || old.External ||
 * oldImportID != goal.ID)`; with an old resource an import is an ImportReplacementStep plus a ReplaceStep.
 */
export interface OldState {
  id: string;
  importID?: string;
  external?: boolean;
}

export type ImportStep = "none" | "import" | "import-replacement";

export function importStep(importId: string | undefined, old: OldState | undefined): ImportStep {
  if (!importId) return "none";
  const oldImportId = old ? old.importID || old.id : undefined;
  const isImport = old === undefined || old.external === true || oldImportId !== importId;
  if (!isImport) return "none";
  return old ? "import-replacement" : "import";
}
