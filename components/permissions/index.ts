import type { DeployScope } from "../../config";
import { roleName, type Naming } from "../naming";
import { policyDocument, type PolicyDocument, type Statement } from "../policyDocument";
import { foundationDeployerStatements, foundationPreviewerStatements } from "./foundation";
import { lambdaDeployerStatements, lambdaPreviewerStatements } from "./lambda";
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
export { LAMBDA_DEPLOY_ACTIONS } from "./lambda";
export { backendUrl, stateKeyPrefix, type PermissionsArgs, type RepositoryKind } from "./statements";

/** Deployer role names of the repositories that hold this program: the administrator-owned bootstrap tier. */
export function bootstrapRoleNames(naming: Naming, repositories: readonly { readonly name: string; readonly deploys: DeployScope }[]) {
    return repositories.filter((r) => r.deploys.foundation).map((r) => roleName(naming, "deployer", r.name));
}

/** The Pulumi repository's secrets provider is the environment key, so it calls KMS itself; the others only through storage. */
function stateKeyUse(args: PermissionsArgs, actions: string[]): Statement {
    const via: Record<RepositoryKind, ("s3" | "dynamodb")[] | undefined> = {
        pulumi: undefined,
        terraform: ["s3", "dynamodb"],
        lambda: ["dynamodb"],
    };
    return keyUse(args.naming, actions, via[args.kind]);
}

/**
 * The deployer of one repository in one environment: its own state (none for a Lambda service, which
 * deploys a zip), its own service's ledger items, the deployment metric, and what its kind deploys.
 */
export function deployerPermissions(args: PermissionsArgs): PolicyDocument {
    const { naming } = args;
    const own: Statement[] =
        args.kind === "lambda"
            ? [stateKeyUse(args, ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"])]
            : [
                  ...stateRead(naming, args.repository),
                  stateWrite(naming, args.repository),
                  stateKeyUse(args, ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]),
              ];
    const byKind: Record<RepositoryKind, (a: PermissionsArgs) => Statement[]> = {
        terraform: terraformDeployerStatements,
        lambda: lambdaDeployerStatements,
        pulumi: foundationDeployerStatements,
    };
    return policyDocument([...own, ledgerWrite(naming, args.repository), publishDeploymentMetric, ...byKind[args.kind](args)]);
}

/**
 * Read-only: `pulumi preview` (which takes no lock on a self-managed backend) or `terraform plan -lock=false`
 * of this repository, and drift detection. Its own state prefix only; no S3 write, no lock table.
 */
export function previewerPermissions(args: PermissionsArgs): PolicyDocument {
    const byKind: Record<RepositoryKind, (a: PermissionsArgs) => Statement[]> = {
        terraform: terraformPreviewerStatements,
        lambda: lambdaPreviewerStatements,
        pulumi: foundationPreviewerStatements,
    };
    return policyDocument([
        ...stateRead(args.naming, args.repository),
        stateKeyUse(args, ["kms:Decrypt", "kms:DescribeKey"]),
        ...byKind[args.kind](args),
    ]);
}

/** Lets the next environment's gated jobs ask this ledger whether a commit of the service was deployed here. */
export function ledgerReaderPermissions(naming: Naming, service: string): PolicyDocument {
    return policyDocument([ledgerRead(naming, service), keyUse(naming, ["kms:Decrypt", "kms:DescribeKey"], ["dynamodb"])]);
}
