#!/bin/sh
# The rvm package's postremove script (deb: postrm; rpm: %postun, 0 when
# the package is gone and 1 on upgrade): where systemd runs this machine it
# forgets the removed unit. A deb purge also deletes /var/lib/rvm, the
# service's data (caches, logs, decisions and downloaded runtimes); the
# desktop owner's /etc/rvm/settings.json is never touched.
set -e

case "${1:-}" in
remove | purge | 0) ;;
*) exit 0 ;;
esac
if [ -n "${DPKG_ROOT:-}" ]; then
	exit 0
fi
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
fi
if [ "$1" = purge ]; then
	rm -rf /var/lib/rvm
fi
