import { input, runAction } from "../../lib/runtime";
import { verifyBuildAction } from "./action";
import { ghCli } from "./verify";

runAction(async () =>
    verifyBuildAction(process.env, ghCli({ ...process.env, GH_TOKEN: input(process.env, "token") }), (line) => console.log(line)),
);
