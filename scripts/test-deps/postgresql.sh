#!/usr/bin/env bash
# PostgreSQL server binaries (Debian's package) for the dagster-postgres instance test. The
# test starts its own throwaway cluster with initdb/pg_ctl; the packaged service is unused.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && id postgres >/dev/null 2>&1; then
    echo "postgresql already installed"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
ls /usr/lib/postgresql/*/bin/pg_ctl
