/**
 * The folder a tool writes into, checked before anything runs: a file, a folder that cannot be written, or a
 * kernel filesystem (/proc, /sys) ends the command with exit 2 and a sentence, never a stack trace or a hang.
 */
import * as fs from "fs";
import * as path from "path";
import { UsageError } from "./args";
import { displayName } from "../../config";

/**
 * Kernel and pseudo filesystems by their statfs magic number: their files are not files (writing one talks to
 * the kernel, reading one may block), so nothing is written there.
 */
export const PSEUDO_FILESYSTEMS: Readonly<Record<number, string>> = {
    0x9fa0: "proc",
    0x62656572: "sysfs",
    0x1cd1: "devpts",
    0x64626720: "debugfs",
    0x74726163: "tracefs",
    0x73636673: "securityfs",
    0x27e0eb: "cgroup",
    0x63677270: "cgroup2",
    0x62656570: "configfs",
    0xcafe4a11: "bpf",
    0x6165676c: "pstore",
    0xde5e81e4: "efivarfs",
    0x65735543: "fusectl",
};

/** The pseudo filesystem a path is on, or undefined for an ordinary one (or when the platform cannot tell). */
export function pseudoFilesystem(at: string): string | undefined {
    try {
        return PSEUDO_FILESYSTEMS[fs.statfsSync(at).type];
    } catch {
        return undefined;
    }
}

/** Why a directory cannot take new files, found by creating and removing one (root passes access checks). */
function unwritable(directory: string): string | undefined {
    const probe = path.join(directory, `.write-check-${process.pid}`);
    try {
        // 'wx': create only, never open an existing file (a FIFO would block the open).
        fs.closeSync(fs.openSync(probe, "wx"));
        fs.rmSync(probe, { force: true });
        return undefined;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    }
}

/**
 * Resolves `--<flag> <argument>` to a folder the tool can write, or throws a UsageError that names the flag,
 * the folder and the reason. The folder need not exist: then its nearest existing parent must be writable.
 */
export function checkOutDir(argument: string, usage: string, flag = "--out-dir"): string {
    if (argument.trim() === "") throw new UsageError(`${flag} needs a directory, got ''\n${usage}`);
    const outDir = path.resolve(process.cwd(), argument);
    let existing = outDir;
    while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
    if (!fs.statSync(existing).isDirectory()) {
        const what = existing === outDir ? `'${argument}' is a file` : `'${displayName(existing)}' in its path is a file`;
        throw new UsageError(`${flag} ${what}, not a directory: name a directory to write the graphs to\n${usage}`);
    }
    const pseudo = pseudoFilesystem(existing);
    if (pseudo !== undefined) {
        throw new UsageError(
            `${flag} '${argument}' is on the kernel's ${pseudo} filesystem, not a folder for files: name another directory\n${usage}`,
        );
    }
    const reason = unwritable(existing);
    if (reason !== undefined) {
        const where = existing === outDir ? `'${argument}'` : `'${argument}' (its parent '${displayName(existing)}')`;
        throw new UsageError(`${flag} ${where} cannot be written (${reason}): name a directory you can write to\n${usage}`);
    }
    return outDir;
}

/** A file the tool writes refused or failed: the message names the file and the reason; exit 2. */
export class OutputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "OutputError";
    }
}

/**
 * Writes a regular file, or throws an OutputError naming it: an existing non-file (a FIFO, a device, a folder)
 * is refused before it is opened, and a failed write (disk full, read-only) is a sentence, not a stack trace.
 */
export function writeOutput(file: string, text: string): void {
    let existing: fs.Stats | undefined;
    try {
        existing = fs.lstatSync(file, { throwIfNoEntry: false });
    } catch (error) {
        // A name too long or a folder that cannot be searched: stat fails as the write would.
        throw new OutputError(`cannot write ${displayName(file)} (${(error as NodeJS.ErrnoException).code}): name another --out-dir`);
    }
    if (existing !== undefined && !existing.isFile()) {
        throw new OutputError(`${displayName(file)} exists and is not a regular file: move it away or name another --out-dir`);
    }
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw new OutputError(`cannot write ${displayName(file)} (${code}): name another --out-dir`);
    }
}
