import { runAction } from "../../lib/runtime";
import { awsClients, ecsReleaseAction } from "./action";
import { systemClock } from "./release";

runAction(() => ecsReleaseAction(process.env, awsClients, systemClock, (line) => console.log(line)));
