//go:build unix

package platform

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// needRoot skips a test that gives files to another user.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to give files to another user")
	}
}

func TestPrepareServiceDir(t *testing.T) {
	for _, tt := range []struct {
		name     string
		system   bool
		existing func(t *testing.T, dir string) // nil: no folder yet
		wantMode os.FileMode
		wantErr  string
	}{
		{name: "new-system-folder-is-traversable", system: true, wantMode: 0o755},
		{name: "new-per-user-folder-is-private", wantMode: 0o700},
		{name: "private-system-folder-of-an-older-rvm-opened", system: true, existing: mkdir(0o700), wantMode: 0o755},
		{name: "traversable-system-folder-kept", system: true, existing: mkdir(0o711), wantMode: 0o711},
		{name: "per-user-folder-closed", existing: mkdir(0o755), wantMode: 0o700},
		{name: "group-writable-refused", system: true, existing: mkdir(0o775), wantErr: "is writable by others (mode 0775)"},
		{name: "world-writable-refused", existing: mkdir(0o757), wantErr: "is writable by others (mode 0757)"},
		{name: "another-owner-refused", system: true, existing: func(t *testing.T, dir string) {
			needRoot(t)
			mkdir(0o755)(t, dir)
			platformtest.Must(t, os.Chown(dir, platformtest.Nobody, platformtest.Nobody))
		}, wantErr: "is owned by user 65534"},
		{name: "link-refused", system: true, existing: func(t *testing.T, dir string) {
			target := dir + ".target"
			mkdir(0o755)(t, target)
			platformtest.Must(t, os.Symlink(target, dir))
		}, wantErr: "is a symbolic link"},
		{name: "file-refused", existing: func(t *testing.T, dir string) {
			platformtest.Must(t, os.WriteFile(dir, nil, 0o600))
		}, wantErr: "is not a folder"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(platformtest.TempDir(t), "var", "lib", "rvm")
			if tt.existing != nil {
				platformtest.Must(t, os.MkdirAll(filepath.Dir(dir), 0o755))
				tt.existing(t, dir)
			}
			err := PrepareServiceDir(dir, tt.system)
			if tt.wantErr != "" {
				var unsafe *UnsafePathError
				if !errors.As(err, &unsafe) || unsafe.Path != dir || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "will not start") {
					t.Fatalf("got %v, want an *UnsafePathError for %s holding %q and that the service will not start", err, dir, tt.wantErr)
				}
				return
			}
			platformtest.Must(t, err)
			fi, err := os.Lstat(dir)
			platformtest.Must(t, err)
			if got := fi.Mode().Perm(); !fi.IsDir() || got != tt.wantMode {
				t.Errorf("got %v, want a folder of mode %04o", fi.Mode(), tt.wantMode)
			}
		})
	}
}

// mkdir makes a folder with mode perm (whatever the umask).
func mkdir(perm os.FileMode) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		platformtest.Must(t, os.Mkdir(dir, perm))
		platformtest.Must(t, os.Chmod(dir, perm))
	}
}

