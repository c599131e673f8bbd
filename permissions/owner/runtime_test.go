package owner

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestAllowsRuntime: each runtime rule as an owner writes it, against the
// versions a launch may meet.
func TestAllowsRuntime(t *testing.T) {
	for _, tt := range []struct {
		name, desktop string
		version       string
		want          bool
		reason        string
	}{
		{"no-rules", `{}`, "38.1.0.0", true, ""},
		{"allowed-wildcard", `{"allowedRuntimeVersions": ["38.126.*"]}`, "38.126.82.64", true, ""},
		{"allowed-exact", `{"allowedRuntimeVersions": ["38.126.*", "39.0.0.1"]}`, "39.0.0.1", true, ""},
		{"not-allowed", `{"allowedRuntimeVersions": ["38.126.*", "39.0.0.1"]}`, "39.0.0.2", false, `39.0.0.2 is not in allowedRuntimeVersions ("38.126.*", "39.0.0.1")`},
		{"wildcard-needs-one-more-number", `{"allowedRuntimeVersions": ["38.126.*"]}`, "38.126", false, "not in allowedRuntimeVersions"},
		{"allowed-empty", `{"allowedRuntimeVersions": []}`, "38.1.0.0", false, "38.1.0.0 is not in allowedRuntimeVersions, which is empty"},
		{"allowed-any", `{"allowedRuntimeVersions": ["*"]}`, "1", true, ""},
		{"blocked", `{"blockedRuntimeVersions": ["38.126.80.*"]}`, "38.126.80.3", false, `38.126.80.3 is in blockedRuntimeVersions ("38.126.80.*")`},
		{"blocked-other", `{"blockedRuntimeVersions": ["38.126.80.*"]}`, "38.126.81.3", true, ""},
		{"blocked-wins-over-allowed", `{"allowedRuntimeVersions": ["38.*"], "blockedRuntimeVersions": ["38.126.80.3"]}`, "38.126.80.3", false, "blockedRuntimeVersions"},
		{"below-minimum", `{"minimumRuntimeVersion": "38.126.0.0"}`, "38.99.1.1", false, "38.99.1.1 is below minimumRuntimeVersion 38.126.0.0"},
		{"at-minimum", `{"minimumRuntimeVersion": "38.126.0.0"}`, "38.126.0.0", true, ""},
		{"shorter-is-below", `{"minimumRuntimeVersion": "38.126.0"}`, "38.126", false, "below minimumRuntimeVersion"},
		{"minimum-wins-over-allowed", `{"allowedRuntimeVersions": ["*"], "minimumRuntimeVersion": "40"}`, "39.9", false, "below minimumRuntimeVersion 40"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOwner(t, `{"desktopSettings": `+tt.desktop+`}`)
			got, reason := s.AllowsRuntime(tt.version)
			if got != tt.want || !strings.Contains(reason, tt.reason) || got && reason != "" {
				t.Errorf("AllowsRuntime(%s): got %v %q, want %v with %q", tt.version, got, reason, tt.want, tt.reason)
			}
		})
	}
	var none *Settings
	if ok, reason := none.AllowsRuntime("1.0"); !ok || reason != "" {
		t.Errorf("no owner settings: got %v %q, want every version allowed", ok, reason)
	}
}

func TestUnusedRuntimeExpiry(t *testing.T) {
	for _, tt := range []struct {
		name, desktop string
		after         time.Duration
		clean         bool
	}{
		{"absent", `{}`, 0, false},
		{"off", `{"cleanUnusedRuntimes": false, "unusedRuntimeExpirationInMinutes": 5}`, 0, false},
		{"expiration-alone-cleans-nothing", `{"unusedRuntimeExpirationInMinutes": 5}`, 0, false},
		{"default-expiration", `{"cleanUnusedRuntimes": true}`, 30 * 24 * time.Hour, true},
		{"given", `{"cleanUnusedRuntimes": true, "unusedRuntimeExpirationInMinutes": 90}`, 90 * time.Minute, true},
		{"given-first", `{"unusedRuntimeExpirationInMinutes": 90, "cleanUnusedRuntimes": true}`, 90 * time.Minute, true},
		{"zero", `{"cleanUnusedRuntimes": true, "unusedRuntimeExpirationInMinutes": 0}`, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			after, clean := mustOwner(t, `{"desktopSettings": `+tt.desktop+`}`).UnusedRuntimeExpiry()
			if after != tt.after || clean != tt.clean {
				t.Errorf("got %v %v, want %v %v", after, clean, tt.after, tt.clean)
			}
		})
	}
	var none *Settings
	if _, clean := none.UnusedRuntimeExpiry(); clean {
		t.Errorf("no owner settings: got cleaning, want none")
	}
}

