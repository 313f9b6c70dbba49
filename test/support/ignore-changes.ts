/**
 * What the Pulumi engine does with a resource's `ignoreChanges` before it diffs (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go, processIgnoreChanges; sdk/go/common/resource/property_path.go, Reset): each
 * ignored path takes the stored input's value, or is removed when the stored inputs lack it. A path whose parent the
 * program's inputs lack cannot be set and fails the deploy ("cannot ignore changes to the following properties because
 * one or more elements of the path are missing", pulumi/pulumi-azure-native#2908). Dotted paths only.
 */
type Obj = Record<string, any>;

const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function applyIgnoreChanges(news: Obj, olds: Obj, paths: readonly string[]): Obj {
  const out: Obj = structuredClone(news);
  for (const path of paths) {
    const keys = path.split(".");
    const last = keys.pop()!;
    const parentOf = (root: Obj) => keys.reduce<Obj | undefined>((o, k) => (isObject(o?.[k]) ? o[k] : undefined), root);
    const oldParent = parentOf(olds);
    const newParent = parentOf(out);
    const hasOld = oldParent !== undefined && last in oldParent;
    if (!hasOld) {
      if (newParent !== undefined) delete newParent[last];
      continue;
    }
    if (newParent === undefined) throw new Error(`cannot ignore changes to the following properties because one or more elements of the path are missing: "${path}"`);
    newParent[last] = structuredClone(oldParent[last]);
  }
  return out;
}
