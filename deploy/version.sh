#!/bin/sh
# version.sh prints rvm's version: the one place it comes from. The
# Makefile hands it to the binaries (rvm --version), the packages' names
# and their metadata.
#
#   1.2.3                  at a tag v1.2.3, with nothing changed
#   1.2.3+4.gabcdef012345  4 commits after v1.2.3, at commit abcdef012345
#   0.0.0+140.gabcdef012345  with no tag yet: 140 commits in all
#   ....dirty              appended when tracked files have changes
#
# Only tags of three numbers (v1.2.3) count, not v1.2.3-rc1. The form sorts as a
# version should for dpkg and rpm (1.2.3 < 1.2.3+4.g... < 1.2.4), uses only
# characters both allow, and its first three numbers are the
# ProductVersion of the Windows Installer package. Outside a git checkout
# it fails: give the version to make instead (make packages VERSION=1.2.3).
set -eu
cd "$(dirname "$0")/.."

git rev-parse --verify -q HEAD >/dev/null 2>&1 || {
	echo "version.sh: not a git checkout with a commit: give VERSION= to make" >&2
	exit 1
}
hash=$(git rev-parse --short=12 HEAD)
if tag=$(git describe --tags --abbrev=0 --match 'v[0-9]*.[0-9]*.[0-9]*' \
	--exclude 'v*[!0-9.]*' 2>/dev/null) &&
	printf '%s\n' "$tag" | grep -Eq '^v[0-9]+\.[0-9]+\.[0-9]+$'; then
	base=${tag#v}
	count=$(git rev-list --count "$tag..HEAD")
else
	base=0.0.0
	count=$(git rev-list --count HEAD)
fi
v=$base
[ "$count" = 0 ] || v="$base+$count.g$hash"
git diff-index --quiet HEAD -- 2>/dev/null || v="$v.dirty"
echo "$v"
