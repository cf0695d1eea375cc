#!/usr/bin/env bash
# Checks a deploy or rollback request before anyone is asked to approve it (seeds 002 §7.4).
# Input only through the environment, never interpolated into the script:
#   KIND deploy|rollback, ENVIRONMENT dev|sit|prod, CONFIRMATION, CHANGE_TICKET, TAG (rollback),
#   NOW_EPOCH (seconds since 1970; the tests pin the clock with it).
set -euo pipefail

fail() {
  echo "::error::$1"
  exit 1
}

case "${ENVIRONMENT:-}" in dev | sit | prod) ;; *) fail "environment must be dev, sit or prod, got '${ENVIRONMENT:-}'" ;; esac
case "${KIND:-}" in deploy | rollback) ;; *) fail "KIND must be deploy or rollback, got '${KIND:-}'" ;; esac
[ "${CONFIRMATION:-}" = "$KIND-$ENVIRONMENT" ] || fail "type '$KIND-$ENVIRONMENT' to confirm, got '${CONFIRMATION:-}'"

if [ "$KIND" = rollback ]; then
  [[ "${TAG:-}" =~ ^deploy-${ENVIRONMENT}-[0-9]{8}T[0-9]{6}Z$ ]] || fail "the tag must be a deploy-$ENVIRONMENT-<YYYYMMDDTHHMMSSZ> tag, got '${TAG:-}'"
fi

# SIT deploys inside business hours only: Mon-Fri 08:00-17:00 SAST (UTC+2, no daylight saving).
# Rollbacks are for incidents and may run at any time.
if [ "$ENVIRONMENT" = sit ] && [ "$KIND" = deploy ]; then
  sast=$((${NOW_EPOCH:-$(date +%s)} + 2 * 3600))
  day=$(date -u -d "@$sast" +%u)
  hour=$((10#$(date -u -d "@$sast" +%H)))
  if [ "$day" -gt 5 ] || [ "$hour" -lt 8 ] || [ "$hour" -ge 17 ]; then
    fail "sit deploys only Monday to Friday, 08:00 to 17:00 SAST (now: $(date -u -d "@$sast" '+%a %H:%M') SAST)"
  fi
fi

if [ "$ENVIRONMENT" = prod ]; then
  [[ "${CHANGE_TICKET:-}" =~ ^[A-Za-z][A-Za-z0-9]*-[0-9]+$ ]] || fail "prod needs a change ticket such as CHG-1042, got '${CHANGE_TICKET:-}'"
fi

echo "request accepted: $KIND to $ENVIRONMENT"
