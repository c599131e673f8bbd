#!/bin/sh
# The rvm package's preremove script (deb: prerm, "remove" when the package
# goes and "upgrade" when a new version replaces it; rpm: %preun, 0 when the
# package goes and 1 on upgrade): when the package goes, it stops and
# disables the rvm service where systemd runs this machine, and otherwise
# says that there was nothing to stop. On upgrade it leaves the service
# running: the new package's postinstall restarts it.
set -e

case "${1:-}" in
remove | 0) ;;
*) exit 0 ;;
esac
if [ -n "${DPKG_ROOT:-}" ]; then
	exit 0
fi
if [ -d /run/systemd/system ]; then
	# A unit removed by hand must not keep the package from going.
	systemctl disable --now rvm.service ||
		echo "rvm: could not stop and disable the rvm service: see 'systemctl status rvm'" >&2
else
	echo "rvm: systemd is not running on this machine: no rvm service to stop (one registered by hand goes with 'rvm service uninstall')"
fi
