import { runAction } from "../../lib/runtime";
import { prCommentAction } from "./action";

runAction(() => prCommentAction(process.env));
