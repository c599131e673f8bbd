package platform

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The accounts rvm trusts on Windows, as SID strings.
const (
	sidSystem           = "S-1-5-18"
	sidAdministrators   = "S-1-5-32-544"
	sidUsers            = "S-1-5-32-545"
	sidTrustedInstaller = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
)

// Rights that let whoever holds them change what a file or folder holds,
// or take it over: on a folder, adding entries (a planted DLL next to an
// executable), deleting them, or renaming the folder; on a file, writing
// it; on both, changing its owner or access list.
const (
	rightsTakeOver = windows.DELETE | windows.WRITE_DAC | windows.WRITE_OWNER | windows.GENERIC_WRITE | windows.GENERIC_ALL
	// rightsReplaceEntries on a folder: deleting what it holds
	// (FILE_DELETE_CHILD).
	rightsReplaceEntries = rightsTakeOver | 0x40
	// rightsWrite on a file: FILE_WRITE_DATA, FILE_APPEND_DATA; on a
	// folder the same bits add files and folders.
	rightsWrite = rightsReplaceEntries | windows.FILE_WRITE_DATA | windows.FILE_APPEND_DATA
)

// Access lists that PrepareServiceDir and ListenSocket set, in SDDL: P is
// protected (nothing inherited from above), OICI inherited by what is made
// inside, FA full control, 0x1200a9 read and traverse
// (FILE_GENERIC_READ|FILE_GENERIC_EXECUTE), 0x12019f read and write
// (FILE_GENERIC_READ|FILE_GENERIC_WRITE, which is what connecting to a
// socket takes).
const (
	systemDirSDDL    = "O:SYD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;;0x1200a9;;;BU)"
	systemSocketSDDL = "O:SYD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x12019f;;;BU)"
	userDirSDDL      = "O:%[1]sD:P(A;OICI;FA;;;%[1]s)(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"
)

// security is what rvm reads of a file's security descriptor: its owner
// and the entries of its access list that grant rights to the file itself.
type security struct {
	owner   string
	granted []grant
}

type grant struct {
	sid  string
	mask uint32
}

// readSecurity reads path's owner and access list. A NULL access list
// grants Everyone everything.
func readSecurity(path string) (*security, error) {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return nil, fmt.Errorf("platform: security of %s: %w", path, err)
	}
	return securityOf(sd, path)
}

// securityOf reads the owner and access list of sd, path's.
func securityOf(sd *windows.SECURITY_DESCRIPTOR, path string) (*security, error) {
	owner, _, err := sd.Owner()
	if err != nil || owner == nil {
		return nil, fmt.Errorf("platform: owner of %s: %v", path, err)
	}
	s := &security{owner: owner.String()}
	dacl, _, err := sd.DACL()
	if err != nil {
		return nil, fmt.Errorf("platform: access list of %s: %w", path, err)
	}
	if dacl == nil {
		s.granted = []grant{{sid: "S-1-1-0", mask: windows.GENERIC_ALL}}
		return s, nil
	}
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return nil, fmt.Errorf("platform: access list of %s: %w", path, err)
		}
		if ace.Header.AceFlags&windows.INHERIT_ONLY_ACE != 0 {
			continue // for what is made inside, not for path itself
		}
		switch ace.Header.AceType {
		case windows.ACCESS_ALLOWED_ACE_TYPE, 9: // ACCESS_ALLOWED_CALLBACK_ACE_TYPE, the same layout
			sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
			s.granted = append(s.granted, grant{sid: sid.String(), mask: uint32(ace.Mask)})
		case windows.ACCESS_DENIED_ACE_TYPE, 10: // denials only narrow
		default:
			// An object or conditional entry: count it as a grant of
			// everything to someone rvm cannot name.
			s.granted = append(s.granted, grant{sid: fmt.Sprintf("(an access list entry of type %d)", ace.Header.AceType), mask: windows.GENERIC_ALL})
		}
	}
	return s, nil
}

// writer returns the first account other than trusted that s grants one of
// rights; "" where none.
func (s *security) writer(rights uint32, trusted []string) string {
	for _, g := range s.granted {
		if g.mask&rights != 0 && !slices.Contains(trusted, g.sid) {
			return g.sid
		}
	}
	return ""
}

