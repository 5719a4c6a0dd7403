#!/bin/sh
# Fetches Debian's containerd packages of 1.7 (trixie) and 2.x (sid) for the agent's version-matrix
# tests, without installing anything system-wide: `apt-get download` with a private sources list
# and private Dir::* state/cache, then `dpkg -x` into a cache directory, one folder per version.
# containerd 1.6 is Debian bookworm's own package (installed by the test provisioning), so it is
# linked from /usr/bin rather than fetched.
#
# Idempotent: a version already extracted (its containerd and ctr run) is left alone.
# Layout: $CACHE/<series>/usr/bin/{containerd,ctr}, with <series> in 1.6, 1.7, 2.x.
# Tests find the binaries there (test/kit/harness/containerdVersions.ts); override the folder with
# PULLTRACE_CONTAINERD_CACHE (same variable for the script and the tests).
set -eu

CACHE="${PULLTRACE_CONTAINERD_CACHE:-/var/cache/pulltrace/containerd}"
MIRROR="${PULLTRACE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
KEYRING="${PULLTRACE_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}"

mkdir -p "$CACHE"

works() { [ -x "$1/usr/bin/containerd" ] && [ -x "$1/usr/bin/ctr" ] && "$1/usr/bin/containerd" --version >/dev/null 2>&1; }

# 1.6: bookworm's package as installed.
if [ -x /usr/bin/containerd ] && [ -x /usr/bin/ctr ]; then
  mkdir -p "$CACHE/1.6/usr/bin"
  ln -sf /usr/bin/containerd "$CACHE/1.6/usr/bin/containerd"
  ln -sf /usr/bin/ctr "$CACHE/1.6/usr/bin/ctr"
  [ -x /usr/bin/containerd-shim-runc-v2 ] && ln -sf /usr/bin/containerd-shim-runc-v2 "$CACHE/1.6/usr/bin/containerd-shim-runc-v2"
else
  echo "containerd-versions: /usr/bin/containerd is missing (install Debian's containerd package for 1.6)" >&2
fi

fetch() { # <series> <suite>
  series="$1"
  suite="$2"
  dest="$CACHE/$series"
  if works "$dest"; then
    echo "containerd-versions: $series present ($("$dest/usr/bin/containerd" --version | awk '{print $3}'))"
    return 0
  fi
  apt_dir="$CACHE/.apt-$suite"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/etc/preferences.d" "$apt_dir/etc/sources.list.d" "$apt_dir/dl"
  echo "deb [signed-by=$KEYRING] $MIRROR $suite main" >"$apt_dir/etc/sources.list"
  touch "$apt_dir/status"
  set -- -o Dir::Etc::SourceList="$apt_dir/etc/sources.list" \
    -o Dir::Etc::SourceParts="$apt_dir/etc/sources.list.d" \
    -o Dir::Etc::Preferences="$apt_dir/etc/preferences" \
    -o Dir::Etc::PreferencesParts="$apt_dir/etc/preferences.d" \
    -o Dir::State="$apt_dir" \
    -o Dir::State::Lists="$apt_dir/lists" \
    -o Dir::State::status="$apt_dir/status" \
    -o Dir::Cache="$apt_dir" \
    -o Dir::Cache::Archives="$apt_dir/archives" \
    -o APT::Get::List-Cleanup=0 \
    -o APT::Sandbox::User=root \
    -o Debug::NoLocking=1
  apt-get "$@" -q update >/dev/null
  (cd "$apt_dir/dl" && rm -f containerd_*.deb && apt-get "$@" -q download containerd >/dev/null)
  deb=$(ls "$apt_dir"/dl/containerd_*.deb | head -n 1)
  rm -rf "$dest.tmp"
  mkdir -p "$dest.tmp"
  dpkg -x "$deb" "$dest.tmp"
  rm -rf "$dest"
  mv "$dest.tmp" "$dest"
  if ! works "$dest"; then
    echo "containerd-versions: $series from $suite was extracted to $dest but does not run" >&2
    return 1
  fi
  echo "containerd-versions: $series fetched from $suite ($("$dest/usr/bin/containerd" --version | awk '{print $3}'))"
}

fetch 1.7 trixie
fetch 2.x sid
