// Lint for the product, the pack and the rig: typescript-eslint's recommended rules, plus the ones that keep code
// plain (no unused values; imports of types as types are not enforced: ts-node transpiles either way).
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["**/node_modules/**", "**/dist/**", ".state/**", "local/toolchain/go/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
            ],
            // Lines are the formatter's (Prettier, .prettierrc.json); a string or a URL it cannot break may run on.
            "max-len": [
                "error",
                {
                    code: 120,
                    ignoreStrings: true,
                    ignoreTemplateLiterals: true,
                    ignoreRegExpLiterals: true,
                    ignoreUrls: true,
                    ignoreComments: false,
                },
            ],
        },
    },
    {
        // Specs, fixtures and the rig read mock inputs and API answers loosely; the product may not.
        files: ["**/*.spec.ts", "test/**", "local/**", "policy/testing/**"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
    {
        // The floor's plain CommonJS programs (local/bench-floor) and the CLI's bin shim.
        files: ["**/*.js"],
        languageOptions: { sourceType: "commonjs", globals: globals.node },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
