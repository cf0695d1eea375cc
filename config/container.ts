import { containerRepositoryName } from "../shared/names";
import type { ConfigProblem } from "./problems";
import type { RepositoryKind } from "./schema";

/** ECR's repository name grammar: lowercase path components joined by '/', each separated inside by one '.', '_' or '-'. */
const ECR_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** ECS service names: letters, digits, hyphens and underscores; the patterns add '*'. */
const ECS_SERVICE_PATTERN = /^[A-Za-z0-9_*-]{1,255}$/;

interface ContainerEntry {
    readonly name: string;
    readonly kind: RepositoryKind;
    readonly deploys: { readonly ecsServices: readonly string[]; readonly foundation: boolean };
}

/**
 * Why a repository entry cannot be served as a container service: a container repository names the ECS
 * services its deployer updates (IAM refuses an empty Resource list) and its name must make an ECR name;
 * ECS services declared by any other kind would be rights no workflow of that kind uses, so they are refused.
 */
export function containerRepositoryProblems(entry: ContainerEntry, prefix: string | undefined): ConfigProblem[] {
    // Keyed below the entry (`deploys.ecsServices`): the caller knows where the entry was declared.
    const problems: ConfigProblem[] = [];
    if (entry.kind !== "container") {
        if (entry.deploys.ecsServices.length > 0)
            problems.push({
                key: "deploys.ecsServices",
                message: `is set for ${entry.kind} repository '${entry.name}': only a container repository deploys ECS services; remove the key or set kind: container`,
            });
        return problems;
    }
    if (entry.deploys.ecsServices.length === 0)
        problems.push({
            key: "deploys.ecsServices",
            message: `is empty for container repository '${entry.name}': its deployer updates only the ECS services named here, and IAM refuses a policy with an empty Resource list; list its services' name patterns`,
        });
    entry.deploys.ecsServices.forEach((pattern, i) => {
        if (!ECS_SERVICE_PATTERN.test(pattern))
            problems.push({
                key: `deploys.ecsServices[${i}]`,
                message: `'${pattern}' names no ECS service: a service name holds only letters, digits, '-' and '_' (and the pattern '*')`,
            });
    });
    if (prefix !== undefined) {
        const ecr = containerRepositoryName({ prefix }, entry.name);
        if (!ECR_NAME.test(ecr))
            problems.push({
                key: "name",
                message: `'${entry.name}' makes the ECR repository name '${ecr}', which ECR refuses: each part must be lowercase letters and digits, separated by single '.', '_' or '-'; rename the repository or the prefix`,
            });
    }
    return problems;
}
