/**
 * `npm run docs`: README's generated sections. `--write` puts them into README; without it they are printed.
 * test/readme.test.ts fails when README is out of date.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config/errors";
import { parseAllStackFiles, PROJECT_DIR } from "../config/stack-files";
import { runStack } from "../mock-runtime";
import { EXIT, type Io } from "./cli";
import { loadAllStackConfigs, renderEnvironmentsTable, withSection } from "./environments-table";
import { lockedDeletes, renderLockedDeletes } from "./locked-deletes";

/** Stands in for the Entra admin group prod is waiting for (its PENDING policy exception), so its row shows. */
const ENTRA_ADMIN = { objectId: "00000000-0000-0000-0000-000000000000", principalName: "db-admins", principalType: "Group" };

/**
 * What the locks keep a deploy from deleting, for every Azure stack file run with `locks: true` and an Entra admin:
 * the changes that need `locks: false` first wherever locks are on.
 */
export async function lockedDeletesTable(dir = PROJECT_DIR): Promise<string> {
  const stacks = parseAllStackFiles(dir).filter((c) => c.platform === "azure").map((c) => c.stack);
  const rows = [];
  // One at a time: the mock runtime is process-wide.
  for (const stack of stacks) rows.push(...lockedDeletes(await runStack({ stack, dir, overrides: { locks: true, postgres: { entraAdmin: ENTRA_ADMIN } } })));
  return renderLockedDeletes(rows);
}

/** `dir`: the project whose stack files and README are used (tests pass a copy). */
export async function main(argv: string[], io: Io, dir = PROJECT_DIR): Promise<number> {
  const unknown = argv.filter((a) => a !== "--write");
  if (unknown.length) {
    io.stderr(`docs: unexpected argument ${JSON.stringify(unknown[0])}\nusage: npm run docs (writes README) | node dist/scripts/docs.js [--write]\n`);
    return EXIT.usage;
  }
  const readmePath = path.join(dir, "README.md");
  let sections: Record<string, string>;
  try {
    sections = { environments: renderEnvironmentsTable(loadAllStackConfigs(dir)), "locked-deletes": await lockedDeletesTable(dir) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr(`docs: ${err.message}\n`);
    return EXIT.config;
  }
  if (argv.includes("--write")) {
    const readme = Object.entries(sections).reduce((text, [name, body]) => withSection(text, name, body), fs.readFileSync(readmePath, "utf8"));
    fs.writeFileSync(readmePath, readme);
    io.stdout(`updated ${path.relative(process.cwd(), readmePath) || readmePath}\n`);
  } else {
    io.stdout(`${Object.values(sections).join("\n\n")}\n`);
  }
  return EXIT.ok;
}
