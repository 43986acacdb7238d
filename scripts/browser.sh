#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser tests (idempotent).
# Usage: bash scripts/browser.sh        → prints the executable path
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ ! -x "$CHROMIUM" ]; then
  (
    flock 9
    if [ ! -x "$CHROMIUM" ]; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      apt-get install -y -qq chromium >&2
    fi
  ) 9>/tmp/govdb-chromium-install.lock
fi
echo "$CHROMIUM"
