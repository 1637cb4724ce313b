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

GO="$(command -v go || true)"
if [ -z "$GO" ] && [ -x /usr/local/go/bin/go ]; then
    GO=/usr/local/go/bin/go
fi
if [ -z "$GO" ]; then
    # Debian's Go is older than FerretDB's go.mod; GOTOOLCHAIN=auto fetches the newer
    # toolchain through the Go module proxy.
    apt-get install -y -q golang-go >/dev/null
    GO="$(command -v go)"
fi
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"

# `go install MODULE@VERSION` needs the proxy's version list, which is refused here;
# downloading the exact version works, and building from a writable copy lets us add the
# version file FerretDB's binary insists on (the module zip does not ship it).
SOURCE_DIR="$("$GO" mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
if [ -z "$SOURCE_DIR" ] || [ ! -d "$SOURCE_DIR" ]; then
    echo "could not download $MODULE@$VERSION from the Go module proxy" >&2
    exit 1
fi
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
