package platform

import "fmt"

// UnsafePathError reports a file or folder that rvm will not rely on
// because someone it does not trust owns it or could write to it, or
// because it is a link: a service's data folder, a socket a client was
// about to use, an executable a service manager would run. Reason says
// what was wrong, in a few words.
type UnsafePathError struct {
	Path   string
	Reason string
}

func (e *UnsafePathError) Error() string {
	return fmt.Sprintf("platform: %s: %s", e.Path, e.Reason)
}

// PrepareServiceDir makes dir, a service's data folder, safe to serve
// from, creating it where it is missing; it refuses (an *UnsafePathError)
// a dir that exists as a link (a junction or other reparse point on
// Windows), is owned by another user, or is writable by anyone else, and
// says why. Otherwise it sets the folder's rights:
//
//   - system (a system service, in the system data directory): every
//     local user may reach the socket in it. Unix: mode 0755 (0711 is
//     kept). Windows: owner SYSTEM, full control for SYSTEM and
//     Administrators (inherited by what is made in it), read and
//     traverse for Users on the folder alone, nothing inherited from
//     above.
//   - otherwise (a per-user service, or any with RVM_HOME set): only this
//     user. Unix: mode 0700. Windows: owner this user, full control for
//     this user, SYSTEM and Administrators, nothing inherited from above.
//
// On Unix the folder must be owned by the user this process runs as (root
// for a system service).
func PrepareServiceDir(dir string, system bool) error {
	return prepareServiceDir(dir, system)
}

// CheckExecutable reports, as an *UnsafePathError naming the file or
// folder at fault, whether the executable at path could be replaced by
// anyone but an administrator (with user, anyone but this user or an
// administrator): the file, or a folder above it, owned by or writable by
// someone else. Unix: owned by root (or, with user, this user), and
// neither world-writable nor group-writable by a group other than an
// administrators' (root, wheel, admin, sudo); a world-writable folder
// with the sticky bit (as /tmp) counts as safe, since no one else may
// replace what it holds. Windows: owned by SYSTEM, Administrators or
// TrustedInstaller (or, with user, this user), and no access list entry
// grants the right to write, delete or change rights to anyone else; on a
// folder above the executable's own, the right to add entries (which
// C:\ grants Authenticated Users) does not count. A link is followed,
// and both the link and its target are checked.
func CheckExecutable(path string, user bool) error {
	return checkReplaceable(path, user, "executable", "can replace what the service manager runs")
}

// CheckAdminOnly reports, as an *UnsafePathError naming the file or
// folder at fault, whether the file at path could be replaced by anyone
// but an administrator, by the rules of CheckExecutable: for the files
// that only a desktop owner may change, such as the trust roots
// (TrustRootsFile) and the runtime repository's trusted root
// (RuntimeRepositoryRoot).
func CheckAdminOnly(path string) error {
	return checkReplaceable(path, false, "file", "can replace what it holds")
}

// CheckServiceFiles reports, without changing anything, whether the
// socket at socket and its folder are as a service leaves them (SPEC 7;
// see PrepareServiceDir and ListenSocket): the folder a folder, not a
// link (a junction or other reparse point on Windows), owned by root
// (SYSTEM) for a system service or by this user otherwise, and writable
// by no one else; the socket a socket with the folder's owner. Unix: the
// folder 0755 (or 0711) and the socket 0666 for a system service, 0700
// and 0600 otherwise. Windows: the socket may be written (connected to)
// by Users for a system service, and by no one but its owner, SYSTEM
// and Administrators otherwise. What is not so is an *UnsafePathError;
// where there is no socket, the error of Lstat (no service serves from
// that folder, and there is nothing to check).
func CheckServiceFiles(socket string, system bool) error {
	return checkServiceFiles(socket, system)
}
