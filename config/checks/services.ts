/**
 * The organisation's allow-list of services Terraform repositories may declare (`deployableServices`, the
 * boundary's ceiling): each an IAM service prefix AWS publishes, none the foundation guards. Pure.
 */
import type { ParsedStack } from "../parsedStack";
import { configKey, type ConfigProblem } from "../problems";
import { deployableServiceProblem } from "../rules";

export function deployableServicesProblems(s: ParsedStack): ConfigProblem[] {
    return s.deployableServices.flatMap((service, i) => {
        const problem = deployableServiceProblem(service);
        return problem ? [{ key: configKey("deployableServices", [i]), message: problem }] : [];
    });
}
