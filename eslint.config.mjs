import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "policy/node_modules/", "coverage/", ".base/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // The harness and mocks handle provider payloads, which are untyped JSON.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  { files: ["**/*.js", "**/*.cjs"], languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly" } } },
);
