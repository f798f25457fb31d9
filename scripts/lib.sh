# Shared shell helpers for the project's scripts. Source it; do not run it.
# - AGENTOTEL_CACHE: where built binaries and tool installs live, outside the work tree so that a
#   fresh clone on the same machine reuses them (default ~/.cache/agentotel).
# - step / note / die: progress lines on stderr.
# - cached NAME KEY: true when the build NAME was last done for the same KEY (a content hash).

: "${AGENTOTEL_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/agentotel}"
export AGENTOTEL_CACHE
mkdir -p "$AGENTOTEL_CACHE/bin" "$AGENTOTEL_CACHE/stamps"

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# hash_of FILE... : a short content hash of the given files (and of the script that calls it).
hash_of() { cat "$@" | sha256sum | cut -c1-16; }

# cached NAME KEY: the stamp for NAME holds KEY and the named binary exists.
cached() { [ -f "$AGENTOTEL_CACHE/stamps/$1" ] && [ "$(cat "$AGENTOTEL_CACHE/stamps/$1")" = "$2" ]; }
stamp()  { printf '%s' "$2" > "$AGENTOTEL_CACHE/stamps/$1"; }

# Go settings shared by every Go build: the module and build caches stay on the machine.
export GOFLAGS="${GOFLAGS:--mod=mod}"
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
