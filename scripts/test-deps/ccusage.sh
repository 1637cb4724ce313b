#!/usr/bin/env bash
# ccusage, the reference the cost-parity test compares with, from the npm registry into
# .cache/ccusage. Pinned: 20.0.24 (20.0.26's linux-x64 native package is not published).
# Idempotent: returns at once when the pinned version is installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=20.0.24
PREFIX=.cache/ccusage
BIN="$PREFIX/node_modules/.bin/ccusage"
if [ -x "$BIN" ] && [ "$("$BIN" --version 2>/dev/null)" = "ccusage $VERSION" ]; then
    echo "ccusage $VERSION present"
    exit 0
fi
if ! command -v npm >/dev/null; then
    echo "npm not found: the ccusage parity test will fail until Node.js and npm are installed" >&2
    exit 1
fi
mkdir -p "$PREFIX"
npm install --silent --no-audit --no-fund --prefix "$PREFIX" "ccusage@$VERSION"
"$BIN" --version
