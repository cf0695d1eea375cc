import type * as github from "@pulumi/github";
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import type { GithubIds } from "./githubLookups";
import type { Naming } from "../shared/names";

/**
 * The facts one stack's components share, built once by the program's entry (`stackContext` in index.ts)
 * and passed whole: a component reads what it needs from here, so a fact is named once and cannot be
 * renamed or repacked on its way down. The same shape serves the foundation tier and a shard's stack.
 * The words it uses are defined in docs/glossary.md.
 */
export interface StackContext {
    /** The stack's validated config (its stack file): environment, repositories, protection, backend mode. */
    readonly config: StackConfig;
    /** Prefix, environment, account and region: every AWS name and ARN the program derives. */
    readonly naming: Naming;
    /** The GitHub provider of every GitHub lookup and resource of the stack. */
    readonly githubProvider: github.Provider;
    /** GitHub's ids of the stack's reviewers and repositories, looked up before any resource is declared. */
    readonly githubIds: GithubIds;
    /** The repository holding this program: the roles trust its reusable workflows only. */
    readonly foundationRepository: string;
    /** Role names of the administrator-owned bootstrap tier: no role the program creates may change them. */
    readonly bootstrapRoleNames: readonly string[];
    /** The permissions boundary every role the program creates carries. */
    readonly boundary: {
        /** Built from the names, so every role's `permissionsBoundary` is known in a first preview. */
        readonly arn: string;
        /** What a role must wait for: the boundary policy, in the stack that declares it. */
        readonly dependsOn: readonly pulumi.Resource[];
    };
}
