import type { DeployScope } from "../../config";
import { roleName, type Naming } from "../../shared/names";
import { policyDocument, type PolicyDocument, type Statement } from "../policyDocument";
import { containerDeployerStatements, containerPreviewerStatements } from "./container";
import { foundationDeployerStatements, foundationPreviewerStatements } from "./foundation";
import { lambdaDeployerStatements, lambdaPreviewerStatements } from "./lambda";
import { servedPulumiDeployerStatements, servedPulumiPreviewerStatements } from "./pulumi";
import {
    keyUse,
    ledgerRead,
    ledgerWrite,
    publishDeploymentMetric,
    stateRead,
    stateWrite,
    type PermissionsArgs,
    type RepositoryKind,
} from "./statements";
import { terraformDeployerStatements, terraformPreviewerStatements } from "./terraform";

export { permissionsBoundary, BOUNDED_SERVICES, POLICY_CHANGES, ROLE_CHANGES } from "./boundary";
export { chatbotPermissions, chatbotTrustPolicy } from "./chatbot";
export { LAMBDA_DEPLOY_ACTIONS } from "./lambda";
export { ECR_PUSH_ACTIONS, ECS_DEPLOY_ACTIONS } from "./container";
export { backendUrl, stateKeyPrefix, type PermissionsArgs, type RepositoryKind } from "./statements";

/** Deployer role names of the repositories that hold this program: the administrator-owned bootstrap tier. */
export function bootstrapRoleNames(naming: Naming, repositories: readonly { readonly name: string; readonly deploys: DeployScope }[]) {
    return repositories.filter((r) => r.deploys.foundation).map((r) => roleName(naming, "deployer", r.name));
}

/**
 * Whose rights a role gets: the foundation's go to the repository that declares `deploys.foundation` (the one
 * holding this program), never to a repository because of its kind. Every other repository gets its kind's set.
 */
type RightsSet = "foundation" | RepositoryKind;
const rightsSet = (args: PermissionsArgs): RightsSet => (args.scope.foundation ? "foundation" : args.kind);

/**
 * Only the foundation calls KMS itself: its stack secrets are encrypted with the environment key. Every other
 * role uses the key only through the storage that holds its own data (its state objects, its ledger items),
 * so it decrypts nothing it cannot already read there, the foundation's stack secrets least of all.
 */
function stateKeyUse(args: PermissionsArgs, actions: string[]): Statement {
    const via: Record<RightsSet, ("s3" | "dynamodb")[] | undefined> = {
        foundation: undefined,
        pulumi: ["s3", "dynamodb"],
        terraform: ["s3", "dynamodb"],
        lambda: ["dynamodb"],
        container: ["dynamodb"],
    };
    return keyUse(args.naming, actions, via[rightsSet(args)]);
}

/**
 * The deployer of one repository in one environment: its own state (none for a Lambda service, which
 * deploys a zip, nor for a container service, which deploys an image), its own service's ledger items, the deployment metric, and what it declares it deploys.
 */
export function deployerPermissions(args: PermissionsArgs): PolicyDocument {
    const { naming } = args;
    const own: Statement[] =
        args.kind === "lambda" || args.kind === "container"
            ? [stateKeyUse(args, ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"])]
            : [
                  ...stateRead(naming, args.repository),
                  stateWrite(naming, args.repository),
                  stateKeyUse(args, ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]),
              ];
    const bySet: Record<RightsSet, (a: PermissionsArgs) => Statement[]> = {
        foundation: foundationDeployerStatements,
        terraform: terraformDeployerStatements,
        lambda: lambdaDeployerStatements,
        container: containerDeployerStatements,
        pulumi: servedPulumiDeployerStatements,
    };
    return policyDocument([...own, ledgerWrite(naming, args.repository), publishDeploymentMetric, ...bySet[rightsSet(args)](args)]);
}

/**
 * Read-only: `pulumi preview` (which takes no lock on a self-managed backend) or `terraform plan -lock=false`
 * of this repository, and drift detection. Its own state prefix only; no S3 write, no lock table.
 */
export function previewerPermissions(args: PermissionsArgs): PolicyDocument {
    const bySet: Record<RightsSet, (a: PermissionsArgs) => Statement[]> = {
        foundation: foundationPreviewerStatements,
        terraform: terraformPreviewerStatements,
        lambda: lambdaPreviewerStatements,
        container: containerPreviewerStatements,
        pulumi: servedPulumiPreviewerStatements,
    };
    return policyDocument([
        ...stateRead(args.naming, args.repository),
        stateKeyUse(args, ["kms:Decrypt", "kms:DescribeKey"]),
        // Drift plans the commit this ledger says runs here, and the apply workflow's plan job checks a rollback
        // or a promotion before any of the commit's code runs: both read the service's own items, nothing else.
        // (the key through DynamoDB is in stateKeyUse already).
        ledgerRead(args.naming, args.repository),
        ...bySet[rightsSet(args)](args),
    ]);
}

/** Lets the next environment's gated jobs ask this ledger whether a commit of the service was deployed here. */
export function ledgerReaderPermissions(naming: Naming, service: string): PolicyDocument {
    return policyDocument([ledgerRead(naming, service), keyUse(naming, ["kms:Decrypt", "kms:DescribeKey"], ["dynamodb"])]);
}
