/**
 * Hostile values in a stack file, refused before the schema sees them: every key and every string is bounded and
 * printable. A config string ends up in the plan, the pull-request summary (inside a Markdown code fence), error
 * messages, the set-up script's comments and Azure itself, so
 *  - control characters (ANSI escapes, newlines, NUL), bidirectional overrides and isolates, zero-width characters
 *    and line separators are refused: they rewrite a terminal, forge lines or hide text (Unicode Technical Report
 *    #36, "Unicode Security Considerations"; CVE-2021-42574, "Trojan Source");
 *  - backticks are refused: three of them close the summary's code fence and let the rest read as the page's own
 *    Markdown (a forged "no findings" heading). A value Pulumi keeps secret is never printed, so it may hold them;
 *  - `__proto__`, `constructor` and `prototype` are refused as keys: assigned to a plain object, `__proto__` replaces
 *    its prototype, so `amplifier-infra:__proto__` would hand the schema defaults (protect, locks, delivery) that no
 *    key of the file names;
 *  - every string is at most MAX_STRING characters, every key MAX_KEY.
 */
import { escapeUnsafe, keyPath, type Problem, UNSAFE_CHARACTER } from "./errors";

export { escapeUnsafe };
export const FORBIDDEN_KEYS: readonly string[] = ["__proto__", "constructor", "prototype"];
export const MAX_STRING = 2048;
export const MAX_KEY = 128;

/** `U+001B`: how an unsafe character is named in a message (never the character itself). */
const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/** Why `s` may not be printed, or undefined. `backticks`: whether a backtick is refused too. */
export function unsafeText(s: string, backticks = true): string | undefined {
  const bad = UNSAFE_CHARACTER.exec(s);
  if (bad) return `contains the control or invisible character ${codePoint(bad[0])} at position ${bad.index + 1}`;
  if (backticks && s.includes("`")) return "contains a backtick (`), which would close the pull-request summary's code fence";
  return undefined;
}

/** A key's own problem (name, characters, length), or undefined. */
export function keyProblem(key: string): string | undefined {
  if (FORBIDDEN_KEYS.includes(key)) return `"${key}" is not a key this program reads (it would reach JavaScript's object machinery); remove it`;
  const unsafe = unsafeText(key);
  if (unsafe) return `a key ${unsafe}; keys are names such as postgres or skuName`;
  if (key.length > MAX_KEY) return `a key of ${key.length} characters; keys are at most ${MAX_KEY}`;
  return undefined;
}

/**
 * Every hostile key or string in `value`, located by `path` (["postgres", "serverParameters", "x"]). Strings under
 * `secretPath` (a `secure:` value Pulumi keeps secret, never printed) may hold backticks.
 */
export function hostileProblems(value: unknown, path: readonly PropertyKey[], secretPath: (path: readonly PropertyKey[]) => boolean = () => false): Problem[] {
  const at = (p: readonly PropertyKey[]) => keyPath(p) || "(root)";
  if (typeof value === "string") {
    if (value.length > MAX_STRING) return [{ path, text: `${at(path)} (a value of ${value.length} characters): every string is at most ${MAX_STRING} characters` }];
    const unsafe = unsafeText(value, !secretPath(path));
    return unsafe ? [{ path, text: `${at(path)} (value not shown): ${unsafe}; remove it` }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => hostileProblems(v, [...path, i], secretPath));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => {
      const bad = keyProblem(k);
      // The key is shown escaped: it may be the hostile part.
      if (bad) return [{ path, text: `${at(path)}: ${bad} (key "${escapeUnsafe(k.slice(0, 40))}")` }];
      return hostileProblems(v, [...path, k], secretPath);
    });
  }
  return [];
}
