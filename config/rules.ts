/**
 * Rules the cloud enforces only at `pulumi up`, and GitHub's deployment-branch semantics, as pure checks:
 * each returns what is wrong (empty when nothing is), so the config reader names the key and the file.
 */
import type { Environment } from "./schema";

/** Prefixes and suffixes S3 reserves (S3's general purpose bucket naming rules). */
export const RESERVED_BUCKET_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"] as const;
export const RESERVED_BUCKET_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] as const;

/** Why S3 would refuse this bucket name, or undefined when it takes it. */
export function bucketNameProblem(name: string): string | undefined {
    if (name.length < 3 || name.length > 63) return `is ${name.length} characters long; S3 takes 3 to 63`;
    if (!/^[a-z0-9.-]+$/.test(name)) return "may hold only lowercase letters, digits, '.' and '-'";
    if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return "must begin and end with a letter or digit";
    if (name.includes("..")) return "must not hold two adjacent periods";
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return "must not be shaped like an IP address";
    const prefix = RESERVED_BUCKET_PREFIXES.find((p) => name.startsWith(p));
    if (prefix) return `must not start with '${prefix}', which S3 reserves`;
    const suffix = RESERVED_BUCKET_SUFFIXES.find((s) => name.endsWith(s));
    if (suffix) return `must not end with '${suffix}', which S3 reserves`;
    return undefined;
}

/**
 * Why no bucket could ever match this name pattern (`*` matches any run of characters), or undefined.
 * A literal name is checked in full; a pattern by what every name it matches has in common.
 */
export function bucketPatternProblem(pattern: string): string | undefined {
    if (!pattern.includes("*")) return bucketNameProblem(pattern);
    const literal = pattern.replace(/\*/g, "");
    if (!/^[a-z0-9.-]*$/.test(literal)) return "may hold only lowercase letters, digits, '.', '-' and '*': S3 names are lowercase";
    if (literal.length > 63) return `holds ${literal.length} fixed characters; a bucket name has at most 63`;
    const head = pattern.split("*")[0];
    const prefix = RESERVED_BUCKET_PREFIXES.find((p) => head.startsWith(p));
    if (prefix) return `must not start with '${prefix}', which S3 reserves`;
    if (/^[.-]/.test(head)) return "must begin with a letter or digit";
    const tail = pattern.split("*").pop() ?? "";
    const suffix = RESERVED_BUCKET_SUFFIXES.find((s) => tail.endsWith(s) && tail.length >= s.length);
    if (suffix) return `must not end with '${suffix}', which S3 reserves`;
    if (/[.-]$/.test(tail)) return "must end with a letter or digit";
    return undefined;
}

/** Why CloudWatch would refuse this alarm's period or evaluation range (PutMetricAlarm), or undefined. */
export function alarmPeriodProblem(periodSeconds: number): string | undefined {
    if ([10, 20, 30].includes(periodSeconds) || periodSeconds % 60 === 0) return undefined;
    return `must be 10, 20, 30 or a multiple of 60 seconds, got ${periodSeconds}`;
}

export function alarmRangeProblem(periodSeconds: number, evaluationPeriods: number): string | undefined {
    const range = periodSeconds * evaluationPeriods;
    const limit = periodSeconds < 3600 ? 86400 : 604800;
    if (range <= limit) return undefined;
    const span = periodSeconds < 3600 ? "1 day (86400 s) for periods under an hour" : "7 days (604800 s)";
    return `times periodSeconds (${periodSeconds}) is ${range} s; CloudWatch evaluates at most ${span}`;
}

const WILDCARD = /[*?[\]{}]/;

/**
 * Why a deployment branch or tag pattern lets in more than it should, or undefined. GitHub matches them
 * with File.fnmatch: `*` stops at `/`, `**` does not. Anyone who can push can create a branch, so a pattern
 * without a fixed part lets every branch in; in sit and prod only literal names pass (the protected
 * default branch), and prod deploys no tags: a tag can point at any commit.
 */
export function refPatternProblem(pattern: string, kind: "branch" | "tag", environment: Environment): string | undefined {
    if (/^(refs\/)?pull\//.test(pattern)) {
        return `'${pattern}' targets pull-request refs; previews run without an environment and never need a deployment branch`;
    }
    if (kind === "tag" && environment === "prod") {
        return `'${pattern}': prod deploys from its protected branch only, never from a tag, which can point at any commit`;
    }
    if (/^[*?/[\]{}]+$/.test(pattern)) {
        return `'${pattern}' lets every ${kind} deploy, pull-request branches included; name the ${kind === "branch" ? "branches (default: main)" : "tags"}`;
    }
    if (kind === "branch" && environment !== "dev" && WILDCARD.test(pattern)) {
        return `'${pattern}' lets any branch of that shape deploy, and anyone who can push can create one; ${environment} takes literal names of protected branches only`;
    }
    if (WILDCARD.test(pattern) && /^[*?[\]{}]/.test(pattern.split("/")[0])) {
        return `'${pattern}' starts with a wildcard, so it lets in ${kind === "branch" ? "branches" : "tags"} of any name; start it with a fixed name`;
    }
    return undefined;
}
