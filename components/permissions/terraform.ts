import { bucketArn, tableArn } from "../../shared/arns";
import { lockTableName, stateBucketName } from "../../shared/names";
import type { Statement } from "../policyDocument";
import { createActionKey, namedArns, resourceActions, resourcelessReads, scopedReads, taggingActions, unscopedReads } from "./services";
import { BUCKET_READS, bucketArns, stateKeyPrefix, TABLE_WRITES, tableArns, type PermissionsArgs } from "./statements";

/**
 * The tag the foundation controls on resources of services declared under `deploys.tagged`: its value is the
 * repository that owns the resource. A deployer changes only resources carrying its own name here, creates only
 * resources tagged so, and can neither remove the tag nor give it another value.
 */
export const REPOSITORY_TAG = "cicd-foundation:repository";
export const RESOURCE_TAG_KEY = `aws:ResourceTag/${REPOSITORY_TAG}`;
export const REQUEST_TAG_KEY = `aws:RequestTag/${REPOSITORY_TAG}`;

/** A service prefix as a statement id part: `wafv2` -> `Wafv2`, `elasticloadbalancing` -> `Elasticloadbalancing`. */
const sidPart = (service: string) =>
    service
        .split("-")
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
        .join("");

/** The services a repository declares, by name and by tag, sorted so the documents are stable. */
export function declaredServices(args: PermissionsArgs): { named: [string, string[]][]; tagged: string[] } {
    const named = Object.entries(args.scope.resources ?? {})
        .filter(([, patterns]) => patterns.length > 0)
        .sort(([a], [b]) => a.localeCompare(b));
    return { named, tagged: [...(args.scope.tagged ?? [])].sort() };
}

/** What a plan calls on `*` to find the resources of the declared services (lists and resource-less reads). */
function findDeclaredResources(args: PermissionsArgs): Statement[] {
    const { named, tagged } = declaredServices(args);
    // By name: the reads IAM authorizes on `*` only, one by one; by tag, lists too, compact (an EC2 list by name
    // alone would fill the inline policy), since no tag can confine a call that names no resource.
    const actions = [...new Set([...named.flatMap(([service]) => resourcelessReads(service)), ...tagged.flatMap(unscopedReads)])].sort();
    return actions.length === 0 ? [] : [{ Sid: "FindDeclaredResources", Effect: "Allow", Action: actions, Resource: "*" }];
}

/**
 * The services a Terraform repository declares beyond tables and buckets. By name (`deploys.resources`): every
 * action that takes one of the service's resource types, named one by one, on the resources whose names match
 * its patterns. By tag (`deploys.tagged`): every action
 * on resources tagged with its name, the service's create calls only when the request tags the new resource so
 * (and, where the service names the create call a tagging request belongs to, tagging at creation), never a
 * resource tagged for another repository, and never a change of the tag itself.
 */
export function manageDeclaredServices(args: PermissionsArgs): Statement[] {
    const { naming, repository } = args;
    const { named, tagged } = declaredServices(args);
    const statements = findDeclaredResources(args);
    for (const [service, patterns] of named) {
        statements.push({
            Sid: `Manage${sidPart(service)}ByName`,
            Effect: "Allow",
            Action: resourceActions(service),
            Resource: patterns.flatMap((p) => namedArns(service, p, naming.accountId, naming.region)),
        });
    }
    if (tagged.length === 0) return statements;
    const everything = tagged.map((service) => `${service}:*`);
    const tagging = (services: readonly string[]) => services.flatMap((service) => taggingActions(service).map((a) => `${service}:${a}`));
    statements.push(
        {
            Sid: "ManageOwnTaggedResources",
            Effect: "Allow",
            Action: everything,
            Resource: "*",
            Condition: { StringEquals: { [RESOURCE_TAG_KEY]: repository } },
        },
        // Only calls that take aws:RequestTag match: the service's create calls and its tagging calls, which the
        // denials below keep to resources that are new or already this repository's.
        {
            Sid: "CreateResourcesTaggedOwn",
            Effect: "Allow",
            Action: everything,
            Resource: "*",
            Condition: { StringEquals: { [REQUEST_TAG_KEY]: repository } },
        },
        // Whatever else allows it (a create call naming another repository's network), a resource tagged for
        // another repository is not this one's to touch.
        {
            Sid: "OtherRepositoriesResourcesStay",
            Effect: "Deny",
            Action: everything,
            Resource: "*",
            Condition: { StringNotEquals: { [RESOURCE_TAG_KEY]: repository }, Null: { [RESOURCE_TAG_KEY]: "false" } },
        },
        // Removing the tag or giving it another value would hand a resource to nobody or to another repository.
        {
            Sid: "RepositoryTagStays",
            Effect: "Deny",
            Action: tagging(tagged),
            Resource: "*",
            Condition: {
                "ForAnyValue:StringEquals": { "aws:TagKeys": [REPOSITORY_TAG] },
                StringNotEquals: { [REQUEST_TAG_KEY]: repository },
            },
        },
    );
    // A resource without the tag is claimed by tagging it: tagging is allowed on untagged resources only as part of
    // the call that creates them, which only a service that names that call (EC2's ec2:CreateAction) can show.
    const byKey = new Map<string, string[]>();
    for (const service of tagged) {
        const key = createActionKey(service) ?? "";
        byKey.set(key, [...(byKey.get(key) ?? []), service]);
    }
    for (const [key, services] of [...byKey].sort(([a], [b]) => a.localeCompare(b))) {
        const untagged = { [RESOURCE_TAG_KEY]: "true" };
        statements.push({
            Sid: key === "" ? "NoClaimingUntaggedResources" : `NoClaimingUntagged${sidPart(services.join("-"))}Resources`,
            Effect: "Deny",
            Action: tagging(services),
            Resource: "*",
            Condition: { Null: key === "" ? untagged : { ...untagged, [key]: "true" } },
        });
    }
    return statements;
}

