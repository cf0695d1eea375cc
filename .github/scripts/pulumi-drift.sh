#!/usr/bin/env bash
# Runs the drift check of one stack and tells its three outcomes apart, for actions/report-drift:
#   clean   the preview ran and plans no change;
#   drift   the preview ran and plans changes: the cloud differs from the code;
#   failed  the preview itself failed (expired credentials, a program error, a policy violation):
#           drift is unknown.
# `pulumi preview --expect-no-changes` exits non-zero for both of the last two, so it cannot tell them
# apart; the JSON preview's change summary can. Input only through the environment: STACK.
# Writes `outcome` and `report` to GITHUB_OUTPUT; always exits 0 (the report step fails the run).
set -uo pipefail
: "${STACK:?STACK is required}"
out=$(mktemp)
err=$(mktemp)
pulumi preview --stack "$STACK" --refresh --json --non-interactive \
  --policy-pack policies --policy-pack-config "policies/config/$STACK.json" >"$out" 2>"$err"
code=$?
if [ "$code" -ne 0 ] || ! jq -e '.changeSummary' "$out" >/dev/null 2>&1; then
  outcome=failed
  report="pulumi preview exited $code
$(tail -c 20000 "$err")
$(jq -r '.diagnostics[]? | "\(.severity): \(.message)"' "$out" 2>/dev/null | tail -c 20000)"
else
  changes=$(jq '[.changeSummary | to_entries[] | select(.key != "same") | .value] | add // 0' "$out")
  if [ "$changes" -gt 0 ]; then
    outcome=drift
    report=$(jq -r '.steps[]? | select(.op != "same") | "\(.op) \(.urn) \((.diffKeys // []) | join(","))"' "$out" | tail -c 60000)
  else
    outcome=clean
    report="no changes"
  fi
fi
echo "drift check of $STACK: $outcome"
delimiter="drift_$(openssl rand -hex 16)"
{
  echo "outcome=$outcome"
  echo "report<<$delimiter"
  echo "$report"
  echo "$delimiter"
} >>"${GITHUB_OUTPUT:-/dev/null}"
