package fetch

import (
	"strings"
	"testing"
)

func TestParseResolve(t *testing.T) {
	tests := []struct {
		name, in, from, to, wantErr string
	}{
		{name: "ipv4", in: "apps.acme.com:443:127.0.0.1", from: "apps.acme.com:443", to: "127.0.0.1:443"},
		{name: "ipv6-addr", in: "apps.acme.com:8443:[::1]", from: "apps.acme.com:8443", to: "[::1]:8443"},
		{name: "host-case", in: "Apps.Acme.COM:443:127.0.0.1", from: "apps.acme.com:443", to: "127.0.0.1:443"},
		{name: "missing-addr", in: "apps.acme.com:443", wantErr: "want HOST:PORT:ADDR"},
		{name: "bad-port", in: "apps.acme.com:x:127.0.0.1", wantErr: "port"},
		{name: "port-zero", in: "apps.acme.com:0:127.0.0.1", wantErr: "port"},
		{name: "addr-not-ip", in: "apps.acme.com:443:evil.com", wantErr: "not an IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to, err := ParseResolve(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || from != tt.from || to != tt.to {
				t.Fatalf("got %q -> %q (%v), want %q -> %q", from, to, err, tt.from, tt.to)
			}
		})
	}
}