// TestDialSocket checks what a client sees of sockets whose folder or file
// is not its own or root's. The process answering runs as this user here;
// a socket answered by another user is launcher/api's test.
func TestDialSocket(t *testing.T) {
	for _, tt := range []struct {
		name    string
		setup   func(t *testing.T, dir, sock string)
		wantErr string // "" for a connection
	}{
		{name: "own-folder-and-socket"},
		{name: "folder-of-another-user", setup: func(t *testing.T, dir, _ string) {
			needRoot(t)
			platformtest.Must(t, os.Chown(dir, platformtest.Nobody, platformtest.Nobody))
		}, wantErr: "the socket's folder is owned by user 65534"},
		{name: "group-writable-folder", setup: func(t *testing.T, dir, _ string) {
			platformtest.Must(t, os.Chmod(dir, 0o775))
		}, wantErr: "the socket's folder is writable by others (mode 0775)"},
		{name: "folder-is-a-link", setup: func(t *testing.T, dir, _ string) {
			platformtest.Must(t, os.Rename(dir, dir+".real"))
			platformtest.Must(t, os.Symlink(dir+".real", dir))
		}, wantErr: "the socket's folder is a symbolic link"},
		{name: "socket-of-another-user", setup: func(t *testing.T, _, sock string) {
			needRoot(t)
			platformtest.Must(t, os.Lchown(sock, platformtest.Nobody, platformtest.Nobody))
		}, wantErr: "the socket is owned by user 65534"},
		{name: "not-a-socket", setup: func(t *testing.T, _, sock string) {
			platformtest.Must(t, os.Remove(sock))
			platformtest.Must(t, os.WriteFile(sock, nil, 0o600))
		}, wantErr: "is not a socket"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(platformtest.TempDir(t), "rvm")
			platformtest.Must(t, PrepareServiceDir(dir, true))
			sock := filepath.Join(dir, "rvm.sock")
			ln, err := ListenSocket(sock, false)
			platformtest.Must(t, err)
			defer ln.Close()
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					c.Close()
				}
			}()
			if tt.setup != nil {
				tt.setup(t, dir, sock)
			}
			c, err := DialSocket(sock, 0)
			if tt.wantErr == "" {
				platformtest.Must(t, err)
				c.Close()
				return
			}
			var unsafe *UnsafePathError
			if !errors.As(err, &unsafe) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want an *UnsafePathError holding %q", err, tt.wantErr)
			}
		})
	}
	t.Run("nothing-there", func(t *testing.T) {
		dir := filepath.Join(platformtest.TempDir(t), "rvm")
		platformtest.Must(t, PrepareServiceDir(dir, false))
		_, err := DialSocket(filepath.Join(dir, "rvm.sock"), 0)
		var unsafe *UnsafePathError
		if !errors.Is(err, os.ErrNotExist) || errors.As(err, &unsafe) {
			t.Fatalf("got %v, want a missing socket", err)
		}
	})
}

func TestListenSocketModes(t *testing.T) {
	for _, tt := range []struct {
		name    string
		private bool
		want    os.FileMode
	}{
		{name: "per-user", private: true, want: 0o600},
		{name: "system", want: 0o666},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sock := filepath.Join(platformtest.TempDir(t), "rvm.sock")
			ln, err := ListenSocket(sock, tt.private)
			platformtest.Must(t, err)
			defer ln.Close()
			fi, err := os.Lstat(sock)
			platformtest.Must(t, err)
			if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != tt.want {
				t.Errorf("got %v, want a socket of mode %04o", fi.Mode(), tt.want)
			}
			if _, err := ListenSocket(sock, tt.private); err == nil || !strings.Contains(err.Error(), "already answers") {
				t.Errorf("a second listener: got %v, want an error saying a process already answers", err)
			}
		})
	}
}