/** What `terraform plan` reads of the declared services: lists on `*`, and reads of the repository's own resources. */
export function readDeclaredServices(args: PermissionsArgs): Statement[] {
    const { naming, repository } = args;
    const { named, tagged } = declaredServices(args);
    const statements = findDeclaredResources(args);
    for (const [service, patterns] of named) {
        const actions = scopedReads(service, false);
        if (actions.length === 0) continue;
        statements.push({
            Sid: `Read${sidPart(service)}ByName`,
            Effect: "Allow",
            Action: actions,
            Resource: patterns.flatMap((p) => namedArns(service, p, naming.accountId, naming.region)),
        });
    }
    const taggedReads = tagged.flatMap((service) => scopedReads(service));
    if (taggedReads.length > 0) {
        statements.push({
            Sid: "ReadOwnTaggedResources",
            Effect: "Allow",
            Action: taggedReads,
            Resource: "*",
            Condition: { StringEquals: { [RESOURCE_TAG_KEY]: repository } },
        });
    }
    return statements;
}

const TABLE_READS = [
    "dynamodb:DescribeTable",
    "dynamodb:DescribeContinuousBackups",
    "dynamodb:DescribeTimeToLive",
    "dynamodb:ListTagsOfResource",
];

/**
 * Terraform's S3 backend locks `<bucket>/<key>` (and keeps `<bucket>/<key>-md5`) in the lock table; a
 * repository's keys are under its own prefix, so `dynamodb:LeadingKeys` confines it to its own locks.
 */
export function ownLockItems(args: PermissionsArgs) {
    const path = `${stateBucketName(args.naming)}/${stateKeyPrefix(args.repository)}*`;
    return { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [path] }, Null: { "dynamodb:LeadingKeys": "false" } };
}

/** A Terraform repository's deployer: its lock items, and the tables and buckets it declares. */
export function terraformDeployerStatements(args: PermissionsArgs): Statement[] {
    const { naming } = args;
    const bucket = bucketArn(stateBucketName(naming));
    const prefix = stateKeyPrefix(args.repository);
    const statements: Statement[] = [
        // Rollback by state version: the deployer reads an earlier version of its own state and pushes it back.
        { Sid: "ReadOwnStateVersions", Effect: "Allow", Action: "s3:GetObjectVersion", Resource: `${bucket}/${prefix}*` },
        {
            Sid: "ListOwnStateVersions",
            Effect: "Allow",
            Action: "s3:ListBucketVersions",
            Resource: bucket,
            Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } },
        },
    ];
    if (args.terraformLockTable) {
        const table = tableArn(naming, lockTableName(naming));
        statements.push(
            {
                Sid: "TakeOwnStateLock",
                Effect: "Allow",
                Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
                Resource: table,
                Condition: ownLockItems(args),
            },
            { Sid: "DescribeLockTable", Effect: "Allow", Action: "dynamodb:DescribeTable", Resource: table },
        );
    }
    return [...statements, ...manageDeclaredStorage(args), ...manageDeclaredServices(args)];
}

/** The tables and buckets a repository declares (`deploys`), managed in full: shared by Terraform and served Pulumi. */
export function manageDeclaredStorage(args: PermissionsArgs): Statement[] {
    const { naming, scope } = args;
    const statements: Statement[] = [];
    if (scope.dynamodbTables.length > 0) {
        statements.push({
            Sid: "ManageRepositoryTables",
            Effect: "Allow",
            Action: [...TABLE_READS, ...TABLE_WRITES],
            Resource: tableArns(naming, scope.dynamodbTables),
        });
    }
    if (scope.s3Buckets.length > 0) {
        statements.push({
            Sid: "ManageRepositoryBuckets",
            Effect: "Allow",
            Action: [
                ...BUCKET_READS,
                "s3:CreateBucket",
                "s3:PutBucketTagging",
                "s3:PutBucketPolicy",
                "s3:PutBucketVersioning",
                "s3:PutBucketLogging",
                "s3:PutLifecycleConfiguration",
                "s3:PutEncryptionConfiguration",
                "s3:PutBucketPublicAccessBlock",
                "s3:PutBucketOwnershipControls",
                "s3:PutObject",
                "s3:GetObject",
            ],
            Resource: bucketArns(scope.s3Buckets),
        });
    }
    return statements;
}

/** `terraform plan -lock=false`: reads only, no lock table. */
export function terraformPreviewerStatements(args: PermissionsArgs): Statement[] {
    return [...readDeclaredStorage(args), ...readDeclaredServices(args)];
}

/** Reads of the tables and buckets a repository declares: what a plan or a preview refreshes. */
export function readDeclaredStorage(args: PermissionsArgs): Statement[] {
    const { naming, scope } = args;
    const statements: Statement[] = [];
    if (scope.dynamodbTables.length > 0) {
        statements.push({
            Sid: "ReadRepositoryTables",
            Effect: "Allow",
            Action: TABLE_READS,
            Resource: tableArns(naming, scope.dynamodbTables),
        });
    }
    if (scope.s3Buckets.length > 0) {
        statements.push({
            Sid: "ReadRepositoryBuckets",
            Effect: "Allow",
            Action: BUCKET_READS,
            Resource: scope.s3Buckets.map(bucketArn),
        });
    }
    return statements;
}
