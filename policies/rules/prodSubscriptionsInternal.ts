import { ownAccounts } from "../lib/documents";
import { accountOf } from "../lib/iam";
import { resourceRule } from "../lib/rule";
import { read } from "../lib/values";

export const TOPIC_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
/** Protocols whose endpoint is an ARN: it must be a queue, function or stream of this account. */
const ARN_PROTOCOLS = ["sqs", "lambda", "firehose"];

/**
 * In prod, alarm and event topics deliver only inside the organisation: to an email address (the
 * program's own subscriptions, reviewed in the stack file) or to a queue, function or stream of this
 * account. An http(s) endpoint, an SMS, a mobile push or another account's ARN would send prod's
 * notifications outside. Unknown values fail closed: the endpoint is built from names in config.
 * @severity high
 */
export const prodSubscriptionsInternal = resourceRule({
    name: "prod-subscriptions-internal",
    description:
        "In prod, SNS subscriptions deliver only to email or to an SQS queue, Lambda function or Firehose stream of this account; no http/https, sms or application endpoint and no other account's ARN.",
    severity: "high",
    remediationSteps:
        "Subscribe the alarm emails of the stack file (monitoring.emails), or a queue or function of this account named by an ARN built from config; forward to outside systems through a reviewed integration, not a subscription.",
    url: "https://docs.aws.amazon.com/sns/latest/dg/sns-create-subscribe-endpoint-to-topic.html",
    check: ({ type, name, props, provider }, { environment, notApplicable }) => {
        if (type !== TOPIC_SUBSCRIPTION) notApplicable("not an SNS subscription");
        if (environment !== "prod") notApplicable(`subscriptions are restricted in prod; this stack is ${environment}`);
        const protocol = read(() => props.protocol);
        if (!protocol.known)
            return [`Subscription '${name}': its protocol is unknown at preview; set it in the program so it can be checked.`];
        const kind = String(protocol.value);
        if (kind === "email") return [];
        if (!ARN_PROTOCOLS.includes(kind))
            return [
                `Subscription '${name}': protocol '${kind}' delivers prod's notifications outside the organisation; use email or an ARN of this account.`,
            ];
        const endpoint = read(() => props.endpoint);
        if (!endpoint.known)
            return [
                `Subscription '${name}': its ${kind} endpoint is unknown at preview; build the ARN from names in config so its account can be checked.`,
            ];
        const account = accountOf(String(endpoint.value ?? ""));
        if (account !== undefined && ownAccounts(provider).includes(account)) return [];
        return [
            `Subscription '${name}': ${kind} endpoint ${String(endpoint.value)} is not in this account; prod's notifications stay in the organisation.`,
        ];
    },
});
