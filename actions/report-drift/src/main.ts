import { runAction } from "../../lib/runtime";
import { reportDriftAction } from "./action";

runAction(() => reportDriftAction(process.env, new Date()));
