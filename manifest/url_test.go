package manifest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/permissions/pattern"
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
		{name: "host-full-stops", in: "https://ａｐｐｓ．acme。com/a.json", wantURL: "https://apps.acme.com/a.json"},
		{name: "host-full-width-capitals", in: "https://apps.ACME．COM/a.json", wantURL: "https://apps.acme.com/a.json"},
		{name: "host-unicode", in: "https://Blötter.acme.com/a.json", wantURL: "https://xn--bltter-xxa.acme.com/a.json"},
		{name: "host-trailing-dot-default-port", in: "https://apps.acme.com.:443/a.json", wantURL: "https://apps.acme.com/a.json"},
		{name: "fin-default-port", in: "fin://apps.acme.com:80/a.json", wantURL: "http://apps.acme.com/a.json"},
		{name: "dot-segments-removed", in: "https://apps.acme.com/uploads/../blotter/./app.json", wantURL: "https://apps.acme.com/blotter/app.json"},
		{name: "escapes-normalized", in: "https://apps.acme.com/%62lotter/caf%c3%a9.json", wantURL: "https://apps.acme.com/blotter/caf%C3%A9.json"},
		{name: "query-as-given", in: "https://apps.acme.com/a.json?b=%2e%2e/..;&c=C:\\x", wantURL: "https://apps.acme.com/a.json?b=%2e%2e/..;&c=C:\\x"},
		{name: "fins-normalized-after-args", in: "fins://apps.ACME．com/x/../a.json?$$t=%2e&v=%2E#frag?$$u=1", wantURL: "https://apps.acme.com/a.json?v=%2E", args: map[string]string{"t": "."}},
		{name: "fins-only-args", in: "fins://apps.acme.com/a.json?$$t=1", wantURL: "https://apps.acme.com/a.json", args: map[string]string{"t": "1"}},
		{name: "dot-dot-params", in: "https://apps.acme.com/x/..;/app.json", wantErr: `manifest: URL "https://apps.acme.com/x/..;/app.json": dot segment with parameters "..;"`},
		{name: "dot-params", in: "https://apps.acme.com/x/.;a/app.json", wantErr: `dot segment with parameters ".;a"`},
		{name: "fins-dot-dot-params", in: "fins://apps.acme.com/x/..;/app.json?$$t=1", wantErr: `manifest: URL "fins://apps.acme.com/x/..;/app.json?$$t=1": dot segment with parameters`},
		{name: "encoded-dot", in: "https://apps.acme.com/x/%2e%2e/app.json", wantErr: "encoded dot %2E"},
		{name: "encoded-slash", in: "https://apps.acme.com/x/..%2fapp.json", wantErr: "encoded slash %2F"},
		{name: "encoded-backslash", in: "https://apps.acme.com/x/..%5Capp.json", wantErr: "encoded backslash %5C"},
		{name: "backslash", in: `https://apps.acme.com/x\..\app.json`, wantErr: "backslash at byte"},
		{name: "backslash-in-host", in: `https://apps.acme.com\@evil.com/`, wantErr: "backslash at byte"},
		{name: "invalid-punycode", in: "https://xn--zz-.acme.com/a.json", wantErr: "invalid internationalized name"},
		{name: "disallowed-in-host", in: "https://apps.acme\u2488com/a.json", wantErr: "disallowed rune U+2488"},
		{name: "c1-control-in-query", in: "https://apps.acme.com/a.json?x=\u009b31m", wantErr: `control character or space '\u009b'`},
		{name: "bidi-in-app-arg", in: "fins://apps.acme.com/a.json?$$name=\u202egpj.exe", wantErr: `bidirectional formatting character '\u202e'`},
		{name: "query-not-utf8", in: "https://apps.acme.com/a.json?x=\xff", wantErr: "the query is not UTF-8 at byte 2 of it"},
		{name: "bad-port", in: "https://apps.acme.com:99999/a.json", wantErr: `port "99999"`},
		{name: "ftp-refused", in: "ftp://apps.acme.com/a.json", wantErr: `scheme "ftp" is not supported`},
		{name: "http-refused", in: "http://apps.acme.com/a.json", wantErr: `scheme "http" is not supported`},
		{name: "no-scheme", in: "apps.acme.com/a.json", wantErr: "has no scheme"},
		{name: "flag-like", in: "--help", wantErr: "has no scheme"},
		{name: "user-info", in: "https://user@apps.acme.com/a.json", wantErr: "user info"},
		{name: "no-host", in: "https:///a.json", wantErr: `URL "https:///a.json": empty host`},
		{name: "opaque", in: "fins:apps.acme.com", wantErr: "has no host"},
		{name: "scheme-with-digits", in: "h2ps://apps.acme.com/", wantErr: `scheme "h2ps" is not supported`},
		{name: "not-a-scheme", in: "1https://apps.acme.com/", wantErr: "has no scheme"},
		{name: "space", in: "fins://x/a b", wantErr: "control character or space"},
		{name: "quote-space", in: `fins://x/" --evil "`, wantErr: "control character or space"},
		{name: "empty", in: "", wantErr: "empty URL"},
		{name: "too-long", in: "https://a.com/" + strings.Repeat("a", pattern.MaxURLLen), wantErr: "longer than"},
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
