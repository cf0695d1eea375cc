#!/usr/bin/env bash
# Prints `PULUMI_BACKEND_URL=<url>` for the foundation's own stacks, to append to $GITHUB_ENV: Pulumi Cloud in
# that mode (BACKEND=pulumi-cloud), otherwise this repository's prefix in the environment's state bucket, the
# URL the program itself derives (components/permissions backendUrl). BUCKET and REGION come from the map.
set -euo pipefail
if [ "${BACKEND:-}" = pulumi-cloud ]; then
  echo "PULUMI_BACKEND_URL=https://api.pulumi.com"
  exit 0
fi
: "${BUCKET:?the foundation map names no state bucket for this stack}"
: "${REGION:?the foundation map names no region for this stack}"
: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}"
echo "PULUMI_BACKEND_URL=s3://${BUCKET}/${GITHUB_REPOSITORY#*/}?region=${REGION}&awssdk=v2"
