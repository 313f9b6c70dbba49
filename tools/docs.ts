/**
 * `npm run docs`: every generated document, from the code. `--write` writes them; without it they are printed.
 *  - README.md: the environments table, between its markers;
 *  - docs/lifecycle.md: what the deletion locks hold (the locked-deletes table), between its markers;
 *  - docs/configuration.md: every stack config key (tools/config-reference.ts, from the zod schemas in config/);
 *  - docs/policy-rules.md: the policy pack's rules (tools/policy-rules-doc.ts, from policy/rules/).
 * test/docs.test.ts fails when any of them is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config/errors";
import { parseAllStackFiles, PROJECT_DIR } from "../config/stack-files";
import { runStack } from "../mock-runtime";
import { EXIT, type Io } from "./cli";
import { renderConfigReference } from "./config-reference";
import { loadAllStackConfigs, renderEnvironmentsTable, withSection } from "./environments-table";
import { lockedDeletes, renderLockedDeletes } from "./locked-deletes";
import { renderPolicyRules } from "./policy-rules-doc";

/** The command that regenerates every file `generatedDocs` returns (named by the staleness test). */
export const DOCS_COMMAND = "npm run docs";

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

/** A generated file: its path relative to the project and the text it must have. */
export interface GeneratedDoc {
  file: string;
  text: string;
}

/** A hand-written file with one generated section rewritten between its markers. */
const generatedSection = (dir: string, file: string, name: string, body: string): GeneratedDoc => ({
  file,
  text: withSection(fs.readFileSync(path.join(dir, file), "utf8"), name, body, file),
});

/** Every generated document as it must read now; README and docs/lifecycle.md keep their hand-written text around the generated sections. */
export async function generatedDocs(dir = PROJECT_DIR): Promise<GeneratedDoc[]> {
  const environments = renderEnvironmentsTable(loadAllStackConfigs(dir));
  const lockedDeletes = await lockedDeletesTable(dir);
  return [
    generatedSection(dir, "README.md", "environments", environments),
    { file: "docs/configuration.md", text: renderConfigReference() },
    generatedSection(dir, "docs/lifecycle.md", "locked-deletes", lockedDeletes),
    { file: "docs/policy-rules.md", text: renderPolicyRules() },
  ];
}

/** Whether the file on disk is missing or differs from what it must read. */
const isStale = (d: GeneratedDoc, dir: string) => !fs.existsSync(path.join(dir, d.file)) || fs.readFileSync(path.join(dir, d.file), "utf8") !== d.text;

/** The generated files whose content on disk differs from what `generatedDocs` makes. */
export async function staleDocs(dir = PROJECT_DIR): Promise<string[]> {
  return (await generatedDocs(dir)).filter((d) => isStale(d, dir)).map((d) => d.file);
}

/** `dir`: the project whose stack files and documents are used (tests pass a copy). */
export async function main(argv: string[], io: Io, dir = PROJECT_DIR): Promise<number> {
  const unknown = argv.filter((a) => a !== "--write");
  if (unknown.length) {
    io.stderr(`docs: unexpected argument ${JSON.stringify(unknown[0])}\nusage: ${DOCS_COMMAND} (writes the files) | node scripts/run.cjs docs [--write]\n`);
    return EXIT.usage;
  }
  let docs: GeneratedDoc[];
  try {
    docs = await generatedDocs(dir);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr(`docs: ${err.message}\n`);
    return EXIT.config;
  }
  if (argv.includes("--write")) {
    // Only what differs is written, so the message says which files changed (and an unchanged file keeps its mtime).
    for (const d of docs) {
      if (!isStale(d, dir)) {
        io.stdout(`up to date: ${d.file}\n`);
        continue;
      }
      fs.mkdirSync(path.dirname(path.join(dir, d.file)), { recursive: true });
      fs.writeFileSync(path.join(dir, d.file), d.text);
      io.stdout(`updated: ${d.file}\n`);
    }
  } else {
    io.stdout(docs.map((d) => `==> ${d.file} <==\n${d.text}`).join("\n"));
  }
  return EXIT.ok;
}
