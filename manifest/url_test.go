package manifest

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantURL string
		args    map[string]string
		wantErr string
	}{
		{name: "https-as-is", in: "https://apps.acme.com/app.json?v=1", wantURL: "https://apps.acme.com/app.json?v=1"},
		{name: "https-fragment-dropped", in: "https://apps.acme.com/app.json#x", wantURL: "https://apps.acme.com/app.json"},
		{name: "fins-without-args", in: "fins://apps.acme.com/blotter/app.json", wantURL: "https://apps.acme.com/blotter/app.json"},
		{name: "fins-with-args", in: "fins://apps.acme.com/blotter/app.json?$$ticker=ACME&v=2&$$side=buy%20now", wantURL: "https://apps.acme.com/blotter/app.json?v=2", args: map[string]string{"ticker": "ACME", "side": "buy now"}},
		{name: "fins-encoded-dollars", in: "fins://apps.acme.com/a.json?%24%24x=1", wantURL: "https://apps.acme.com/a.json", args: map[string]string{"x": "1"}},
		{name: "fins-single-dollar-stays", in: "fins://apps.acme.com/a.json?$x=1", wantURL: "https://apps.acme.com/a.json?$x=1"},
		{name: "fins-uppercase-scheme", in: "FINS://apps.acme.com/a.json", wantURL: "https://apps.acme.com/a.json"},
		{name: "fin-is-http", in: "fin://apps.acme.com/a.json", wantURL: "http://apps.acme.com/a.json"},
		{name: "https-dollar-args-kept", in: "https://apps.acme.com/a.json?$$x=1", wantURL: "https://apps.acme.com/a.json?$$x=1"},
		{name: "ftp-refused", in: "ftp://apps.acme.com/a.json", wantErr: `scheme "ftp" is not supported`},
		{name: "http-refused", in: "http://apps.acme.com/a.json", wantErr: `scheme "http" is not supported`},
		{name: "no-scheme", in: "apps.acme.com/a.json", wantErr: "has no scheme"},
		{name: "flag-like", in: "--help", wantErr: "has no scheme"},
		{name: "user-info", in: "https://user@apps.acme.com/a.json", wantErr: "user info"},
		{name: "no-host", in: "https:///a.json", wantErr: "has no host"},
		{name: "opaque", in: "fins:apps.acme.com", wantErr: "has no host"},
		{name: "space", in: "fins://x/a b", wantErr: "space or control"},
		{name: "quote-space", in: `fins://x/" --evil "`, wantErr: "space or control"},
		{name: "empty", in: "", wantErr: "empty URL"},
		{name: "too-long", in: "https://a.com/" + strings.Repeat("a", maxURLLength), wantErr: "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRequest(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseRequest(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRequest(%q): %v", tt.in, err)
			}
			if got.URL != tt.wantURL {
				t.Errorf("URL: got %q, want %q", got.URL, tt.wantURL)
			}
			if !reflect.DeepEqual(got.UserAppConfigArgs, tt.args) {
				t.Errorf("UserAppConfigArgs: got %v, want %v", got.UserAppConfigArgs, tt.args)
			}
			if got.Requested != tt.in {
				t.Errorf("Requested: got %q, want %q", got.Requested, tt.in)
			}
		})
	}
}
