package publisher

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func clock() time.Time { return t0 }

// archiveFile writes a runtime archive holding exe and returns its path.
func archiveFile(t *testing.T, exe string, mode int64) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	platformtest.Must(t, tw.WriteHeader(&tar.Header{Name: exe, Mode: mode, Size: 2, Typeflag: tar.TypeReg}))
	tw.Write([]byte("#!"))
	platformtest.Must(t, tw.Close())
	platformtest.Must(t, gz.Close())
	p := filepath.Join(platformtest.TempDir(t), "rt.tar.gz")
	platformtest.Must(t, os.WriteFile(p, buf.Bytes(), 0o644))
	return p
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "2s", want: 2 * time.Second},
		{in: "36h", want: 36 * time.Hour},
		{in: "7d", want: 7 * 24 * time.Hour},
		{in: "0s", bad: true},
		{in: "-1d", bad: true},
		{in: "1w", bad: true},
		{in: "d", bad: true},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.in, "-", "minus-"), func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if tt.bad != (err != nil) || got != tt.want {
				t.Fatalf("got %v, %v; want %v (error: %v)", got, err, tt.want, tt.bad)
			}
		})
	}
	if _, _, err := ParseExpires("mirror=1d"); err == nil || !strings.Contains(err.Error(), "ROLE") {
		t.Fatalf("got %v, want an error naming ROLE", err)
	}
}

func TestPublishAndVerify(t *testing.T) {
	dir := filepath.Join(platformtest.TempDir(t), "repo")
	r, err := Init(dir, InitOptions{Now: clock, Expires: map[string]time.Duration{metadata.TIMESTAMP: 2 * time.Hour}})
	platformtest.Must(t, err)
	for _, role := range Roles {
		info, err := os.Stat(r.keyPath(role))
		if err != nil || info.Mode().Perm()&0o077 != 0 && os.PathSeparator == '/' {
			t.Fatalf("got %v, %v for the %s key, want a 0600 file", info, err, role)
		}
	}
	if _, err := r.Add("1.0.0", "linux", "amd64", archiveFile(t, "runtime", 0o755)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Add("1.0.0", "windows", "amd64", archiveFile(t, "runtime.exe", 0o644)); err != nil {
		t.Fatal(err)
	}
	platformtest.Must(t, r.Channel("stable", "1.0.0"))
	sum, err := r.Publish(nil)
	if err != nil || len(sum.Targets) != 2 || sum.Channels["stable"] != "1.0.0" || sum.Version != 2 {
		t.Fatalf("got %+v, %v; want two targets, stable -> 1.0.0, targets version 2", sum, err)
	}
	ts, err := r.loadTimestamp()
	platformtest.Must(t, err)
	if got, want := ts.Signed.Expires, t0.Add(2*time.Hour); !got.Equal(want) {
		t.Fatalf("got timestamp expiry %v, want the remembered 2h: %v", got, want)
	}
	rep, err := Verify(context.Background(), dir, VerifyOptions{Now: clock})
	if err != nil || len(rep.Targets) != 3 || !rep.TrustOnFirstUse {
		t.Fatalf("got %+v, %v; want three targets verified", rep, err)
	}
	platformtest.Must(t, r.Rotate(metadata.ROOT))
	platformtest.Must(t, r.Rotate(metadata.SNAPSHOT))
	root, err := os.ReadFile(filepath.Join(dir, "public", "metadata", "1.root.json"))
	platformtest.Must(t, err)
	if _, err := Verify(context.Background(), dir, VerifyOptions{Now: clock, Root: root}); err != nil {
		t.Fatalf("got %v after rotations, want the repository to verify", err)
	}
	if _, err := Verify(context.Background(), dir, VerifyOptions{Now: func() time.Time { return t0.Add(3 * time.Hour) }}); err == nil || !strings.Contains(err.Error(), "timestamp") {
		t.Fatalf("got %v three hours on, want the timestamp expired", err)
	}
}

func TestRefused(t *testing.T) {
	dir := filepath.Join(platformtest.TempDir(t), "repo")
	r, err := Init(dir, InitOptions{Now: clock})
	platformtest.Must(t, err)
	good := archiveFile(t, "runtime", 0o755)
	tests := []struct {
		name string
		do   func() error
		want string
	}{
		{name: "init-not-empty", do: func() error { _, err := Init(dir, InitOptions{}); return err }, want: "not empty"},
		{name: "init-alg", do: func() error { _, err := Init(filepath.Join(dir, "x"), InitOptions{Alg: "rsa"}); return err }, want: "--alg"},
		{name: "add-version", do: func() error { _, err := r.Add("1.*", "linux", "amd64", good); return err }, want: "not an exact version"},
		{name: "add-platform", do: func() error { _, err := r.Add("1.0.0", "linux", "386", good); return err }, want: "--arch"},
		{name: "add-not-executable", do: func() error { _, err := r.Add("1.0.0", "linux", "amd64", archiveFile(t, "runtime", 0o644)); return err }, want: "no runtime"},
		{name: "add-wrong-name", do: func() error { _, err := r.Add("1.0.0", "windows", "amd64", good); return err }, want: "runtime.exe"},
		{name: "channel-name", do: func() error { return r.Channel("Stable", "1.0.0") }, want: "channel"},
		{name: "channel-unknown-version", do: func() error { return r.Channel("stable", "9.9.9") }, want: "neither published nor staged"},
		{name: "timestamp-other-role", do: func() error { return r.Timestamp(map[string]time.Duration{metadata.ROOT: time.Hour}) }, want: "only the timestamp"},
		{name: "rotate-role", do: func() error { return r.Rotate("mirror") }, want: "--role"},
		{name: "republish", do: func() error {
			if _, err := r.Add("2.0.0", "linux", "amd64", good); err != nil {
				return err
			}
			if _, err := r.Publish(nil); err != nil {
				return err
			}
			_, err := r.Add("2.0.0", "linux", "amd64", good)
			return err
		}, want: "never replaced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.do(); err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "publisher: ") {
				t.Fatalf("got %v, want a publisher error containing %q", err, tt.want)
			}
		})
	}
}
