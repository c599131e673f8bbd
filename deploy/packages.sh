#!/bin/sh
# packages.sh [--install-tools] OUT builds rvm's packages into the folder OUT:
#
#   rvm_<version>_<arch>.deb and rvm-<version>.<rpm arch>.rpm  (nfpm)
#   rvm-<version>-x64.msi                                      (wixl)
#
# VERSION and COMMIT come from the environment (make passes them), else
# from deploy/version.sh and git; GOARCH picks the Linux packages'
# architecture (amd64 or arm64; default: this machine's). nfpm
# (github.com/goreleaser/nfpm/v2) runs with go run at the version NFPM
# names, from the module proxy and its checksum database. wixl comes from
# Debian's msitools (package wixl): with --install-tools, packages.sh
# installs it with apt-get where it is missing and this runs as root;
# without wixl it still builds the deb and the rpm, then fails naming
# what is missing.
set -eu
cd "$(dirname "$0")/.."
repo=$(pwd)

NFPM=github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2

fail() {
	echo "packages.sh: $*" >&2
	exit 1
}

install_tools=false
if [ "${1:-}" = --install-tools ]; then
	install_tools=true
	shift
fi
[ $# = 1 ] || fail "usage: packages.sh [--install-tools] OUT"
mkdir -p "$1"
out=$(cd "$1" && pwd)

VERSION=${VERSION:-$(deploy/version.sh)}
COMMIT=${COMMIT:-$(git rev-parse HEAD)}
[ -n "$VERSION" ] || fail "no version: give VERSION="
# Windows Installer's ProductVersion: the first three numbers, at most
# 255.255.65535.
product_version=${VERSION%%+*}
echo "$product_version" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$' ||
	fail "version $VERSION does not begin with three numbers (1.2.3)"
echo "$product_version" | awk -F. '$1 > 255 || $2 > 255 || $3 > 65535 { exit 1 }' ||
	fail "version $VERSION is beyond Windows Installer's 255.255.65535"
arch=${GOARCH:-$(go env GOARCH)}
case $arch in
amd64) rpm_arch=x86_64 ;;
arm64) rpm_arch=aarch64 ;;
*) fail "no packages for the architecture $arch (amd64 or arm64)" ;;
esac

missing=""
if ! command -v wixl >/dev/null 2>&1; then
	if $install_tools && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "packages.sh: installing wixl (Debian's msitools) with apt-get"
		export DEBIAN_FRONTEND=noninteractive
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends wixl; } >/dev/null 2>&1 ||
			fail "apt-get install wixl failed"
	else
		missing="wixl is not installed (Debian: apt-get install wixl, from msitools; make packages installs it when run as root)"
	fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ldflags="-s -w -X main.version=$VERSION -X main.commit=$COMMIT"

echo "packages.sh: rvm $VERSION for linux/$arch and windows/amd64"
CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -ldflags "$ldflags" \
	-o "$work/linux/" ./cmd/rvm ./cmd/rvm-trust ./cmd/rvm-repo
export RVM_VERSION="$VERSION" RVM_ARCH="$arch" RVM_BIN="$work/linux"
go run "$NFPM" package --config deploy/linux/nfpm.yaml --packager deb \
	--target "$out/rvm_${VERSION}_${arch}.deb" >/dev/null
go run "$NFPM" package --config deploy/linux/nfpm.yaml --packager rpm \
	--target "$out/rvm-$VERSION.$rpm_arch.rpm" >/dev/null
echo "$out/rvm_${VERSION}_${arch}.deb"
echo "$out/rvm-$VERSION.$rpm_arch.rpm"

[ -z "$missing" ] || fail "the msi was not built: $missing"
mkdir "$work/windows"
CGO_ENABLED=0 GOOS=windows GOARCH=amd64 go build -trimpath -ldflags "$ldflags" \
	-o "$work/windows/rvm.exe" ./cmd/rvm
# wixl finds rvm.exe, which the .wxs names without a folder, in the
# current one.
(cd "$work/windows" && wixl -a x64 -D Version="$VERSION" -D ProductVersion="$product_version" \
	-o "$out/rvm-$VERSION-x64.msi" "$repo/deploy/windows/rvm.wxs")
echo "$out/rvm-$VERSION-x64.msi"
