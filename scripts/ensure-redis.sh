#!/usr/bin/env bash
# Prints the path of a redis-server >= 8 (vector sets), building it once if needed.
#
# Order: $REDIS_SERVER_BIN, a redis-server >= 8 on PATH, the cached build, else a fresh build
# of Debian trixie's redis 8.0.2 source (the package source is derived from this machine's own
# apt configuration, so no mirror host is written here). The build is cached outside the clone
# (AGENT_MEMORY_CACHE, default ~/.cache/agent-memory) so later runs take milliseconds.
# Progress goes to stderr; stdout carries only the binary path.
set -euo pipefail

REDIS_VERSION=8.0.2
ORIG_TARBALL="redis_${REDIS_VERSION}.orig.tar.gz"
# sha256 of trixie's orig tarball; apt's exit code is not trusted (the .dsc may 404 on a mirror).
ORIG_SHA256=caf3c0069f06fc84c5153bd2a348b204c578de80490c73857bee01d9b5d7401f
CACHE_DIR="${AGENT_MEMORY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-memory}"
INSTALL_DIR="$CACHE_DIR/redis-$REDIS_VERSION"
BIN="$INSTALL_DIR/bin/redis-server"

log() { printf '[ensure-redis] %s\n' "$*" >&2; }

major_of() { "$1" --version 2>/dev/null | sed -n 's/.*v=\([0-9]*\)\..*/\1/p'; }

if [ -n "${REDIS_SERVER_BIN:-}" ]; then
  echo "$REDIS_SERVER_BIN"; exit 0
fi
if command -v redis-server >/dev/null 2>&1; then
  on_path=$(command -v redis-server)
  if [ "$(major_of "$on_path")" -ge 8 ] 2>/dev/null; then echo "$on_path"; exit 0; fi
  log "redis-server on PATH is $("$on_path" --version | awk '{print $3}'); vector sets need 8.x"
fi
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi

need() { command -v "$1" >/dev/null 2>&1; }
if ! need make || ! need cc || ! need curl; then
  log "installing build tools (make, gcc, curl)"
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential curl >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/parts" "$work/lists/partial"

# Derive a deb-src entry for trixie from the machine's own sources (deb822 or one-line format).
src_file=/etc/apt/sources.list.d/debian.sources
if [ -f "$src_file" ]; then
  awk 'BEGIN{RS="";ORS="\n\n"} /Suites:[^\n]*bookworm( |\n|$)/ && !/security/' "$src_file" \
    | sed -e 's/^Types:.*/Types: deb-src/' -e 's/^Suites:.*/Suites: trixie/' >"$work/parts/trixie-src.sources"
else
  uri=$(awk '$1=="deb" && $0 !~ /security/ {for(i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)
  printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" >"$work/parts/trixie-src.sources"
fi
apt_opts=(-o APT::Sandbox::User=root -o "Dir::Etc::SourceParts=$work/parts" -o Dir::Etc::SourceList=/dev/null -o "Dir::State::Lists=$work/lists")

log "reading trixie's source index"
apt-get "${apt_opts[@]}" update -qq >&2
url=$(apt-get "${apt_opts[@]}" source --print-uris redis 2>/dev/null | awk -v f="$ORIG_TARBALL" '$2==f {gsub("\x27","",$1); print $1}')
[ -n "$url" ] || { log "no $ORIG_TARBALL in trixie's index"; exit 1; }

log "downloading $ORIG_TARBALL"
curl -fsSL --retry 3 -o "$work/$ORIG_TARBALL" "$url"
echo "$ORIG_SHA256  $work/$ORIG_TARBALL" | sha256sum -c --quiet - >&2 || { log "sha256 mismatch"; exit 1; }

log "building redis $REDIS_VERSION (about a minute on 2 cores)"
tar -xzf "$work/$ORIG_TARBALL" -C "$work"
srcdir=$(find "$work" -maxdepth 1 -type d -name 'redis-*' | head -n1)
# Only the core server: modules/ (redisearch, redisjson, ...) fetch from the network when built.
make -C "$srcdir" -j"$(nproc)" BUILD_TLS=no USE_SYSTEMD=no >"$work/build.log" 2>&1 \
  || { tail -n 40 "$work/build.log" >&2; exit 1; }

mkdir -p "$INSTALL_DIR/bin.tmp"
cp "$srcdir/src/redis-server" "$srcdir/src/redis-cli" "$INSTALL_DIR/bin.tmp/"
rm -rf "$INSTALL_DIR/bin" && mv "$INSTALL_DIR/bin.tmp" "$INSTALL_DIR/bin"
log "cached at $BIN"
echo "$BIN"
