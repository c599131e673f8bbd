package runtime

import "testing"

func TestParseSpec(t *testing.T) {
	tests := []struct {
		name, in      string
		wantErr       bool
		channel       string
		exact         bool
		fits, notFits []string
	}{
		{name: "exact", in: "38.126.82.64", exact: true, fits: []string{"38.126.82.64"}, notFits: []string{"38.126.82", "38.126.82.65"}},
		{name: "wildcard", in: "38.126.*", fits: []string{"38.126.82.64", "38.126.0"}, notFits: []string{"38.126", "38.127.0.0"}},
		{name: "star", in: "*", fits: []string{"1", "38.126.82.64"}, notFits: []string{"x"}},
		{name: "channel", in: "stable-v4", channel: "stable-v4", notFits: []string{"38.126.82.64"}},
		{name: "channel-32", in: "a2345678901234567890123456789012", channel: "a2345678901234567890123456789012"},
		{name: "channel-33", in: "a23456789012345678901234567890123", wantErr: true},
		{name: "channel-upper", in: "Stable", wantErr: true},
		{name: "channel-digit-first", in: "4stable", wantErr: true},
		{name: "leading-zero", in: "38.01", wantErr: true},
		{name: "five-parts", in: "1.2.3.4.5", wantErr: true},
		{name: "empty", in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSpec(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %+v, want an error", s)
				}
				return
			}
			if err != nil || s.Channel != tt.channel || s.IsExact() != tt.exact {
				t.Fatalf("got %+v, %v; want channel %q, exact %v", s, err, tt.channel, tt.exact)
			}
			for _, v := range tt.fits {
				if !s.Fits(v) {
					t.Errorf("got %q not fitting %q, want it to fit", v, tt.in)
				}
			}
			for _, v := range tt.notFits {
				if s.Fits(v) {
					t.Errorf("got %q fitting %q, want it not to", v, tt.in)
				}
			}
		})
	}
	if (Spec{}).Fits("1") {
		t.Error("got the zero Spec fitting 1, want it to fit nothing")
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       int
	}{
		{name: "number-by-number", a: "38.126.82.64", b: "38.99.0.0", want: 1},
		{name: "shorter-below", a: "38.126", b: "38.126.0", want: -1},
		{name: "equal", a: "1.2", b: "1.2", want: 0},
		{name: "invalid-below", a: "x", b: "1", want: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CompareVersions(tt.a, tt.b); got != tt.want {
				t.Fatalf("got %d, want %d", got, tt.want)
			}
		})
	}
}
