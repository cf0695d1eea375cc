import type { Break } from "./break";
import { withResource } from "../edits";

/** prod-subscriptions-internal: compliant fields of the prod graph broken one at a time, with the exact violations. */
export const BREAKS: Break[] = [
    {
        rule: "prod-subscriptions-internal",
        what: "an https subscription to the critical topic",
        target: "webhook subscription",
        apply: (g) =>
            withResource(g, "aws:sns/topicSubscription:TopicSubscription", "webhook", {
                topic: "arn:aws:sns:af-south-1:093646564004:bbws-prod-critical",
                protocol: "https",
                endpoint: "https://hooks.example.com/alerts",
            }),
        messages: [
            "Subscription 'webhook': protocol 'https' delivers prod's notifications outside the organisation; use email or an ARN of this account.",
        ],
    },
];
