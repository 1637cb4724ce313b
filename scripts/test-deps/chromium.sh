#!/usr/bin/env bash
# Debian's Chromium for the dashboard's browser test (driven headless over a DevTools pipe).
# Idempotent: returns at once when the browser is already installed.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    echo "chromium present: $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
/usr/bin/chromium --version
