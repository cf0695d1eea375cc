import { runAction } from "../../lib/runtime";
import { awsClients, lambdaReleaseAction } from "./action";
import { systemClock } from "../../lib/clock";

runAction(() => lambdaReleaseAction(process.env, awsClients, systemClock, (line) => console.log(line)));
