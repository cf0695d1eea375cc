import { runAction } from "../../lib/runtime";
import { checkRequestAction } from "./action";

runAction(() => checkRequestAction(process.env, new Date()));
