package platform

import (
	"net/url"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

func TestFileURLPath(t *testing.T) {
	tests := []struct {
		name, in, want, winWant string
		wantErr                 bool
	}{
		{name: "unix-path", in: "file:///etc/rvm/owner.json", want: "/etc/rvm/owner.json", winWant: `\etc\rvm\owner.json`},
		{name: "localhost", in: "file://localhost/etc/rvm/owner.json", want: "/etc/rvm/owner.json", winWant: `\etc\rvm\owner.json`},
		{name: "drive-letter", in: "file:///C:/ProgramData/RVM/owner.json", want: "/C:/ProgramData/RVM/owner.json", winWant: `C:\ProgramData\RVM\owner.json`},
		{name: "other-host", in: "file://fileserver/share/owner.json", wantErr: true},
		{name: "no-path", in: "file://", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.in)
			platformtest.Must(t, err)
			got, err := FileURLPath(u)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %q, want an error", got)
				}
				return
			}
			want := filepath.FromSlash(tt.want)
			if runtime.GOOS == "windows" {
				want = tt.winWant
			}
			if err != nil || got != want {
				t.Fatalf("got %q, %v; want %q", got, err, want)
			}
		})
	}
}
