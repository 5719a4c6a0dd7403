#!/bin/sh
# Fetches Debian sid's skopeo (1.22, containers/image 5.39) for the CRI-O agent tests, without
# installing anything system-wide: CRI-O is in no Debian suite, but CRI-O pulls with the same
# containers/image library, so `skopeo copy … containers-storage:…` writes the same temporary
# folders, blob-info cache rows and storage JSON a CRI-O node does (test/harness/skopeo.ts).
# `apt-get download` with a private sources list and private Dir::* state/cache (as
# containerd-versions.sh does), then `dpkg -x` of skopeo and the libraries it needs from sid
# (its libc among them) into one tree; patchelf points the binary at that tree's loader and
# libraries (DT_RPATH, which also applies to the libraries' own dependencies). Bookworm's own
# skopeo 1.9.3 (the older layout, storage<random> folders and a boltdb cache) is
# /usr/bin/skopeo from the test packages.
#
# Idempotent: a tree whose skopeo runs is left alone.
# Layout: $CACHE/sid/usr/bin/skopeo. Tests find it there; override the folder with
# PULLTRACE_SKOPEO_CACHE (same variable for the script and the tests).
set -eu

CACHE="${PULLTRACE_SKOPEO_CACHE:-/var/cache/pulltrace/skopeo}"
MIRROR="${PULLTRACE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
KEYRING="${PULLTRACE_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}"
SUITE=sid
PACKAGES="skopeo libc6 libgpgme45 libassuan9 libgpg-error0 libsqlite3-0"

dest="$CACHE/$SUITE"
works() { [ -x "$1/usr/bin/skopeo" ] && "$1/usr/bin/skopeo" --version >/dev/null 2>&1; }

if works "$dest"; then
  echo "crio-skopeo: $("$dest/usr/bin/skopeo" --version) present in $dest"
else
  command -v patchelf >/dev/null || { echo "crio-skopeo: patchelf is missing (scripts/provision/debian-packages.txt lists it)" >&2; exit 1; }
  apt_dir="$CACHE/.apt-$SUITE"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/etc/preferences.d" "$apt_dir/etc/sources.list.d" "$apt_dir/dl"
  echo "deb [signed-by=$KEYRING] $MIRROR $SUITE main" >"$apt_dir/etc/sources.list"
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
  rm -f "$apt_dir"/dl/*.deb
  # shellcheck disable=SC2086 # one word per package
  (cd "$apt_dir/dl" && apt-get "$@" -q download $PACKAGES >/dev/null)
  rm -rf "$dest.tmp"
  mkdir -p "$dest.tmp"
  for deb in "$apt_dir"/dl/*.deb; do dpkg -x "$deb" "$dest.tmp"; done
  multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo "$(uname -m)-linux-gnu")
  loader=$(cd "$dest.tmp/usr/lib/$multiarch" && ls ld-linux*.so.* | head -n 1)
  lib="$dest/usr/lib/$multiarch" # the final path: the tree is moved there below
  patchelf --set-interpreter "$lib/$loader" --force-rpath --set-rpath "$lib" "$dest.tmp/usr/bin/skopeo"
  rm -rf "$dest"
  mv "$dest.tmp" "$dest"
  if ! works "$dest"; then
    echo "crio-skopeo: skopeo from $SUITE was extracted to $dest but does not run" >&2
    exit 1
  fi
  echo "crio-skopeo: $("$dest/usr/bin/skopeo" --version) fetched from $SUITE into $dest"
fi

# skopeo run as root keeps its blob-info cache in /var/lib/containers/cache (no option moves it);
# the tests bind-mount a private folder over it in their own mount namespace, which needs the
# (empty) mount point to exist.
mkdir -p /var/lib/containers/cache