// accountName names a SID for a message: "BUILTIN\Users (S-1-5-32-545)".
func accountName(sid string) string {
	s, err := windows.StringToSid(sid)
	if err != nil {
		return sid
	}
	account, domain, _, err := s.LookupAccount("")
	switch {
	case err != nil || account == "":
		return sid
	case domain != "":
		return fmt.Sprintf(`%s\%s (%s)`, domain, account, sid)
	}
	return fmt.Sprintf("%s (%s)", account, sid)
}

func currentUserSID() (string, error) {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return "", fmt.Errorf("platform: this process's user: %w", err)
	}
	return u.User.Sid.String(), nil
}

// isReparsePoint reports whether path is a link, junction or other
// reparse point.
func isReparsePoint(path string) (bool, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return false, err
	}
	attrs, err := windows.GetFileAttributes(p)
	if err != nil {
		return false, &os.PathError{Op: "GetFileAttributes", Path: path, Err: err}
	}
	return attrs&windows.FILE_ATTRIBUTE_REPARSE_POINT != 0, nil
}

func prepareServiceDir(dir string, system bool) error {
	self, err := currentUserSID()
	if err != nil {
		return err
	}
	owner, sddl := self, fmt.Sprintf(userDirSDDL, self)
	if system {
		owner, sddl = sidSystem, systemDirSDDL
	}
	sd, err := windows.SecurityDescriptorFromString(sddl)
	if err != nil {
		return fmt.Errorf("platform: service folder %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return fmt.Errorf("platform: service folder %s: %w", dir, err)
	}
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return fmt.Errorf("platform: service folder %q: %w", dir, err)
	}
	sa := windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(sa))
	// CreateDirectory fails where anything already stands there; what
	// stands there is then checked like a folder made earlier.
	if err := windows.CreateDirectory(p, &sa); err != nil && !errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
		return fmt.Errorf("platform: service folder %s: %w", dir, err)
	}
	refuse := func(reason string) error {
		return &UnsafePathError{Path: dir, Reason: reason + "; the service will not start (remove the folder, or give it its owner and rights back, and start it again)"}
	}
	if rp, err := isReparsePoint(dir); err != nil {
		return fmt.Errorf("platform: service folder: %w", err)
	} else if rp {
		return refuse("is a link, junction or other reparse point, not a folder")
	}
	if fi, err := os.Lstat(dir); err != nil {
		return fmt.Errorf("platform: service folder: %w", err)
	} else if !fi.IsDir() {
		return refuse("is not a folder")
	}
	sec, err := readSecurity(dir)
	if err != nil {
		return err
	}
	if sec.owner != owner {
		return refuse(fmt.Sprintf("is owned by %s, not %s", accountName(sec.owner), accountName(owner)))
	}
	if w := sec.writer(rightsWrite, []string{owner, sidSystem, sidAdministrators}); w != "" {
		return refuse(fmt.Sprintf("lets %s write to it", accountName(w)))
	}
	return setSecurity(dir, sd)
}

// setSecurity gives path the owner and (protected) access list of sd.
func setSecurity(path string, sd *windows.SECURITY_DESCRIPTOR) error {
	owner, _, err := sd.Owner()
	if err != nil {
		return fmt.Errorf("platform: security of %s: %w", path, err)
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return fmt.Errorf("platform: security of %s: %w", path, err)
	}
	err = windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION,
		owner, nil, dacl, nil)
	if err != nil {
		return fmt.Errorf("platform: security of %s: %w", path, err)
	}
	return nil
}

// secureSocket: a private socket keeps the access list it inherits from
// its folder (PrepareServiceDir's: this user, SYSTEM, Administrators); a
// system service's lets Users connect.
func secureSocket(path string, private bool) error {
	if private {
		return nil
	}
	sd, err := windows.SecurityDescriptorFromString(systemSocketSDDL)
	if err != nil {
		return err
	}
	return setSecurity(path, sd)
}

