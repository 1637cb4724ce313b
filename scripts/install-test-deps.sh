#!/usr/bin/env bash
# Installs the real components the tests talk to (a MongoDB wire server, Chromium,
# PostgreSQL, ...). Each component has its own idempotent script in scripts/test-deps/;
# `make test` runs them all, so a clean machine and CI get the same set-up.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
for script in scripts/test-deps/*.sh; do
    echo "== test dependency: $(basename "$script" .sh)"
    bash "$script"
done
