import { strict as assert } from "assert";
import { declaredOidcProviders, oidcProviderProblems } from "../config/checks/oidcProviders";
import { ACCOUNT, P, parsedStackOf } from "./support/configChecks";

const K = `${P}:oidcProviders`;
const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const PULUMI = `arn:aws:iam::${ACCOUNT}:oidc-provider/api.pulumi.com/oidc`;

describe("config check: OIDC providers the account already has", () => {
    it("passes GitHub's provider of the stack's account, adopted, and Pulumi Cloud's, imported, on the pulumi-cloud backend", () => {
        const stack = parsedStackOf("prod", {
            [K]: { github: { adopt: GITHUB }, pulumi: { import: PULUMI } },
            [`${P}:backend`]: "pulumi-cloud",
        });
        assert.deepEqual(oidcProviderProblems(stack), []);
        assert.deepEqual(declaredOidcProviders(stack), { github: { mode: "adopt", arn: GITHUB }, pulumi: { mode: "import", arn: PULUMI } });
    });

    it("refuses another account's provider, at the mode's key", () => {
        const other = GITHUB.replace(ACCOUNT, "444455556666");
        assert.deepEqual(oidcProviderProblems(parsedStackOf("dev", { [K]: { github: { import: other } } })), [
            { key: `${K}.github.import`, message: `must be '${GITHUB}' (the provider the roles' trust policies name), got '${other}'` },
        ]);
    });

    it("refuses Pulumi Cloud's provider on the S3 backend", () => {
        assert.deepEqual(oidcProviderProblems(parsedStackOf("dev", { [K]: { pulumi: { adopt: PULUMI } } })), [
            {
                key: `${K}.pulumi.adopt`,
                message: "names Pulumi Cloud's provider, which only the pulumi-cloud backend uses: remove it or set backend: pulumi-cloud",
            },
        ]);
    });

    it("has nothing to judge without providers, and no account to compare while the account key is refused", () => {
        assert.deepEqual(oidcProviderProblems(parsedStackOf("dev")), []);
        assert.deepEqual(declaredOidcProviders(parsedStackOf("dev")), {});
        const other = GITHUB.replace(ACCOUNT, "444455556666");
        assert.deepEqual(
            oidcProviderProblems(parsedStackOf("dev", { [`${P}:accountId`]: "12", [K]: { github: { adopt: other } } }, true)),
            [],
        );
    });
});
