#!/usr/bin/env bash
# Object storage behind an Iceberg REST catalog for the remote-lake tests: SeaweedFS's
# `weed mini`, one process serving an S3 API and an Iceberg REST catalog over S3 table
# buckets. Built from the Go module proxy into .cache/seaweedfs/weed. Idempotent: a
# working binary of the pinned version returns at once (the build takes ~9 minutes on
# two cores, so it is done once per clone and the Go build cache makes a rebuild quick).
set -euo pipefail
cd "$(dirname "$0")/../.."

# SeaweedFS publishes no module versions; the proxy serves this commit's pseudo-version.
VERSION=v0.0.0-20261109003541-7506e5f91cd6
MODULE=github.com/seaweedfs/seaweedfs
CACHE="$PWD/.cache/seaweedfs"
BINARY="$CACHE/weed"
STAMP="$CACHE/version"

if [ -x "$BINARY" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$VERSION" ] \
    && "$BINARY" version >/dev/null 2>&1; then
    echo "SeaweedFS $VERSION already built at $BINARY"
    exit 0
fi

source scripts/test-deps/lib/go.sh
find_go
# the module cache's copy builds as it is
SOURCE_DIR="$(go_module_dir "$MODULE" "$VERSION")"
mkdir -p "$CACHE"
(cd "$SOURCE_DIR" && "$GO" build -trimpath -buildvcs=false -ldflags "-s -w" -o "$BINARY.tmp" ./weed)
mv "$BINARY.tmp" "$BINARY"
"$BINARY" version >/dev/null
echo "$VERSION" > "$STAMP"
echo "SeaweedFS $VERSION built at $BINARY"
