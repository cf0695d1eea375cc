import { PolicyPack } from "@pulumi/policy";
import { refuseLoweredRules } from "./lib/levels";
import { rules } from "./rules";

// Before the pack serves: sit and prod configs may not lower a rule (dev's config makes the pack advisory).
refuseLoweredRules();
// Mandatory unless the stack's policy config says otherwise, which only dev's may.
new PolicyPack("cicd-foundation", { policies: rules, enforcementLevel: "mandatory" });
