import type { Severity } from "../../config";
import { SEVERITIES } from "../../config/schema";
import type { Naming } from "../../shared/names";
// The audit log's name is the shared layer's: the permissions documents grant on it too.
export { auditLogGroupName } from "../../shared/names";

/**
 * The names monitoring gives its resources, apart from the components that create them: the policy
 * documents grant on these names and import nothing that creates resources.
 */

/** Where an alarm's notifications go: a severity topic, or the topic for failed notifications. */
export type Route = Severity | "notifications-failed";
export const ROUTES: readonly Route[] = [...SEVERITIES, "notifications-failed"];

export const topicName = (n: Naming, route: Route) => `${n.prefix}-alerts-${route}-${n.environment}`;
export const alarmName = (n: Naming, key: string) => `${n.prefix}-${n.environment}-${key}`;
export const dashboardName = (n: Naming) => `${n.prefix}-cicd-${n.environment}`;