func TestRuntimeKeyErrors(t *testing.T) {
	for _, tt := range []struct {
		name, desktop, want string
	}{
		{"allowed-channel", `{"allowedRuntimeVersions": ["38.*", "stable"]}`, `desktopSettings.allowedRuntimeVersions[1]: want a version (38.126.82.64) or a wildcard (38.126.*), got "stable"`},
		{"allowed-null", `{"allowedRuntimeVersions": null}`, `desktopSettings.allowedRuntimeVersions: want an array of strings`},
		{"blocked-number", `{"blockedRuntimeVersions": [38]}`, `desktopSettings.blockedRuntimeVersions[0]: want a string, got a number`},
		{"blocked-leading-zero", `{"blockedRuntimeVersions": ["38.01"]}`, `blockedRuntimeVersions[0]: want a version (38.126.82.64) or a wildcard (38.126.*), got "38.01"`},
		{"minimum-wildcard", `{"minimumRuntimeVersion": "38.*"}`, `desktopSettings.minimumRuntimeVersion: want an exact version (38.126.82.64), got "38.*"`},
		{"minimum-null", `{"minimumRuntimeVersion": null}`, `desktopSettings.minimumRuntimeVersion: want a string`},
		{"clean-string", `{"cleanUnusedRuntimes": "yes"}`, `desktopSettings.cleanUnusedRuntimes: want true or false`},
		{"expiration-negative", `{"unusedRuntimeExpirationInMinutes": -5}`, `desktopSettings.unusedRuntimeExpirationInMinutes: want a whole number of minutes from 0 to 52560000, got "-5"`},
		{"expiration-fraction", `{"unusedRuntimeExpirationInMinutes": 2.5}`, `got "2.5"`},
		{"expiration-exponent", `{"unusedRuntimeExpirationInMinutes": 1e3}`, `got "1e3"`},
		{"expiration-string", `{"unusedRuntimeExpirationInMinutes": "60"}`, `got "\"60\""`},
		{"expiration-too-long", fmt.Sprintf(`{"unusedRuntimeExpirationInMinutes": %d}`, MaxUnusedRuntimeExpiration+1), `got "52560001"`},
		{"expiration-huge", `{"unusedRuntimeExpirationInMinutes": 99999999999999999999999}`, `want a whole number of minutes`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(`{"desktopSettings": `+tt.desktop+`}`), "dos.json")
			if err == nil || !strings.HasPrefix(err.Error(), "owner: desktop owner settings dos.json: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one holding %q", err, tt.want)
			}
		})
	}
}

// TestRuntimeKeyBounds feeds each bound exactly what it allows and one
// more.
func TestRuntimeKeyBounds(t *testing.T) {
	list := func(n int) string {
		v := make([]string, n)
		for i := range v {
			v[i] = fmt.Sprintf(`"38.%d.*"`, i)
		}
		return "[" + strings.Join(v, ",") + "]"
	}
	for _, key := range []string{"allowedRuntimeVersions", "blockedRuntimeVersions"} {
		if _, err := Parse([]byte(fmt.Sprintf(`{"desktopSettings": {%q: %s}}`, key, list(MaxRuntimeVersions))), "dos.json"); err != nil {
			t.Errorf("%s with %d entries: got %v, want no error", key, MaxRuntimeVersions, err)
		}
		_, err := Parse([]byte(fmt.Sprintf(`{"desktopSettings": {%q: %s}}`, key, list(MaxRuntimeVersions+1))), "dos.json")
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%s: more than %d entries", key, MaxRuntimeVersions)) {
			t.Errorf("%s with %d entries: got %v, want an error naming the bound", key, MaxRuntimeVersions+1, err)
		}
	}
	s := mustOwner(t, fmt.Sprintf(`{"desktopSettings": {"cleanUnusedRuntimes": true, "unusedRuntimeExpirationInMinutes": %d}}`, MaxUnusedRuntimeExpiration))
	if after, _ := s.UnusedRuntimeExpiry(); after != MaxUnusedRuntimeExpiration*time.Minute {
		t.Errorf("the longest expiration: got %v", after)
	}
}
