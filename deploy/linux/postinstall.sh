#!/bin/sh
# The rvm package's postinstall script (deb: postinst, any argument; rpm:
# %post, 1 on install and 2 on upgrade): where systemd runs this machine it
# enables the rvm service and (re)starts it, so an upgrade runs the new
# binary; elsewhere it says that it did not, and how to run the service. A
# service that does not start is said, and does not fail the install: the
# package stays installed and configured, and `systemctl status rvm` says
# why.
set -e

if [ -n "${DPKG_ROOT:-}" ]; then
	echo "rvm: installed into $DPKG_ROOT: the rvm service was not enabled or started there"
	exit 0
fi
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload
	systemctl enable rvm.service
	if systemctl restart rvm.service; then
		echo "rvm: the rvm service is enabled and running (systemctl status rvm)"
	else
		echo "rvm: the rvm service is enabled but did not start: see 'systemctl status rvm' and 'journalctl -u rvm'" >&2
	fi
else
	echo "rvm: systemd is not running on this machine (no /run/systemd/system), so the rvm service was not enabled or started:"
	echo "rvm: run '/usr/bin/rvm service run' as root from this machine's init system, or register it with 'rvm service install'"
fi
