package permissions

import (
	"bytes"
	"sort"
	"strings"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/rs/zerolog"
)

// requested builds the entries a manifest requests: "name" or "name=false"
// for an entry that is present but not enabled.
func requested(names ...string) []Entry {
	var out []Entry
	for _, n := range names {
		name, off := strings.CutSuffix(n, "=false")
		out = append(out, Entry{Name: name, Enabled: !off})
	}
	return out
}

// grants builds a trusted block's entries, as requested does.
func grants(names ...string) map[string]Entry {
	out := map[string]Entry{}
	for _, e := range requested(names...) {
		out[e.Name] = e
	}
	return out
}

// show renders decisions as "name=verdict/source" (and "/policy" where a
// policy decided) in name order.
func show(ds map[string]Decision) string {
	var out []string
	for n, d := range ds {
		s := n + "=" + d.Verdict.String() + "/" + string(d.Source)
		if d.Policy != "" {
			s += "/" + d.Policy
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// owner is an Owner that says what its fields say: set holds the value
// that the policy named policy sets for each permission.
type owner struct {
	set     map[string]bool
	policy  string
	def     DefaultPermission
	noTrust bool
}

func (o owner) Policy(name string) (bool, string, bool) {
	v, ok := o.set[name]
	if !ok {
		return false, "", false
	}
	return v, o.policy, true
}

func (o owner) DefaultPermission() DefaultPermission { return o.def }

func (o owner) TrustDisabled() bool { return o.noTrust }

// TestDecide takes each rule of Decide's chain in turn, with the rules
// below it set to say otherwise. (Owner settings files and their
// policies: package owner's tests.)
func TestDecide(t *testing.T) {
	policy := owner{set: map[string]bool{"System.getCookies": false, "Window.getSnapshot": true}, policy: "acme-tools"}
	for _, tc := range []struct {
		name        string
		req         []Entry
		owner       Owner
		unavailable bool
		trusted     map[string]Entry
		user        Answers
		want        string
	}{
		{
			name:        "0-unavailable-denies-everything",
			req:         requested("System.getCookies", "Window.getSnapshot", "System.formatDisk", "webAPIs.geolocation"),
			owner:       owner{set: map[string]bool{"Window.getSnapshot": true}, policy: "p", def: Allow},
			unavailable: true,
			trusted:     grants("System.getCookies"),
			user:        Answers{"webAPIs.geolocation": true},
			want:        "System.formatDisk=denied/desktop-owner-settings-unavailable System.getCookies=denied/desktop-owner-settings-unavailable Window.getSnapshot=denied/desktop-owner-settings-unavailable webAPIs.geolocation=denied/desktop-owner-settings-unavailable",
		},
		{
			name:        "0-unavailable-without-owner",
			req:         requested("System.getCookies"),
			unavailable: true,
			want:        "System.getCookies=denied/desktop-owner-settings-unavailable",
		},
		{
			name:    "0-unknown-never-granted",
			req:     requested("System.formatDisk", "System.getCookies"),
			owner:   owner{set: map[string]bool{"System.formatDisk": true}, policy: "p", def: Allow},
			trusted: grants("System.formatDisk"),
			user:    Answers{"System.formatDisk": true},
			want:    "System.formatDisk=denied/unknown-permission System.getCookies=granted/desktop-owner-default",
		},
		{
			name:    "1-owner-policy-beats-trust-and-user",
			req:     requested("System.getCookies", "Window.getSnapshot"),
			owner:   policy,
			trusted: grants("System.getCookies"),
			user:    Answers{"System.getCookies": true, "Window.getSnapshot": false},
			want:    "System.getCookies=denied/desktop-owner-settings/acme-tools Window.getSnapshot=granted/desktop-owner-settings/acme-tools",
		},
		{
			name:    "1-owner-policy-beats-owner-default",
			req:     requested("System.getCookies", "Window.getSnapshot"),
			owner:   owner{set: policy.set, policy: "default", def: Deny},
			trusted: grants("System.getCookies"),
			want:    "System.getCookies=denied/desktop-owner-settings/default Window.getSnapshot=granted/desktop-owner-settings/default",
		},
		{
			name:    "2-trust-grants-beats-user-and-owner-default",
			req:     requested("System.getCookies", "Window.getSnapshot"),
			owner:   owner{def: Deny},
			trusted: grants("System.getCookies"),
			user:    Answers{"System.getCookies": false},
			want:    "System.getCookies=granted/trusted-app-configs Window.getSnapshot=denied/desktop-owner-default",
		},
		{
			name:    "2-trust-false-does-not-decide",
			req:     requested("System.getCookies"),
			trusted: grants("System.getCookies=false"),
			user:    Answers{"System.getCookies": true},
			want:    "System.getCookies=granted/user",
		},
		{
			name:    "2-trust-grants-only-what-is-requested",
			req:     requested("System.getCookies", "System.clearCache=false"),
			trusted: grants("System.getCookies", "System.clearCache", "Window.getSnapshot"),
			want:    "System.getCookies=granted/trusted-app-configs",
		},
		{
			name:    "2-owner-disabled-trust",
			req:     requested("System.getCookies"),
			owner:   owner{noTrust: true},
			trusted: grants("System.getCookies"),
			want:    "System.getCookies=prompt/default",
		},
		{
			name:  "3-user-answers-beat-owner-default",
			req:   requested("System.getCookies", "Window.getSnapshot", "webAPIs.geolocation"),
			owner: owner{def: Allow},
			user:  Answers{"System.getCookies": true, "Window.getSnapshot": false},
			want:  "System.getCookies=granted/user Window.getSnapshot=denied/user webAPIs.geolocation=granted/desktop-owner-default",
		},
		{
			name: "3-user-answers-without-owner",
			req:  requested("System.getCookies", "Window.getSnapshot", "webAPIs.geolocation"),
			user: Answers{"System.getCookies": true, "Window.getSnapshot": false, "System.clearCache": true},
			want: "System.getCookies=granted/user Window.getSnapshot=denied/user webAPIs.geolocation=prompt/default",
		},
		{
			name:  "3-owner-default-deny",
			req:   requested("webAPIs.notifications"),
			owner: owner{def: Deny},
			want:  "webAPIs.notifications=denied/desktop-owner-default",
		},
		{
			name:  "3-owner-default-allow",
			req:   requested("webAPIs.notifications"),
			owner: owner{def: Allow},
			want:  "webAPIs.notifications=granted/desktop-owner-default",
		},
		{
			name:  "3-owner-without-default-prompts",
			req:   requested("webAPIs.notifications", "System.getCookies"),
			owner: policy,
			want:  "System.getCookies=denied/desktop-owner-settings/acme-tools webAPIs.notifications=prompt/default",
		},
		{
			name: "3-nothing-prompts",
			req:  requested("System.getCookies", "Window.getSnapshot"),
			want: "System.getCookies=prompt/default Window.getSnapshot=prompt/default",
		},
		{
			name:  "not-requested-not-decided",
			req:   requested("System.clearCache=false"),
			owner: owner{set: map[string]bool{"System.clearCache": true}, policy: "p", def: Allow},
			user:  Answers{"System.clearCache": true},
			want:  "",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Decide(Input{
				Requested:        tc.req,
				URL:              "https://apps.example.com/app.json",
				Owner:            tc.owner,
				OwnerUnavailable: tc.unavailable,
				Trusted:          tc.trusted,
				Answers:          tc.user,
			})
			if s := show(got); s != tc.want {
				t.Errorf("got  %s\nwant %s", s, tc.want)
			}
		})
	}
}

func TestDecisionZeroValueDenies(t *testing.T) {
	for _, d := range []Decision{{}, {Verdict: Prompt}, {Verdict: Denied}, {Verdict: Verdict(3)}, {Verdict: Verdict(-1)}, {Source: SourceTrusted}} {
		if d.Granted() {
			t.Errorf("got %+v granted, want denied", d)
		}
	}
	if !(Decision{Verdict: Granted}).Granted() {
		t.Errorf("got granted not granted")
	}
	var zero Verdict
	if zero != Denied || zero.String() != "denied" {
		t.Errorf("got zero verdict %d (%s), want denied", zero, zero)
	}
}

func TestVerdictText(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    Verdict
		want string
	}{
		{"zero", Verdict(0), "denied"},
		{"denied", Denied, "denied"},
		{"granted", Granted, "granted"},
		{"prompt", Prompt, "prompt"},
		{"out-of-range", Verdict(3), "denied"},
		{"negative", Verdict(-1), "denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.v.MarshalText()
			if err != nil || string(b) != tc.want || tc.v.String() != tc.want {
				t.Errorf("got %q (%v), String %q, want %q", b, err, tc.v, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name, text string
		want       Verdict
		ok         bool
	}{
		{"granted", "granted", Granted, true},
		{"denied", "denied", Denied, true},
		{"prompt", "prompt", Prompt, true},
		{"upper-case", "GRANTED", 0, false},
		{"trailing-space", "granted ", 0, false},
		{"leading-space", " denied", 0, false},
		{"empty", "", 0, false},
		{"number", "1", 0, false},
		{"other-word", "allow", 0, false},
		{"quoted", `"granted"`, 0, false},
	} {
		t.Run("unmarshal-"+tc.name, func(t *testing.T) {
			v := Verdict(7) // a refusal leaves it as it was
			err := v.UnmarshalText([]byte(tc.text))
			switch {
			case tc.ok && (err != nil || v != tc.want):
				t.Errorf("got %s (%v), want %s", v, err, tc.want)
			case !tc.ok && (err == nil || v != Verdict(7)):
				t.Errorf("got %d, error %v, want an error and the verdict untouched", v, err)
			case !tc.ok && !strings.HasPrefix(err.Error(), "permissions: verdict "):
				t.Errorf("got error %q, want a permissions: verdict error", err)
			}
		})
	}
	// As JSON, in a decision.
	var d Decision
	if err := json.Unmarshal([]byte(`{"decision": "grant", "source": "user"}`), &d); err == nil || d.Granted() {
		t.Errorf("got %+v (%v) from an unknown verdict, want an error and no grant", d, err)
	}
	if err := json.Unmarshal([]byte(`{"decision": "granted", "source": "user"}`), &d); err != nil || !d.Granted() || d.Source != SourceUser {
		t.Errorf("got %+v (%v), want granted by the user", d, err)
	}
	if b, err := json.Marshal(Decision{}); err != nil || string(b) != `{"decision":"denied","source":""}` {
		t.Errorf("got %s (%v), want the zero decision written as denied", b, err)
	}
}

// TestApplyAnswers: a decision that a service made without the user's
// answers, with the answers applied as the client does, is the one that
// Decide makes with them.
func TestApplyAnswers(t *testing.T) {
	constraints := jsontext.Value(`{"enabled":true,"registryKeys":["HKEY_CURRENT_USER\\Software\\Acme"]}`)
	req := []Entry{
		{Name: "System.clearCache", Enabled: true},
		{Name: "System.getCookies", Enabled: true},
		{Name: "System.getProcessList", Enabled: true},
		{Name: "System.readRegistryValue", Enabled: true, Constraints: constraints},
		{Name: "Window.getSnapshot", Enabled: true},
		{Name: "System.formatDisk", Enabled: true},
	}
	all := Answers{
		"System.clearCache": true, "System.getCookies": false, "System.getProcessList": true,
		"System.readRegistryValue": true, "Window.getSnapshot": false, "System.formatDisk": true,
	}
	for _, tc := range []struct {
		name        string
		owner       Owner
		unavailable bool
		trusted     map[string]Entry
		answers     Answers
		want        string
	}{
		{
			name:    "prompts-answered",
			answers: all,
			want:    "System.clearCache=granted/user System.formatDisk=denied/unknown-permission System.getCookies=denied/user System.getProcessList=granted/user System.readRegistryValue=granted/user Window.getSnapshot=denied/user",
		},
		{
			name:    "prompts-unanswered",
			answers: Answers{"System.getCookies": true},
			want:    "System.clearCache=prompt/default System.formatDisk=denied/unknown-permission System.getCookies=granted/user System.getProcessList=prompt/default System.readRegistryValue=prompt/default Window.getSnapshot=prompt/default",
		},
		{
			name:    "owner-default-allow-answered",
			owner:   owner{def: Allow},
			answers: Answers{"System.getCookies": false, "System.clearCache": true},
			want:    "System.clearCache=granted/user System.formatDisk=denied/unknown-permission System.getCookies=denied/user System.getProcessList=granted/desktop-owner-default System.readRegistryValue=granted/desktop-owner-default Window.getSnapshot=granted/desktop-owner-default",
		},
		{
			name:    "owner-default-deny-answered",
			owner:   owner{def: Deny},
			answers: Answers{"System.getCookies": true},
			want:    "System.clearCache=denied/desktop-owner-default System.formatDisk=denied/unknown-permission System.getCookies=granted/user System.getProcessList=denied/desktop-owner-default System.readRegistryValue=denied/desktop-owner-default Window.getSnapshot=denied/desktop-owner-default",
		},
		{
			name:    "policies-and-trust-stand",
			owner:   owner{set: map[string]bool{"System.getCookies": true, "Window.getSnapshot": false}, policy: "p"},
			trusted: grants("System.getProcessList"),
			answers: all,
			want:    "System.clearCache=granted/user System.formatDisk=denied/unknown-permission System.getCookies=granted/desktop-owner-settings/p System.getProcessList=granted/trusted-app-configs System.readRegistryValue=granted/user Window.getSnapshot=denied/desktop-owner-settings/p",
		},
		{
			name:        "unavailable-stands",
			unavailable: true,
			answers:     all,
			want:        "System.clearCache=denied/desktop-owner-settings-unavailable System.formatDisk=denied/desktop-owner-settings-unavailable System.getCookies=denied/desktop-owner-settings-unavailable System.getProcessList=denied/desktop-owner-settings-unavailable System.readRegistryValue=denied/desktop-owner-settings-unavailable Window.getSnapshot=denied/desktop-owner-settings-unavailable",
		},
		{
			name: "no-answers",
			want: "System.clearCache=prompt/default System.formatDisk=denied/unknown-permission System.getCookies=prompt/default System.getProcessList=prompt/default System.readRegistryValue=prompt/default Window.getSnapshot=prompt/default",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Requested: req, Owner: tc.owner, OwnerUnavailable: tc.unavailable, Trusted: tc.trusted}
			got := Decide(in) // the service's, without answers
			ApplyAnswers(got, tc.answers)
			if s := show(got); s != tc.want {
				t.Errorf("got  %s\nwant %s", s, tc.want)
			}
			in.Answers = tc.answers
			if direct := show(Decide(in)); direct != tc.want {
				t.Errorf("Decide with the answers: got  %s\nwant %s", direct, tc.want)
			}
			if c := got["System.readRegistryValue"].Constraints; !bytes.Equal(c, constraints) {
				t.Errorf("got constraints %s, want the request's %s kept", c, constraints)
			}
		})
	}
	// Applying them twice changes nothing more.
	got := Decide(Input{Requested: req, Owner: owner{def: Allow}})
	ApplyAnswers(got, all)
	once := show(got)
	ApplyAnswers(got, Answers{"System.getProcessList": false})
	if twice := show(got); twice != once {
		t.Errorf("got %s after a second application, want the first's %s", twice, once)
	}
}

func TestDecisionAnswer(t *testing.T) {
	constraints := jsontext.Value(`{"enabled":true,"x":1}`)
	prompt := Decision{Verdict: Prompt, Source: SourceDefault, Policy: "p", Constraints: constraints}
	for _, tc := range []struct {
		granted bool
		want    Verdict
	}{{true, Granted}, {false, Denied}} {
		d := prompt.Answer(tc.granted)
		if d.Verdict != tc.want || d.Source != SourceUser || d.Policy != "" || !bytes.Equal(d.Constraints, constraints) {
			t.Errorf("Answer(%v): got %+v, want %s by the user with the constraints kept", tc.granted, d, tc.want)
		}
	}
	if prompt.Verdict != Prompt {
		t.Errorf("Answer changed the decision it was called on")
	}
}

func TestDecideConstraintsAndDocument(t *testing.T) {
	constraints := jsontext.Value(`{"enabled":true,"registryKeys":["HKEY_CURRENT_USER\\Software\\Acme"]}`)
	req := []Entry{
		{Name: "System.readRegistryValue", Enabled: true, Constraints: constraints},
		{Name: "Window.getSnapshot", Enabled: true},
		{Name: "System.readRegistryValue", Enabled: true, Constraints: jsontext.Value(`{"enabled":true}`)},
	}
	var logs bytes.Buffer
	got := Decide(Input{
		Requested: req,
		URL:       "https://apps.acme.com/app.json",
		Trusted:   grants("System.readRegistryValue"),
		Log:       zerolog.New(&logs),
	})
	b, err := json.Marshal(got, json.Deterministic(true))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"System.readRegistryValue":{"decision":"granted","source":"trusted-app-configs","constraints":{"enabled":true,"registryKeys":["HKEY_CURRENT_USER\\Software\\Acme"]}},"Window.getSnapshot":{"decision":"prompt","source":"default"}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"permission":"System.readRegistryValue","decision":"granted","source":"trusted-app-configs"`) ||
		!strings.Contains(lines[0], `"url":"https://apps.acme.com/app.json"`) {
		t.Errorf("got log %q, want one line a decision, with its URL and source", logs.String())
	}
}
