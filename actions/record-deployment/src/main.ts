import { runAction } from "../../lib/runtime";
import { recordDeploymentAction } from "./action";

runAction(() => recordDeploymentAction(process.env));
