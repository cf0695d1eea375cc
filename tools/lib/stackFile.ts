/** Stack files for the offline tools: the program's own reader (config/stackFiles.ts), so both read a file alike. */
import { projectRoot } from "../../config/stackFiles";

export {
    displayName,
    readStackFile,
    secretPlaceholder,
    SECRET_PLACEHOLDER_HOST,
    STACK_FILE_VARIABLE,
    StackFileError,
    stackFilePath,
} from "../../config/stackFiles";

/**
 * Project root: where Pulumi.yaml and the stack files are. Found by walking up, so the tools also work
 * compiled to another folder (the benchmark runs them compiled, without ts-node).
 */
export const PROJECT_ROOT = projectRoot(__dirname);
