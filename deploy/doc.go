// Package deploy holds what desktop owners deploy rvm with, and the tests
// that build it and install it for real:
//
//   - linux/: nfpm's description of the deb and the rpm (nfpm.yaml), the
//     systemd unit rvm.service and the maintainer scripts;
//   - windows/rvm.wxs: the Windows Installer package, for wixl;
//   - packages.sh: `make packages`, which builds all three into dist/;
//   - version.sh: rvm's version, from one place.
//
// The package has no code: its tests build the packages with packages.sh
// and check what a desktop owner would see. The deb is installed into a
// throwaway root with dpkg --root and its maintainer scripts run in a
// private mount namespace with a stand-in systemctl; the rpm is inspected
// with rpm and installed into a throwaway root; the msi is installed and
// uninstalled with msiexec under Wine, the registry and Program Files
// checked before, between and after. A test whose tool is missing is
// skipped with a message naming it.
package deploy
