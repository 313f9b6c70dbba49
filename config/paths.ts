/**
 * Paths a stack file names (init SQL, the dev API's build context and Dockerfile): only the project's own, so no host
 * file or directory reaches a container, a server parameter or the state.
 */
import * as fs from "fs";
import * as path from "path";

/**
 * The real path of a project-relative file (or directory), or why it may not be used: absolute, outside the project
 * (`..`, or a symlink pointing out), missing, or not a regular file (a directory). Host files must never reach a
 * container or the state.
 */
export function insideProject(root: string, rel: string, kind: "file" | "directory" = "file"): { file: string } | string {
  if (path.isAbsolute(rel) || /^[a-zA-Z]:/.test(rel)) return "must be relative to the project, not an absolute path";
  const realRoot = fs.realpathSync(root);
  const outside = (p: string) => {
    const r = path.relative(realRoot, p);
    return r === "" || r.startsWith("..") || path.isAbsolute(r);
  };
  if (outside(path.resolve(realRoot, rel))) return `points outside the project (${realRoot})`;
  let real: string;
  try {
    real = fs.realpathSync(path.resolve(realRoot, rel));
  } catch {
    return `does not exist in the project (${realRoot})`;
  }
  if (outside(real)) return `resolves to ${real} (a symlink), outside the project (${realRoot})`;
  if (kind === "file" && !fs.statSync(real).isFile()) return "is not a regular file";
  if (kind === "directory" && !fs.statSync(real).isDirectory()) return "is not a directory";
  return { file: real };
}
