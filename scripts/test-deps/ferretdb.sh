#!/usr/bin/env bash
# A real MongoDB wire-protocol server for the MongoDB tests: FerretDB v1 (SQLite backend),
# built from the Go module proxy into .cache/ferretdb/ferretdb. Skipped when `mongod` is on
# PATH (the tests prefer it). Idempotent: an existing working binary returns at once.
set -euo pipefail
cd "$(dirname "$0")/../.."

VERSION=v1.24.2
MODULE=github.com/FerretDB/FerretDB
CACHE="$PWD/.cache/ferretdb"
BINARY="$CACHE/ferretdb"

if command -v mongod >/dev/null 2>&1; then
    echo "mongod is on PATH: the tests use it, FerretDB is not needed"
    exit 0
fi
if [ -x "$BINARY" ] && "$BINARY" --version >/dev/null 2>&1; then
    echo "FerretDB $VERSION already built at $BINARY"
    exit 0
fi

source scripts/test-deps/lib/go.sh
find_go
# building from a writable copy lets us add the version file FerretDB's binary insists on
# (the module zip does not ship it)
SOURCE_DIR="$(go_module_dir "$MODULE" "$VERSION")"
BUILD="$CACHE/src"
rm -rf "$BUILD"
mkdir -p "$CACHE"
cp -r "$SOURCE_DIR" "$BUILD"
chmod -R u+w "$BUILD"
echo "$VERSION" > "$BUILD/build/version/version.txt"
(cd "$BUILD" && "$GO" build -trimpath -o "$BINARY.tmp" ./cmd/ferretdb)
mv "$BINARY.tmp" "$BINARY"
rm -rf "$BUILD"
# (no `| head` here: under pipefail, the SIGPIPE it causes fails the script)
"$BINARY" --version >/dev/null
echo "FerretDB $VERSION built at $BINARY"
