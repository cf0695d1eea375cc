import { PolicyPack } from "@pulumi/policy";
import { rules } from "./rules";

// Mandatory unless the stack's policy config says otherwise (dev's config makes the pack advisory).
new PolicyPack("cicd-foundation", { policies: rules, enforcementLevel: "mandatory" });