func TestCheckExecutable(t *testing.T) {
	for _, tt := range []struct {
		name    string
		setup   func(t *testing.T, bin, exe string) string // returns the path to check
		wantErr string
		wantAt  string // "exe", "bin" or "" for the path at fault
	}{
		{name: "root-owned-and-closed"},
		{name: "group-writable-by-root-allowed", setup: func(t *testing.T, bin, _ string) string {
			platformtest.Must(t, os.Chmod(bin, 0o775))
			return ""
		}},
		{name: "sticky-world-writable-folder-above-allowed", setup: func(t *testing.T, bin, _ string) string {
			platformtest.Must(t, os.Chmod(filepath.Dir(bin), 0o777|os.ModeSticky))
			return ""
		}},
		{name: "world-writable-executable", setup: func(t *testing.T, _, exe string) string {
			platformtest.Must(t, os.Chmod(exe, 0o757))
			return ""
		}, wantErr: "the executable is writable by every user (mode 0757)", wantAt: "exe"},
		{name: "world-writable-folder", setup: func(t *testing.T, bin, _ string) string {
			platformtest.Must(t, os.Chmod(bin, 0o777))
			return ""
		}, wantErr: "the folder above the executable is writable by every user (mode 0777)", wantAt: "bin"},
		{name: "executable-folder-of-another-user", setup: func(t *testing.T, bin, _ string) string {
			needRoot(t)
			platformtest.Must(t, os.Chown(bin, platformtest.Nobody, platformtest.Nobody))
			return ""
		}, wantErr: "is owned by user 65534, not root", wantAt: "bin"},
		{name: "group-writable-by-another-group", setup: func(t *testing.T, bin, _ string) string {
			needRoot(t)
			platformtest.Must(t, os.Chown(bin, 0, platformtest.Nobody))
			platformtest.Must(t, os.Chmod(bin, 0o775))
			return ""
		}, wantErr: "is writable by the group", wantAt: "bin"},
		{name: "executable-of-another-user", setup: func(t *testing.T, _, exe string) string {
			needRoot(t)
			platformtest.Must(t, os.Chown(exe, platformtest.Nobody, 0))
			return ""
		}, wantErr: "the executable is owned by user 65534", wantAt: "exe"},
		{name: "link-to-a-replaceable-executable", setup: func(t *testing.T, bin, exe string) string {
			platformtest.Must(t, os.Chmod(bin, 0o777))
			safe := filepath.Join(filepath.Dir(bin), "safe")
			platformtest.Must(t, os.Mkdir(safe, 0o755))
			link := filepath.Join(safe, "rvm")
			platformtest.Must(t, os.Symlink(exe, link))
			return link
		}, wantErr: "is writable by every user (mode 0777)", wantAt: "bin"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			top := platformtest.TempDir(t)
			bin := filepath.Join(top, "opt", "bin")
			platformtest.Must(t, os.MkdirAll(bin, 0o755))
			platformtest.Must(t, os.Chmod(filepath.Dir(bin), 0o755))
			exe := filepath.Join(bin, "rvm")
			platformtest.Must(t, os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755))
			path := exe
			if tt.setup != nil {
				if p := tt.setup(t, bin, exe); p != "" {
					path = p
				}
			}
			err := CheckExecutable(path, false)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			at := map[string]string{"exe": exe, "bin": bin}[tt.wantAt]
			var unsafe *UnsafePathError
			if !errors.As(err, &unsafe) || unsafe.Path != at || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want an *UnsafePathError for %s holding %q", err, at, tt.wantErr)
			}
		})
	}
}

// TestCheckAdminOnly: the owner's files (TrustRootsFile,
// RuntimeRepositoryRoot) are checked by CheckExecutable's rules, and the
// message says what anyone who could replace them can do.
func TestCheckAdminOnly(t *testing.T) {
	for _, tt := range []struct {
		name    string
		setup   func(t *testing.T, etc, file string)
		wantErr string
		wantAt  string // "file", "etc" or "" for no error
	}{
		{name: "root-owned-and-closed"},
		{name: "world-writable-folder", setup: func(t *testing.T, etc, _ string) {
			platformtest.Must(t, os.Chmod(etc, 0o777))
		}, wantErr: "the folder above the file is writable by every user (mode 0777): anyone who can write there can replace what it holds", wantAt: "etc"},
		{name: "group-writable-file", setup: func(t *testing.T, _, file string) {
			needRoot(t)
			platformtest.Must(t, os.Chown(file, 0, platformtest.Nobody))
			platformtest.Must(t, os.Chmod(file, 0o664))
		}, wantErr: "the file is writable by the group", wantAt: "file"},
		{name: "file-of-another-user", setup: func(t *testing.T, _, file string) {
			needRoot(t)
			platformtest.Must(t, os.Chown(file, platformtest.Nobody, 0))
		}, wantErr: "the file is owned by user 65534, not root", wantAt: "file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			etc := filepath.Join(platformtest.TempDir(t), "etc", "rvm")
			platformtest.Must(t, os.MkdirAll(etc, 0o755))
			platformtest.Must(t, os.Chmod(filepath.Dir(etc), 0o755))
			file := filepath.Join(etc, "roots.pem")
			platformtest.Must(t, os.WriteFile(file, nil, 0o644))
			if tt.setup != nil {
				tt.setup(t, etc, file)
			}
			err := CheckAdminOnly(file)
			if tt.wantAt == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			at := map[string]string{"file": file, "etc": etc}[tt.wantAt]
			var unsafe *UnsafePathError
			if !errors.As(err, &unsafe) || unsafe.Path != at || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want an *UnsafePathError for %s holding %q", err, at, tt.wantErr)
			}
		})
	}
}

