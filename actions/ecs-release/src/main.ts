import { runAction } from "../../lib/runtime";
import { awsClients, ecsReleaseAction } from "./action";
import { systemClock } from "../../lib/clock";

runAction(() => ecsReleaseAction(process.env, awsClients, systemClock, (line) => console.log(line)));
