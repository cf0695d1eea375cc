import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "**/node_modules/", "bin/", "policies/bin/", "out/", "docs/", "actions/*/dist/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        // Plain CommonJS on purpose: these run before anything is compiled (the entries, the build, the
        // freshness check) or must not compile anything before they measure (the benchmark's child).
        files: ["main.js", "promiseStacks.js", "policies/*.js", "tools/build.js", "tools/bench/*.js"],
        languageOptions: {
            sourceType: "commonjs",
            globals: { process: "readonly", require: "readonly", __dirname: "readonly", module: "readonly" },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        files: ["**/*.ts"],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            // An Output in a template literal prints "Calling [toString] on an Output<T>" instead of its value.
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        },
    },
);
