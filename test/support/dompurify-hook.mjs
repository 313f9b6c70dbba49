/* global URL */
// Module resolve hook for test/mermaid-check.mjs (node:module register): `dompurify` resolves to the stand-in
// beside this file instead of the real package, which would need a DOM (jsdom and its 37 packages).
const PASSTHROUGH = new URL("./dompurify-passthrough.mjs", import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === "dompurify") return { url: PASSTHROUGH, shortCircuit: true };
  return next(specifier, context);
}
