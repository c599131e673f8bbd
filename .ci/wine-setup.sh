#!/bin/sh
# wine-setup.sh prepares Wine to run rvm's Windows tests (GOOS=windows go
# test -exec ...) on a Debian machine, and prints the path of the exec
# wrapper to pass to go test -exec on its last line.
#
# It installs wine64 and the MinGW-w64 compiler when they are missing and it
# runs as root with apt-get; initialises a Wine prefix (RVM_WINEPREFIX,
# default $HOME/.wine-rvm); builds bcryptprimitives.dll, which Go programs
# need since Go 1.24 (its ProcessPrng calls RtlGenRandom, which Wine 8 has)
# into the prefix's system32; writes the wrapper; and checks that a small Go
# program runs under it. On any failure it prints the reason on stderr and
# exits 1, so that a caller can skip the Windows tests and say why.
set -eu

fail() {
	echo "wine-setup: $*" >&2
	exit 1
}

prefix=${RVM_WINEPREFIX:-${HOME:?HOME is not set}/.wine-rvm}

find_wine() {
	for w in wine64 /usr/lib/wine/wine64 wine; do
		if command -v "$w" >/dev/null 2>&1; then
			command -v "$w"
			return 0
		fi
	done
	return 1
}

install_packages() {
	[ "$(id -u)" = 0 ] || fail "$* missing and not root, so cannot install them"
	command -v apt-get >/dev/null 2>&1 || fail "$* missing and no apt-get to install them"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null 2>&1 || fail "apt-get update failed"
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 ||
		fail "apt-get install $* failed"
}

need=""
find_wine >/dev/null || need="wine64"
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need="$need gcc-mingw-w64-x86-64-win32"
if [ -n "$need" ]; then
	# shellcheck disable=SC2086 # need is a list of package names
	install_packages $need
fi
wine=$(find_wine) || fail "wine64 not found after installing it"

export WINEPREFIX="$prefix" WINEDEBUG=-all
if [ ! -f "$prefix/system.reg" ]; then
	mkdir -p "$prefix" || fail "cannot create the Wine prefix $prefix"
	# mscoree and mshtml off: no Mono or Gecko installer dialogs.
	WINEDLLOVERRIDES="mscoree,mshtml=" "$wine" wineboot -i >/dev/null 2>&1 ||
		fail "wineboot -i failed for prefix $prefix"
	wineserver_bin=$(dirname "$wine")/wineserver
	[ -x "$wineserver_bin" ] && "$wineserver_bin" -w 2>/dev/null || true
fi
sys32="$prefix/drive_c/windows/system32"
[ -d "$sys32" ] || fail "no $sys32 after wineboot"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/bcryptprimitives.c" <<'CSRC'
#include <windows.h>
#include <ntsecapi.h>

/* ProcessPrng fills data with len random bytes, as Windows 10's
   bcryptprimitives.dll does; Go's runtime calls it at start. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!RtlGenRandom(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
CSRC
x86_64-w64-mingw32-gcc -shared -O2 -o "$work/bcryptprimitives.dll" \
	"$work/bcryptprimitives.c" -ladvapi32 || fail "building bcryptprimitives.dll failed"
# Replace files by rename, and only when they changed: another run may be
# using this prefix.
install_file() { # src dst mode
	if ! cmp -s "$1" "$2"; then
		cp "$1" "$2.new.$$" && chmod "$3" "$2.new.$$" && mv -f "$2.new.$$" "$2" ||
			fail "cannot install $2"
	fi
}
install_file "$work/bcryptprimitives.dll" "$sys32/bcryptprimitives.dll" 644

wrapper="$prefix/go-test-exec"
cat >"$work/go-test-exec" <<WRAP
#!/bin/sh
# go test -exec wrapper: runs a Windows test binary under Wine.
export WINEPREFIX='$prefix' WINEDEBUG=-all WINEDLLOVERRIDES='bcryptprimitives=n,b;mscoree,mshtml='
exec '$wine' "\$@"
WRAP
install_file "$work/go-test-exec" "$wrapper" 755

# A Go program that prints "ok" must run under the wrapper.
mkdir "$work/probe"
printf 'module probe\n\ngo 1.21\n' >"$work/probe/go.mod"
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("ok") }\n' >"$work/probe/main.go"
(cd "$work/probe" && GOOS=windows GOARCH=amd64 GOFLAGS= go build -o probe.exe .) ||
	fail "cannot build a Windows Go program"
out=$("$wrapper" "$work/probe/probe.exe" 2>&1 | tr -d '\r') || fail "a Go program does not run under Wine: $out"
[ "$out" = ok ] || fail "a Go program under Wine printed ${out:-nothing}, want ok"

echo "$wrapper"
