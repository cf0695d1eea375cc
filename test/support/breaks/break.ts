import type { Graph } from "../../../tools/lib/synthesize";

/** One compliant field broken in a copy of the prod graph, and the exact violation it must cause. */
export interface Break {
    readonly rule: string;
    readonly what: string;
    /** The resource and field it breaks, when the break joins the one prod graph that carries every defect. */
    readonly target?: string;
    readonly apply: (graph: Graph) => Graph;
    /** Every violation the rule reports for it, exactly; from the intact graph where they quote the program's own values. */
    readonly messages: string[] | ((intact: Graph) => string[]);
}

/** The exact messages of a break, for the graph it was applied to. */
export const messagesOf = (b: Break, intact: Graph): string[] => (typeof b.messages === "function" ? b.messages(intact) : b.messages);
