package platform

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
	"golang.org/x/sys/windows"
)

// TestAccessListChecks reads access lists, written in SDDL, through the
// same Windows security APIs that read a file's (Wine implements them),
// and checks who rvm finds able to write.
func TestAccessListChecks(t *testing.T) {
	trusted := []string{sidSystem, sidAdministrators}
	for _, tt := range []struct {
		name, sddl string
		rights     uint32
		wantOwner  string
		wantWriter string
	}{
		{name: "service-folder-as-set", sddl: systemDirSDDL, rights: rightsWrite, wantOwner: sidSystem},
		{name: "service-socket-as-set-lets-users-connect", sddl: systemSocketSDDL, rights: rightsWrite, wantOwner: sidSystem, wantWriter: "S-1-5-32-545"},
		{name: "programdata-inherited-users-create-files", sddl: "O:SYD:(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;0x1200a9;;;BU)(A;CIID;0x116;;;BU)", rights: rightsWrite, wantOwner: sidSystem, wantWriter: "S-1-5-32-545"},
		{name: "inherit-only-entries-do-not-count", sddl: "O:SYD:P(A;OICI;FA;;;SY)(A;OICIIO;FA;;;BU)(A;OICIIO;FA;;;CO)", rights: rightsWrite, wantOwner: sidSystem},
		{name: "denials-only-narrow", sddl: "O:SYD:P(D;;FA;;;WD)(A;;FA;;;SY)", rights: rightsWrite, wantOwner: sidSystem},
		{name: "everyone-may-write-the-file", sddl: "O:BAD:P(A;;FA;;;SY)(A;;FW;;;WD)", rights: rightsWrite, wantOwner: sidAdministrators, wantWriter: "S-1-1-0"},
		{name: "authenticated-users-change-rights", sddl: "O:BAD:P(A;;FA;;;SY)(A;;WD;;;AU)", rights: rightsReplaceEntries, wantOwner: sidAdministrators, wantWriter: "S-1-5-11"},
		{name: "c-drive-root-above-the-executable", sddl: "O:SYD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)(A;;0x4;;;AU)(A;OICIIO;SDGXGWGR;;;AU)", rights: rightsReplaceEntries, wantOwner: sidSystem},
		{name: "c-drive-root-as-the-executable-folder", sddl: "O:SYD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;;0x4;;;AU)", rights: rightsWrite, wantOwner: sidSystem, wantWriter: "S-1-5-11"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sd, err := windows.SecurityDescriptorFromString(tt.sddl)
			platformtest.Must(t, err)
			sec, err := securityOf(sd, tt.name)
			platformtest.Must(t, err)
			if sec.owner != tt.wantOwner {
				t.Errorf("got owner %s, want %s", sec.owner, tt.wantOwner)
			}
			if got := sec.writer(tt.rights, trusted); got != tt.wantWriter {
				t.Errorf("got writer %q, want %q", got, tt.wantWriter)
			}
		})
	}
}

// A security descriptor without an access list (a NULL DACL) lets
// everyone do everything.
func TestNullAccessList(t *testing.T) {
	sd, err := windows.NewSecurityDescriptor()
	platformtest.Must(t, err)
	system, err := windows.StringToSid(sidSystem)
	platformtest.Must(t, err)
	platformtest.Must(t, sd.SetOwner(system, false))
	platformtest.Must(t, sd.SetDACL(nil, true, false))
	sec, err := securityOf(sd, "null")
	platformtest.Must(t, err)
	if got := sec.writer(rightsWrite, []string{sidSystem}); got != "S-1-1-0" {
		t.Errorf("got writer %q, want Everyone (S-1-1-0)", got)
	}
}

// keepsAccessLists reports whether this file system keeps the access
// lists set on its files: Wine's does not (it makes one up from the Unix
// mode at each read).
func keepsAccessLists(t *testing.T, dir string) bool {
	t.Helper()
	probe := filepath.Join(dir, "probe")
	platformtest.Must(t, os.Mkdir(probe, 0o700))
	defer os.Remove(probe)
	sd, err := windows.SecurityDescriptorFromString("D:P(A;;FA;;;SY)(A;;FA;;;BA)")
	platformtest.Must(t, err)
	dacl, _, err := sd.DACL()
	platformtest.Must(t, err)
	platformtest.Must(t, windows.SetNamedSecurityInfo(probe, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil))
	sec, err := readSecurity(probe)
	platformtest.Must(t, err)
	return len(sec.granted) == 2
}