// socketOwner checks the socket at path and its folder for a client (see
// DialSocket); Windows cannot tell who answers, so there is no user id to
// check the peer against (-1).
func socketOwner(path string) (int, error) {
	dir := filepath.Dir(path)
	self, err := currentUserSID()
	if err != nil {
		return 0, err
	}
	if rp, err := isReparsePoint(dir); err != nil {
		return 0, err
	} else if rp {
		return 0, &UnsafePathError{Path: dir, Reason: "the socket's folder is a link, junction or other reparse point"}
	}
	sec, err := readSecurity(dir)
	if err != nil {
		return 0, err
	}
	if sec.owner != sidSystem && sec.owner != self {
		return 0, &UnsafePathError{Path: dir, Reason: fmt.Sprintf("the socket's folder is owned by %s, neither SYSTEM nor this user", accountName(sec.owner))}
	}
	if w := sec.writer(rightsWrite, []string{sec.owner, sidSystem, sidAdministrators}); w != "" {
		return 0, &UnsafePathError{Path: dir, Reason: fmt.Sprintf("the socket's folder lets %s write to it", accountName(w))}
	}
	si, err := os.Lstat(path)
	if err != nil {
		return 0, err
	}
	if si.Mode().Type() != os.ModeSocket {
		return 0, &UnsafePathError{Path: path, Reason: fmt.Sprintf("is not a socket (%v)", si.Mode().Type())}
	}
	ssec, err := readSecurity(path)
	if err != nil {
		return 0, err
	}
	if ssec.owner != sec.owner {
		return 0, &UnsafePathError{Path: path, Reason: fmt.Sprintf("the socket is owned by %s, not by its folder's owner %s", accountName(ssec.owner), accountName(sec.owner))}
	}
	return -1, nil
}

// checkReplaceable is CheckExecutable for the file at path, which its
// messages call what; risk says what anyone who can replace it can do.
func checkReplaceable(path string, user bool, what, risk string) error {
	trusted := []string{sidSystem, sidAdministrators, sidTrustedInstaller}
	if user {
		self, err := currentUserSID()
		if err != nil {
			return err
		}
		trusted = append(trusted, self)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("platform: %s %s: %w", what, path, err)
	}
	paths := []string{abs}
	if real, err := filepath.EvalSymlinks(abs); err != nil {
		return fmt.Errorf("platform: %s %s: %w", what, path, err)
	} else if !strings.EqualFold(real, abs) {
		paths = append(paths, real)
	}
	for _, p := range paths {
		for q, depth := p, 0; ; q, depth = filepath.Dir(q), depth+1 {
			sec, err := readSecurity(q)
			if err != nil {
				return fmt.Errorf("platform: %s %s: %w", what, path, err)
			}
			kind, rights := "folder above the "+what, uint32(rightsReplaceEntries)
			switch depth {
			case 0:
				kind, rights = what, rightsWrite
			case 1:
				kind, rights = what+"'s folder", rightsWrite
			}
			reason := ""
			if !slices.Contains(trusted, sec.owner) {
				reason = "is owned by " + accountName(sec.owner)
			} else if w := sec.writer(rights, trusted); w != "" {
				reason = "lets " + accountName(w) + " write to it"
			}
			if reason != "" {
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
	owner, err := currentUserSID()
	if err != nil {
		return err
	}
	if system {
		owner = sidSystem
	}
	if rp, err := isReparsePoint(dir); err != nil {
		return err
	} else if rp {
		return &UnsafePathError{Path: dir, Reason: "the service's folder is a link, junction or other reparse point"}
	}
	sec, err := readSecurity(dir)
	if err != nil {
		return err
	}
	if sec.owner != owner {
		return &UnsafePathError{Path: dir, Reason: fmt.Sprintf("the service's folder is owned by %s, not %s", accountName(sec.owner), accountName(owner))}
	}
	trusted := []string{owner, sidSystem, sidAdministrators}
	if w := sec.writer(rightsWrite, trusted); w != "" {
		return &UnsafePathError{Path: dir, Reason: fmt.Sprintf("the service's folder lets %s write to it", accountName(w))}
	}
	if si.Mode().Type() != os.ModeSocket {
		return &UnsafePathError{Path: socket, Reason: fmt.Sprintf("is not a socket (%v)", si.Mode().Type())}
	}
	ssec, err := readSecurity(socket)
	if err != nil {
		return err
	}
	if ssec.owner != owner {
		return &UnsafePathError{Path: socket, Reason: fmt.Sprintf("the socket is owned by %s, not %s", accountName(ssec.owner), accountName(owner))}
	}
	// Every user may connect to a system service's socket, which takes
	// the right to write it; no one else may take it over.
	if w := ssec.writer(rightsTakeOver, trusted); w != "" {
		return &UnsafePathError{Path: socket, Reason: fmt.Sprintf("the socket lets %s delete it or change its rights", accountName(w))}
	}
	if system {
		trusted = append(trusted, sidUsers)
	}
	if w := ssec.writer(rightsWrite, trusted); w != "" {
		return &UnsafePathError{Path: socket, Reason: fmt.Sprintf("the socket lets %s write to it", accountName(w))}
	}
	return nil
}
