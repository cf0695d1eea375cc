import { runAction } from "../../lib/runtime";
import { notifySlackAction } from "./action";

runAction(() => notifySlackAction(process.env, new Date()));