func TestPrepareServiceDirWindows(t *testing.T) {
	self, err := currentUserSID()
	platformtest.Must(t, err)
	top := platformtest.TempDir(t)
	keeps := keepsAccessLists(t, top)

	t.Run("per-user-folder", func(t *testing.T) {
		dir := filepath.Join(top, "user", "RVM")
		platformtest.Must(t, PrepareServiceDir(dir, false))
		sec, err := readSecurity(dir)
		platformtest.Must(t, err)
		if sec.owner != self {
			t.Errorf("got owner %s, want this user %s", accountName(sec.owner), accountName(self))
		}
		if w := sec.writer(rightsWrite, []string{self, sidSystem, sidAdministrators}); w != "" {
			t.Errorf("%s may write to the folder", accountName(w))
		}
		if !keeps {
			t.Log("this file system keeps no access lists (Wine): the folder's own list is not checked")
			return
		}
		if want := fmt.Sprintf(userDirSDDL, self); sddlOf(t, dir) != want {
			t.Errorf("got %s, want %s", sddlOf(t, dir), want)
		}
		platformtest.Must(t, PrepareServiceDir(dir, false))
	})
	t.Run("system-folder", func(t *testing.T) {
		dir := filepath.Join(top, "ProgramData", "RVM")
		err := PrepareServiceDir(dir, true)
		if self != sidSystem {
			// Only SYSTEM makes a folder that SYSTEM owns; what an
			// administrator or Wine's user made is refused.
			if err == nil || !strings.Contains(err.Error(), dir) {
				t.Fatalf("as %s: got %v, want an error naming %s", accountName(self), err, dir)
			}
			var unsafe *UnsafePathError
			if errors.As(err, &unsafe) && !strings.Contains(unsafe.Reason, "not NT AUTHORITY\\SYSTEM") {
				t.Errorf("got %q, want the owner named", unsafe.Reason)
			}
			return
		}
		platformtest.Must(t, err)
		if got := sddlOf(t, dir); keeps && got != systemDirSDDL {
			t.Errorf("got %s, want %s", got, systemDirSDDL)
		}
	})
	t.Run("link-refused", func(t *testing.T) {
		target := filepath.Join(top, "target")
		platformtest.Must(t, os.Mkdir(target, 0o700))
		link := filepath.Join(top, "link")
		if err := os.Symlink(target, link); err != nil {
			t.Skipf("no links here: %v", err)
		}
		if rp, err := isReparsePoint(link); err != nil || !rp {
			t.Skipf("links here are not reparse points (Wine's are Unix links): %v", err)
		}
		var unsafe *UnsafePathError
		if err := PrepareServiceDir(link, false); !errors.As(err, &unsafe) || !strings.Contains(err.Error(), "reparse point") {
			t.Errorf("got %v, want the link refused as a reparse point", err)
		}
	})
}

// sddlOf is path's owner and access list in SDDL.
func sddlOf(t *testing.T, path string) string {
	t.Helper()
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	platformtest.Must(t, err)
	return sd.String()
}

func TestCheckExecutableWindows(t *testing.T) {
	self, err := currentUserSID()
	platformtest.Must(t, err)
	exe := filepath.Join(platformtest.TempDir(t), "rvm.exe")
	platformtest.Must(t, os.WriteFile(exe, nil, 0o700))
	sec, err := readSecurity(exe)
	platformtest.Must(t, err)
	if sec.owner != self {
		t.Skipf("the file is owned by %s, not by this user", accountName(sec.owner))
	}
	// A file of this user's, in this user's temporary folder: its own
	// to replace, and no administrator's.
	if err := CheckExecutable(exe, true); err != nil {
		t.Errorf("--user: got %v, want no error for this user's own file", err)
	}
	var unsafe *UnsafePathError
	if err := CheckExecutable(exe, false); !errors.As(err, &unsafe) || unsafe.Path != exe || !strings.Contains(err.Error(), "the executable is owned by") {
		t.Errorf("system: got %v, want %s refused as owned by this user", err, exe)
	}
}

func TestCheckAdminOnlyWindows(t *testing.T) {
	self, err := currentUserSID()
	platformtest.Must(t, err)
	file := filepath.Join(platformtest.TempDir(t), "roots.pem")
	platformtest.Must(t, os.WriteFile(file, nil, 0o700))
	sec, err := readSecurity(file)
	platformtest.Must(t, err)
	if sec.owner != self || self == sidSystem {
		t.Skipf("the file is owned by %s, not by this user, or this user is SYSTEM", accountName(sec.owner))
	}
	// A file of this user's: an administrator's alone it is not.
	var unsafe *UnsafePathError
	if err := CheckAdminOnly(file); !errors.As(err, &unsafe) || unsafe.Path != file || !strings.Contains(err.Error(), "the file is owned by") || !strings.Contains(err.Error(), "can replace what it holds") {
		t.Errorf("got %v, want %s refused as owned by this user", err, file)
	}
}

// TestCheckServiceFilesWindows: Wine has no AF_UNIX sockets, so the
// socket here is a plain file, which is refused, and a folder that
// Wine's user made is no system service's.
func TestCheckServiceFilesWindows(t *testing.T) {
	self, err := currentUserSID()
	platformtest.Must(t, err)
	dir := filepath.Join(platformtest.TempDir(t), "RVM")
	platformtest.Must(t, PrepareServiceDir(dir, false))
	sock := filepath.Join(dir, "rvm.sock")
	if err := CheckServiceFiles(sock, false); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no socket: got %v, want it missing (nothing serves from the folder)", err)
	}
	platformtest.Must(t, os.WriteFile(sock, nil, 0o600))
	var unsafe *UnsafePathError
	if err := CheckServiceFiles(sock, false); !errors.As(err, &unsafe) || unsafe.Path != sock || !strings.Contains(err.Error(), "is not a socket") {
		t.Errorf("per-user, a plain file: got %v, want %s refused as not a socket", err, sock)
	}
	if self == sidSystem {
		return
	}
	if err := CheckServiceFiles(sock, true); !errors.As(err, &unsafe) || unsafe.Path != dir || !strings.Contains(err.Error(), "the service's folder is owned by") {
		t.Errorf("system, as %s: got %v, want %s refused as not SYSTEM's", accountName(self), err, dir)
	}
}
