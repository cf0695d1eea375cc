#!/usr/bin/env bash
# Posts TEXT to the environment's Slack webhook (SLACK_WEBHOOK, an environment secret). The payload is
# built by jq, so nothing in TEXT can break out of it. No webhook (optional in dev and sit): no post.
set -euo pipefail
if [ -z "${SLACK_WEBHOOK:-}" ]; then
  echo "no Slack webhook configured for ${ENVIRONMENT:-this environment}; nothing posted"
  exit 0
fi
payload=$(jq -n --arg text "${TEXT:?TEXT is required}" '{text: $text}')
curl --fail --silent --show-error --max-time 20 -X POST -H 'Content-type: application/json' --data "$payload" "$SLACK_WEBHOOK"
