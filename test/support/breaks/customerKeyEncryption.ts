import type { Break } from "./break";
import { mutate } from "../../helpers/policy";
import { T } from "../types";

/** customer-key-encryption: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "customer-key-encryption",
        what: "the ledger on AWS-owned encryption",
        apply: (g) =>
            mutate(g, T.table, "ledger", (r) => {
                r.inputs.serverSideEncryption = { enabled: false };
                r.propertyDependencies.serverSideEncryption = [];
            }),
        messages: ["Table 'ledger' must be encrypted with this stack's customer-managed KMS key."],
    },
    {
        rule: "customer-key-encryption",
        what: "a critical-alerts topic without the key",
        apply: (g) =>
            mutate(g, T.topic, "monitoring-critical", (r) => {
                delete r.inputs.kmsMasterKeyId;
                r.propertyDependencies.kmsMasterKeyId = [];
            }),
        messages: ["Topic 'monitoring-critical' must be encrypted with this stack's customer-managed KMS key."],
    },
];
