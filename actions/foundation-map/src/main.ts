import { runAction } from "../../lib/runtime";
import { foundationMapAction } from "./action";

runAction(async () => foundationMapAction(process.env, __dirname, (line) => console.log(line)));
