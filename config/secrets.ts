/**
 * Secret config values: how a `secure:` value in a stack file stays a secret Output all the way to the resources.
 *
 * Pulumi tells a program only which top-level keys are secret (`isConfigSecret("amplifier-infra:docker")`; the
 * language host sends PULUMI_CONFIG_SECRET_KEYS, pulumi/pulumi sdk/nodejs/runtime/config.ts), never which value
 * inside a block was the `secure:` one. So the design is:
 *  - `secure:` is allowed only at the paths in SECRET_CAPABLE; anywhere else it is an error (the program could not
 *    keep it secret), named by path offline and by top-level key in the program;
 *  - the config is validated on plain values, and `cfg.secretPaths` lists every secret-capable path under a secret
 *    key (the program cannot tell which leaf was secure, so all of them are secret: never too few);
 *  - components wrap those values with `secretAware(cfg.secretPaths, path, value)` where they use them.
 * The offline tools hand the program the same top-level secret keys (mock runtime, `setAllConfig(values, keys)`), so
 * the plan and `pulumi up` mark exactly the same values secret.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Problem } from "./errors";
import type { SecretsProviderKind } from "./pulumi-files";

/** Config paths a stack file may write as `secure:` (`*` = every key of a mapping). */
export const SECRET_CAPABLE = ["docker.password", "docker.api.settings.*", "app.settings.*"] as const;

const ALLOWED = SECRET_CAPABLE.map((p) => p.replace("*", "<NAME>")).join(", ");

function matches(pattern: string, path: string): boolean {
  const [p, q] = [pattern.split("."), path.split(".")];
  return p.length === q.length && p.every((part, i) => part === "*" || part === q[i]);
}

/** Problems for `secure:` values at paths that may not be secret (offline, where the file shows the exact path). */
export function secureLeafProblems(leafPaths: readonly string[]): Problem[] {
  return leafPaths
    .filter((leaf) => !SECRET_CAPABLE.some((p) => matches(p, leaf)))
    .map((leaf) => ({
      path: leaf.split(/\.|\[(\d+)\]/).filter(Boolean).map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
      text: `${leaf}: a secure: value is allowed only at ${ALLOWED} (nothing else is used as a secret, so it would end up in plain text)`,
    }));
}

const capablePatterns = (key: string) => SECRET_CAPABLE.filter((p) => p.startsWith(`${key}.`));

/**
 * Secret top-level keys with no secret-capable value under them: the program cannot tell where their `secure:` value
 * was, so it cannot keep it secret. Checked before the schema, whose messages quote the values they reject.
 */
export function secretKeyProblems(secretKeys: Iterable<string>): Problem[] {
  return [...secretKeys]
    .filter((key) => !capablePatterns(key).length)
    .map((key) => ({ path: [key], text: `${key}: Pulumi marks it secret (a secure: value inside), but a secure: value is allowed only at ${ALLOWED}` }));
}

/**
 * Secret top-level keys under which no secret-capable value is set (`app` secret, but no `app.settings` entry): the
 * `secure:` value must sit where nothing keeps it secret. Checked after the schema, on the validated config.
 */
export function misplacedSecretProblems(cfg: Record<string, unknown>, secretKeys: Iterable<string>): Problem[] {
  return [...secretKeys]
    .filter((key) => capablePatterns(key).length && !secretPathsOf(cfg, [key]).size)
    .map((key) => ({ path: [key], text: `${key}: Pulumi marks it secret (a secure: value inside), but a secure: value is allowed only at ${ALLOWED}` }));
}

/** The concrete secret paths of a validated config, given the top-level keys Pulumi marks secret. */
export function secretPathsOf(cfg: Record<string, unknown>, secretKeys: Iterable<string>): Set<string> {
  const paths = new Set<string>();
  for (const key of secretKeys) {
    for (const pattern of capablePatterns(key)) for (const p of expand(cfg, pattern.split("."), [])) paths.add(p);
  }
  return paths;
}

function expand(node: unknown, rest: string[], at: string[]): string[] {
  if (!rest.length) return typeof node === "string" ? [at.join(".")] : [];
  if (node === null || typeof node !== "object") return [];
  const [head, ...tail] = rest;
  const keys = head === "*" ? Object.keys(node) : [head];
  return keys.flatMap((k) => expand((node as Record<string, unknown>)[k], tail, [...at, k]));
}

/** The value as a secret Output when its config path is secret, else as is. */
export function secretAware(secretPaths: ReadonlySet<string>, path: string, value: string): pulumi.Input<string> {
  return secretPaths.has(path) ? pulumi.secret(value) : value;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const decodedLength = (b64: string): number => (BASE64.test(b64) ? Buffer.from(b64, "base64").length : -1);

/**
 * What a `secure:` value must look like, by who encrypts it (pulumi/pulumi, sdk/go/common/resource/config/crypt.go
 * symmetricCrypter: passphrase and cloud KMS providers write `v1:<base64 12-byte nonce>:<base64 AES-256-GCM
 * ciphertext>`, the ciphertext at least its 16-byte tag; pkg/secrets/service/manager.go: Pulumi Cloud writes the
 * service's ciphertext as standard base64, here required to be at least 28 bytes, a nonce and a tag). A value that is
 * not is a pasted plain secret, which `pulumi up` would fail to decrypt (or worse, the plain text sits in git).
 */
export function ciphertextProblem(value: unknown, provider: SecretsProviderKind): string | undefined {
  if (typeof value !== "string") return "is not Pulumi ciphertext (a secure: value is a string the CLI writes)";
  const v1 = /^v1:([^:]*):([^:]*)$/.exec(value);
  const v1ok = v1 !== null && decodedLength(v1[1]) === 12 && decodedLength(v1[2]) >= 16;
  if (provider !== "service") {
    return v1ok ? undefined : `is not Pulumi ciphertext: with a ${provider} secrets provider the CLI writes v1:<nonce>:<ciphertext>, both base64`;
  }
  return decodedLength(value) >= 28 ? undefined : "is not Pulumi ciphertext: with Pulumi Cloud's secrets provider the CLI writes base64 ciphertext";
}

/** Problems for `secure:` values that are not ciphertext, named by path and never quoted. */
export function ciphertextProblems(secure: readonly { path: string; value: unknown }[], provider: SecretsProviderKind): Problem[] {
  return secure.flatMap(({ path, value }) => {
    const problem = ciphertextProblem(value, provider);
    if (!problem) return [];
    return [{
      path: path.split(/\.|\[(\d+)\]/).filter(Boolean).map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
      text: `${path}: the secure: value ${problem} (value not shown; it looks like a pasted plain secret). Remove it from the file and set it with \`pulumi config set --secret --path '${path}' <value>\`, which writes the ciphertext; rotate the secret if this file was ever committed or shared`,
    }];
  });
}
