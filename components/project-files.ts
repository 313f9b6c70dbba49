import * as fs from "fs";
import { insideProject, projectRoot } from "../config/load";

/** The database bootstrap's runner (python3, standard library only), relative to the project. */
export const BOOTSTRAP_RUNNER_PATH = "scripts/db-bootstrap.py";

/**
 * A file of this project, resolved as config/load.ts resolves config paths (inside the project, symlinks included).
 * The files read here are part of the program (SQL and the runner), so a missing one is a broken checkout.
 */
export function readProjectFile(relative: string, projectDir: string = projectRoot()): string {
  const file = insideProject(projectDir, relative);
  if (typeof file === "string") throw new Error(`${relative}: ${file}`);
  return fs.readFileSync(file.file, "utf8");
}
