# Sourced by the scripts that build a test server from the Go module proxy.

# Sets GO to a Go toolchain, installing Debian's when there is none. Debian's Go may be
# older than a module's go.mod: GOTOOLCHAIN=auto fetches the newer toolchain through the
# Go module proxy.
find_go() {
    GO="$(command -v go || true)"
    if [ -z "$GO" ] && [ -x /usr/local/go/bin/go ]; then
        GO=/usr/local/go/bin/go
    fi
    if [ -z "$GO" ]; then
        apt-get install -y -q golang-go >/dev/null
        GO="$(command -v go)"
    fi
    export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
}

# Prints the source directory of MODULE at exactly VERSION, downloaded into the module
# cache. `go install MODULE@VERSION` needs the proxy's version list, which is refused here;
# downloading the exact version works.
go_module_dir() {
    local module="$1" version="$2" dir
    dir="$("$GO" mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    if [ -z "$dir" ] || [ ! -d "$dir" ]; then
        echo "could not download $module@$version from the Go module proxy" >&2
        return 1
    fi
    echo "$dir"
}
