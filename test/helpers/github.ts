import { lookupFailure, type LookupHandler } from "../../tools/lib/synthesize";

/** A GitHub organisation as the tests know it: every team and user with its numeric id. */
export interface Directory {
    readonly orgId: number;
    readonly teams: Record<string, number>;
    readonly users: Record<string, number>;
    readonly repositories: Record<string, number>;
    /** GitHub's plan of the organisation; `enterprise` unless a test says otherwise. */
    readonly plan?: string;
    /** Repositories (full names) each team may access; every repository of the directory unless listed here. */
    readonly teamRepositories?: Record<string, readonly string[]>;
}

export const ORG: Directory = {
    orgId: 42,
    teams: { "lead-developer": 101, "tech-lead": 201, "qa-lead": 202, "product-owner": 203, "devops-lead": 204 },
    users: { "release-manager": 301 },
    // Every repository of the committed stacks: the roles of each trust it by its id.
    repositories: {
        "org/cicd-foundation": 4711,
        "org/2_bbws_tenants_instances_lambda": 5001,
        "org/2_bbws_wordpress_site_management_lambda": 5002,
        "org/2_bbws_tenants_event_handler": 5003,
        "org/2_bbws_tenants_instances_dev": 5004,
        "org/2_1_bbws_dynamodb_schemas": 5005,
        "org/2_1_bbws_s3_schemas": 5006,
        "org/2_bbws_tenants_api": 5007,
    },
};

/** Answers the provider's lookups from a directory, failing as the GitHub API does for what it lacks. */
export function directoryLookups(directory: Directory): LookupHandler {
    return (token, inputs) => {
        const missing = (what: string): never => {
            throw lookupFailure(`GET https://api.github.com/${what}: 404 Not Found []`);
        };
        switch (token) {
            case "github:index/getTeam:getTeam": {
                const id = directory.teams[String(inputs.slug)] ?? missing(`orgs/org/teams/${String(inputs.slug)}`);
                const team = { id: String(id), slug: inputs.slug, name: inputs.slug };
                if (inputs.summaryOnly !== false) return team;
                const names = directory.teamRepositories?.[String(inputs.slug)] ?? Object.keys(directory.repositories);
                const repositoriesDetaileds = names.map((n) => ({
                    repoId: directory.repositories[n],
                    repoName: n.split("/")[1],
                    roleName: "pull",
                }));
                return { ...team, repositoriesDetaileds };
            }
            case "github:index/getUser:getUser": {
                const id = directory.users[String(inputs.username)] ?? missing(`users/${String(inputs.username)}`);
                return { id: String(id), login: inputs.username };
            }
            case "github:index/getOrganization:getOrganization":
                return { id: String(directory.orgId), login: inputs.name, name: inputs.name, plan: directory.plan ?? "enterprise" };
            case "github:index/getRepository:getRepository": {
                const fullName = String(inputs.fullName);
                const repoId = directory.repositories[fullName] ?? missing(`repos/${fullName}`);
                return { id: fullName, repoId, fullName, name: fullName.split("/")[1] };
            }
            default:
                throw lookupFailure(`unexpected lookup ${token}`);
        }
    };
}