// TestCheckServiceFiles: what rvm doctor says of a service's folder and
// socket, as PrepareServiceDir and ListenSocket leave them and otherwise,
// without changing them.
func TestCheckServiceFiles(t *testing.T) {
	for _, tt := range []struct {
		name    string
		system  bool
		setup   func(t *testing.T, dir, sock string)
		wantErr string // "" for none
		wantAt  string // "dir" or "sock"
	}{
		{name: "system-as-made", system: true},
		{name: "per-user-as-made"},
		{name: "traversable-system-folder", system: true, setup: func(t *testing.T, dir, _ string) {
			platformtest.Must(t, os.Chmod(dir, 0o711))
		}},
		{name: "private-system-folder", system: true, setup: func(t *testing.T, dir, _ string) {
			platformtest.Must(t, os.Chmod(dir, 0o700))
		}, wantErr: "the service's folder has mode 0700, not 0755", wantAt: "dir"},
		{name: "open-per-user-folder", setup: func(t *testing.T, dir, _ string) {
			platformtest.Must(t, os.Chmod(dir, 0o755))
		}, wantErr: "the service's folder has mode 0755, not 0700", wantAt: "dir"},
		{name: "group-writable-folder", system: true, setup: func(t *testing.T, dir, _ string) {
			platformtest.Must(t, os.Chmod(dir, 0o775))
		}, wantErr: "the service's folder is writable by others (mode 0775)", wantAt: "dir"},
		{name: "folder-of-another-user", system: true, setup: func(t *testing.T, dir, _ string) {
			needRoot(t)
			platformtest.Must(t, os.Chown(dir, platformtest.Nobody, platformtest.Nobody))
		}, wantErr: "the service's folder is owned by user 65534, not root", wantAt: "dir"},
		{name: "folder-is-a-link", system: true, setup: func(t *testing.T, dir, _ string) {
			platformtest.Must(t, os.Rename(dir, dir+".real"))
			platformtest.Must(t, os.Symlink(dir+".real", dir))
		}, wantErr: "the service's folder is a symbolic link", wantAt: "dir"},
		{name: "private-system-socket", system: true, setup: func(t *testing.T, _, sock string) {
			platformtest.Must(t, os.Chmod(sock, 0o600))
		}, wantErr: "the socket has mode 0600, not 0666", wantAt: "sock"},
		{name: "socket-of-another-user", system: true, setup: func(t *testing.T, _, sock string) {
			needRoot(t)
			platformtest.Must(t, os.Lchown(sock, platformtest.Nobody, platformtest.Nobody))
		}, wantErr: "the socket is owned by user 65534, not root", wantAt: "sock"},
		{name: "not-a-socket", system: true, setup: func(t *testing.T, _, sock string) {
			platformtest.Must(t, os.Remove(sock))
			platformtest.Must(t, os.WriteFile(sock, nil, 0o666))
		}, wantErr: "is not a socket", wantAt: "sock"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.system {
				needRoot(t) // a system service's files are root's
			}
			dir := filepath.Join(platformtest.TempDir(t), "rvm")
			platformtest.Must(t, PrepareServiceDir(dir, tt.system))
			sock := filepath.Join(dir, "rvm.sock")
			ln, err := ListenSocket(sock, !tt.system)
			platformtest.Must(t, err)
			defer ln.Close()
			if tt.setup != nil {
				tt.setup(t, dir, sock)
			}
			err = CheckServiceFiles(sock, tt.system)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			at := map[string]string{"dir": dir, "sock": sock}[tt.wantAt]
			var unsafe *UnsafePathError
			if !errors.As(err, &unsafe) || unsafe.Path != at || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want an *UnsafePathError for %s holding %q", err, at, tt.wantErr)
			}
		})
	}
	t.Run("no-socket", func(t *testing.T) {
		dir := filepath.Join(platformtest.TempDir(t), "rvm")
		platformtest.Must(t, os.Mkdir(dir, 0o777))
		if err := CheckServiceFiles(filepath.Join(dir, "rvm.sock"), false); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("got %v, want no socket (nothing serves from the folder)", err)
		}
	})
}
