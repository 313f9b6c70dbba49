/**
 * Runs after every test file (jest.config.js setupFilesAfterEnv): every resource type the file's program runs
 * registered (mock-runtime `registeredTypes`, in whatever stack and config variant) must be on the policy pack's type
 * allowlist, or the file fails naming the type and where to add it. Reads a global, so a file that never runs the
 * program loads nothing here.
 */
import { ALLOWED_TYPES, RESOURCE_TYPES_FILE } from "../../policy/rules/resource-types";

afterAll(() => {
  const seen = (globalThis as { __amplifierRegisteredTypes?: Map<string, string> }).__amplifierRegisteredTypes;
  const missing = [...(seen ?? new Map<string, string>())].filter(([type]) => !Object.hasOwn(ALLOWED_TYPES, type));
  if (missing.length) {
    throw new Error(
      `the program registered resource types the policy pack's allowlist does not have: ${missing.map(([t, stack]) => `${t} (stack ${stack})`).join(", ")}. ` +
        `Add one line per type to ALLOWED_TYPES in ${RESOURCE_TYPES_FILE}, naming where the program registers it.`,
    );
  }
});
