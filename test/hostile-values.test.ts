/**
 * Hostile values the catalogue (bad-input-catalogue.test.ts) cannot express as a stack-file change: a symlink out of
 * the project, and the pure limits behind the schema's checks (Azure's tag rules, RFC 1918).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TAG_LIMITS, tagProblems } from "../config/azure-app";
import { isRfc1918 } from "../config/cidr";
import { insideProject, validateStack } from "../config/load";
import { toRuntimeConfig } from "../config/pulumi-files";
import { readStackConfig } from "../config/stack-files";
import { specStack } from "./support/stacks";

describe("docker.initSqlPath stays inside the project", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "amplifier-root-"));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), "amplifier-outside-"));
  fs.mkdirSync(path.join(root, "scripts"));
  fs.writeFileSync(path.join(root, "scripts", "init.sql"), "select 1;");
  fs.writeFileSync(path.join(outside, "secret.sql"), "-- a host file");
  fs.symlinkSync(path.join(outside, "secret.sql"), path.join(root, "scripts", "link.sql"));
  fs.symlinkSync(outside, path.join(root, "scripts", "dir-link"));
  const real = fs.realpathSync(root);

  test.each([
    ["a file in the project", "scripts/init.sql", { file: path.join(real, "scripts", "init.sql") }],
    ["an absolute host path", "/etc/passwd", "must be relative to the project, not an absolute path"],
    ["../ out of the project", path.relative(root, path.join(outside, "secret.sql")), `points outside the project (${real})`],
    ["a symlink to a host file", "scripts/link.sql", `resolves to ${fs.realpathSync(path.join(outside, "secret.sql"))} (a symlink), outside the project (${real})`],
    ["a file under a symlinked folder", "scripts/dir-link/secret.sql", `resolves to ${fs.realpathSync(path.join(outside, "secret.sql"))} (a symlink), outside the project (${real})`],
    ["a directory", "scripts", "is not a regular file"],
    ["a missing file", "scripts/missing.sql", `does not exist in the project (${real})`],
  ])("%s", (_name, rel, expected) => {
    expect(insideProject(root, rel)).toEqual(expected);
  });

  test("the program's validation refuses a symlink out of the project before anything is registered", () => {
    const file = new Map(Object.entries(readStackConfig("dev", specStack("dev").dir)));
    file.set("amplifier-infra:docker", { ...(file.get("amplifier-infra:docker") as object), initSqlPath: "scripts/link.sql" });
    const { values, secretKeys } = toRuntimeConfig("dev", file);
    expect(() => validateStack({ stack: "dev", project: "amplifier-infra", values, isSecret: (k) => secretKeys.includes(k), root })).toThrow(
      'docker.initSqlPath (got "scripts/link.sql"): resolves to',
    );
  });
});

describe("Azure's tag limits", () => {
  test("at most 15 tags (Private DNS zones), names 1-128 without < > % & \\ ? /, values up to 256, names unique ignoring case", () => {
    expect(tagProblems({ environment: "test", "managed-by": "amplifier", "cost-center": "engineering" })).toEqual([]);
    const many = Object.fromEntries(Array.from({ length: TAG_LIMITS.maxTags + 1 }, (_, i) => [`tag${i}`, "v"]));
    expect(tagProblems(many)).toEqual(["16 tags; Azure Private DNS zones accept at most 15"]);
    expect(tagProblems({ ["n".repeat(129)]: "v" })).toEqual([`tag name "${"n".repeat(129)}": must be 1-128 characters`]);
    expect(tagProblems({ "a/b": "v", "a\tb": "v" })).toEqual([
      'tag name "a/b": must not contain < > % & \\ ? / or control characters',
      'tag name "a\tb": must not contain < > % & \\ ? / or control characters',
    ]);
    expect(tagProblems({ env: "v".repeat(257) })).toEqual(['tag "env": value must be 1-256 characters']);
    expect(tagProblems({ Env: "a", env: "b" })).toEqual(['tag names "Env" and "env" are the same to Azure (tag names ignore case)']);
  });
});

test("RFC 1918: private ranges only, the whole block inside one", () => {
  expect(["10.20.0.0/16", "172.16.0.0/12", "172.31.255.0/24", "192.168.1.0/24", "10.0.0.0/8"].map(isRfc1918)).toEqual([true, true, true, true, true]);
  expect(["172.32.0.0/16", "100.64.0.0/10", "8.8.8.0/24", "10.0.0.0/7", "192.168.0.0/15", "not-a-cidr"].map(isRfc1918)).toEqual([false, false, false, false, false, false]);
});
