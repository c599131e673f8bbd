//go:build !windows

package platform

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
)

func prepareServiceDir(dir string, system bool) error {
	want := os.FileMode(0o700)
	if system {
		want = 0o755
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return fmt.Errorf("platform: service folder %s: %w", dir, err)
	}
	// Mkdir fails where anything already stands there; what stands there
	// is then checked like a folder made earlier.
	if err := os.Mkdir(dir, want); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("platform: service folder %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("platform: service folder %s: %w", dir, err)
	}
	if reason := unsafeDir(fi, []int{os.Getuid()}); reason != "" {
		return &UnsafePathError{Path: dir, Reason: reason + "; the service will not start"}
	}
	if perm := fi.Mode().Perm(); perm == want || system && perm == 0o711 {
		return nil
	}
	if err := os.Chmod(dir, want); err != nil {
		return fmt.Errorf("platform: service folder %s: %w", dir, err)
	}
	return nil
}

// unsafeDir says what makes fi, a folder that only the users owners may
// write to, unsafe: a link, not a folder, another owner, group or world
// write; "" where nothing does.
func unsafeDir(fi fs.FileInfo, owners []int) string {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return "is a symbolic link, not a folder"
	case !fi.IsDir():
		return "is not a folder"
	}
	if uid := fileOwner(fi); !slices.Contains(owners, uid) {
		return fmt.Sprintf("is owned by user %d, not %s", uid, ownerNames(owners))
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Sprintf("is writable by others (mode %04o)", perm)
	}
	return ""
}

// ownerNames names the users owners: "root", "user 1000 (this user)".
func ownerNames(owners []int) string {
	var s string
	for i, uid := range owners {
		if i > 0 {
			s += " or "
		}
		switch {
		case uid == 0:
			s += "root"
		case uid == os.Getuid():
			s += fmt.Sprintf("user %d (this user)", uid)
		default:
			s += fmt.Sprintf("user %d", uid)
		}
	}
	return s
}

func fileOwner(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

func fileGroup(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Gid)
	}
	return -1
}

// socketOwner checks the socket at path and its folder for a client (see
// DialSocket) and returns the user id that must answer on it.
func socketOwner(path string) (int, error) {
	dir := filepath.Dir(path)
	di, err := os.Lstat(dir)
	if err != nil {
		return 0, err
	}
	owners := []int{0}
	if uid := os.Getuid(); uid != 0 {
		owners = append(owners, uid)
	}
	if reason := unsafeDir(di, owners); reason != "" {
		return 0, &UnsafePathError{Path: dir, Reason: "the socket's folder " + reason}
	}
	owner := fileOwner(di)
	si, err := os.Lstat(path)
	if err != nil {
		return 0, err
	}
	if si.Mode().Type() != fs.ModeSocket {
		return 0, &UnsafePathError{Path: path, Reason: fmt.Sprintf("is not a socket (%v)", si.Mode().Type())}
	}
	if uid := fileOwner(si); uid != owner {
		return 0, &UnsafePathError{Path: path, Reason: fmt.Sprintf("the socket is owned by user %d, not by its folder's owner %s", uid, ownerNames([]int{owner}))}
	}
	return owner, nil
}

// adminGroups are the groups whose members may become root anyway.
var adminGroups = []string{"root", "wheel", "admin", "sudo"}

// checkReplaceable is CheckExecutable for the file at path, which its
// messages call what; risk says what anyone who can replace it can do.
func checkReplaceable(path string, user bool, what, risk string) error {
	owners := []int{0}
	if user && os.Getuid() != 0 {
		owners = append(owners, os.Getuid())
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("platform: %s %s: %w", what, path, err)
	}
	paths := []string{abs}
	if real, err := filepath.EvalSymlinks(abs); err != nil {
		return fmt.Errorf("platform: %s %s: %w", what, path, err)
	} else if real != abs {
		paths = append(paths, real)
	}
	for _, p := range paths {
		for q, first := p, true; ; q, first = filepath.Dir(q), false {
			fi, err := os.Lstat(q)
			if err != nil {
				return fmt.Errorf("platform: %s %s: %w", what, path, err)
			}
			if reason := replaceable(fi, owners, first); reason != "" {
				kind := "folder above the " + what
				if first {
					kind = what
				}
				return &UnsafePathError{Path: q, Reason: fmt.Sprintf("the %s %s: anyone who can write there %s", kind, reason, risk)}
			}
			if filepath.Dir(q) == q {
				break
			}
		}
	}
	return nil
}

func checkServiceFiles(socket string, system bool) error {
	si, err := os.Lstat(socket)
	if err != nil {
		return err
	}
	dir := filepath.Dir(socket)
	owner, dirMode, socketMode := os.Getuid(), fs.FileMode(0o700), fs.FileMode(0o600)
	if system {
		owner, dirMode, socketMode = 0, 0o755, 0o666
	}
	di, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if reason := unsafeDir(di, []int{owner}); reason != "" {
		return &UnsafePathError{Path: dir, Reason: "the service's folder " + reason}
	}
	if perm := di.Mode().Perm(); perm != dirMode && !(system && perm == 0o711) {
		return &UnsafePathError{Path: dir, Reason: fmt.Sprintf("the service's folder has mode %04o, not %04o", perm, dirMode)}
	}
	switch {
	case si.Mode().Type() != fs.ModeSocket:
		return &UnsafePathError{Path: socket, Reason: fmt.Sprintf("is not a socket (%v)", si.Mode().Type())}
	case fileOwner(si) != owner:
		return &UnsafePathError{Path: socket, Reason: fmt.Sprintf("the socket is owned by user %d, not %s", fileOwner(si), ownerNames([]int{owner}))}
	case si.Mode().Perm() != socketMode:
		return &UnsafePathError{Path: socket, Reason: fmt.Sprintf("the socket has mode %04o, not %04o", si.Mode().Perm(), socketMode)}
	}
	return nil
}

// replaceable says how someone other than owners could replace fi (the
// executable, where file, else a folder above it); "" where no one can.
func replaceable(fi fs.FileInfo, owners []int, file bool) string {
	if uid := fileOwner(fi); !slices.Contains(owners, uid) {
		return fmt.Sprintf("is owned by user %d, not %s", uid, ownerNames(owners))
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return "" // a link's own mode means nothing; its folder and target are checked
	}
	perm := fi.Mode().Perm()
	sticky := !file && fi.Mode()&fs.ModeSticky != 0
	if perm&0o002 != 0 && !sticky {
		return fmt.Sprintf("is writable by every user (mode %04o)", perm)
	}
	if perm&0o020 != 0 && !sticky {
		gid := fileGroup(fi)
		name := strconv.Itoa(gid)
		if g, err := user.LookupGroupId(name); err == nil {
			name = g.Name
		}
		if gid != 0 && !slices.Contains(adminGroups, name) {
			return fmt.Sprintf("is writable by the group %s (mode %04o)", name, perm)
		}
	}
	return ""
}
