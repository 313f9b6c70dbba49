/**
 * What the Pulumi engine does with a resource's `ignoreChanges` before it diffs, the one copy the tests use
 * (pulumi/pulumi pkg/resource/deploy/step_generator.go, processIgnoreChanges; sdk/go/common/resource/
 * properties_path.go, PropertyPath.Reset): each ignored path takes the stored input's value, or is removed when the
 * stored inputs lack it. A path the two sides cannot both follow (the stored inputs have a level the program's lack,
 * or one side is not an object there) is left as the program gave it, and the engine only reports it ("cannot ignore
 * changes in added or removed elements of the path", an info message since pulumi/pulumi#20278; it failed the
 * deploy before). Dotted paths over objects only; the program ignores no array element.
 */
type Obj = Record<string, any>;

const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reset's walk for one path; false is a path error (nothing changed). */
function reset(keys: string[], old: unknown, next: unknown): boolean {
  const [key, ...rest] = keys;
  if (rest.length === 0) {
    if (isObject(old) && key in old) {
      if (!isObject(next)) return false;
      next[key] = structuredClone(old[key]);
    } else if (isObject(next)) {
      delete next[key];
    }
    return true;
  }
  if (!isObject(old) || !isObject(next)) return !isObject(old) && !isObject(next);
  const hasOld = key in old;
  const hasNew = key in next;
  if (hasOld && !hasNew) return false;
  if (!hasOld && !hasNew) return true;
  return reset(rest, old[key], next[key]);
}

/** The inputs the engine diffs, and the paths it could not reset (reported, never fatal). */
export function ignoreChanges(news: Obj, olds: Obj, paths: readonly string[]): { inputs: Obj; invalid: string[] } {
  const inputs: Obj = structuredClone(news);
  const invalid = paths.filter((path) => !reset(path.split("."), olds, inputs));
  return { inputs, invalid };
}

/** The inputs the engine diffs after applying `paths` (ignoreChanges) against the stored inputs `olds`. */
export function applyIgnoreChanges(news: Obj, olds: Obj, paths: readonly string[]): Obj {
  return ignoreChanges(news, olds, paths).inputs;
}
