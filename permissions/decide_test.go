package permissions

import (
	"bytes"
	"slices"
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
// that the policy named policy sets for each permission (a bare true or
// false: a grant carries the request's constraints).
type owner struct {
	set     map[string]bool
	policy  string
	def     DefaultPermission
	noTrust bool
	// signers are the keys of the owner's trustedSigners; noUserSigner
	// is userSignerTrust disabled, requireBlock
	// promptsRequireTrustedBlock true.
	signers      []string
	noUserSigner bool
	requireBlock bool
}

func (o owner) Policy(e Entry) (Decision, bool) {
	v, ok := o.set[e.Name]
	if !ok {
		return Decision{}, false
	}
	d := Decision{Verdict: grantedIf(v), Source: SourceOwnerSettings, Policy: o.policy}
	if v {
		d.Constraints = e.Constraints
	}
	return d, true
}

func (o owner) DefaultPermission() DefaultPermission { return o.def }

func (o owner) TrustDisabled() bool { return o.noTrust }

func (o owner) TrustedSigner(spki string) bool { return slices.Contains(o.signers, spki) }

func (o owner) UserSignerTrustDisabled() bool { return o.noUserSigner }

func (o owner) PromptsRequireTrustedBlock() bool { return o.requireBlock }

// answers builds stored answers to questions without constraints:
// "name" grants, "name=false" denies.
func answers(names ...string) Answers {
	out := Answers{}
	for _, e := range requested(names...) {
		out[QuestionOf(e.Name, nil)] = e.Enabled
	}
	return out
}

// TestDecide takes each rule of the chain (Decide, then ApplyAnswers with
// the stored answers) in turn, with the rules below it set to say
// otherwise, for a manifest that was strictly fetched and for one that was
// not. (Owner settings files and their policies: package owner's tests.)
func TestDecide(t *testing.T) {
	policy := owner{set: map[string]bool{"System.getCookies": false, "Window.getSnapshot": true}, policy: "acme-tools"}
	for _, tc := range []struct {
		name        string
		req         []Entry
		owner       Owner
		unavailable bool
		trusted     map[string]Entry
		// signer is the trusted block's signing key ("" for no trusted
		// block); userSigner that the user stored a trust in it.
		signer     string
		userSigner bool
		user       Answers
		want       string
		// relaxed is what the same input decides for a manifest that was
		// not strictly fetched; "" where it is want.
		relaxed string
	}{
		{
			name:        "0-unavailable-denies-everything",
			req:         requested("System.getCookies", "Window.getSnapshot", "System.formatDisk", "webAPIs.geolocation"),
			owner:       owner{set: map[string]bool{"Window.getSnapshot": true}, policy: "p", def: Allow},
			unavailable: true,
			trusted:     grants("System.getCookies"),
			user:        answers("webAPIs.geolocation"),
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
			user:    answers("System.formatDisk"),
			want:    "System.formatDisk=denied/unknown-permission System.getCookies=granted/desktop-owner-default",
			relaxed: "System.formatDisk=denied/unknown-permission System.getCookies=prompt/default",
		},
		{
			name:    "1-owner-policy-beats-trust-and-user",
			req:     requested("System.getCookies", "Window.getSnapshot"),
			owner:   policy,
			trusted: grants("System.getCookies"),
			user:    answers("System.getCookies", "Window.getSnapshot=false"),
			want:    "System.getCookies=denied/desktop-owner-settings/acme-tools Window.getSnapshot=granted/desktop-owner-settings/acme-tools",
			relaxed: "System.getCookies=denied/desktop-owner-settings/acme-tools Window.getSnapshot=denied/user",
		},
		{
			name:    "1-owner-policy-beats-owner-default",
			req:     requested("System.getCookies", "Window.getSnapshot"),
			owner:   owner{set: policy.set, policy: "default", def: Deny},
			trusted: grants("System.getCookies"),
			want:    "System.getCookies=denied/desktop-owner-settings/default Window.getSnapshot=granted/desktop-owner-settings/default",
			relaxed: "System.getCookies=denied/desktop-owner-settings/default Window.getSnapshot=denied/desktop-owner-default",
		},
		{
			name:    "1-owner-policy-grant-unauthenticated-prompts",
			req:     requested("Window.getSnapshot"),
			owner:   policy,
			user:    answers("Window.getSnapshot"),
			want:    "Window.getSnapshot=granted/desktop-owner-settings/acme-tools",
			relaxed: "Window.getSnapshot=prompt/default",
		},
		{
			name:    "3-trust-grants-beats-user-and-owner-default",
			req:     requested("System.getCookies", "Window.getSnapshot"),
			owner:   owner{def: Deny},
			trusted: grants("System.getCookies"),
			user:    answers("System.getCookies=false"),
			want:    "System.getCookies=granted/trusted-app-configs Window.getSnapshot=denied/desktop-owner-default",
			relaxed: "System.getCookies=denied/user Window.getSnapshot=denied/desktop-owner-default",
		},
		{
			name:    "3-trust-false-does-not-decide",
			req:     requested("System.getCookies"),
			trusted: grants("System.getCookies=false"),
			user:    answers("System.getCookies"),
			want:    "System.getCookies=granted/user",
			relaxed: "System.getCookies=prompt/default",
		},
		{
			name:    "3-trust-grants-only-what-is-requested",
			req:     requested("System.getCookies", "System.clearCache=false"),
			trusted: grants("System.getCookies", "System.clearCache", "Window.getSnapshot"),
			want:    "System.getCookies=granted/trusted-app-configs",
			relaxed: "System.getCookies=prompt/default",
		},
		{
			name:    "3-owner-disabled-trust",
			req:     requested("System.getCookies"),
			owner:   owner{noTrust: true},
			trusted: grants("System.getCookies"),
			want:    "System.getCookies=prompt/default",
		},
		{
			name:  "4-stored-denial-beats-owner-default-allow",
			req:   requested("System.getCookies", "Window.getSnapshot", "webAPIs.geolocation"),
			owner: owner{def: Allow},
			user:  answers("System.getCookies", "Window.getSnapshot=false"),
			want:  "System.getCookies=granted/desktop-owner-default Window.getSnapshot=denied/user webAPIs.geolocation=granted/desktop-owner-default",
			// An allow counts as a prompt, a stored grant not at all.
			relaxed: "System.getCookies=prompt/default Window.getSnapshot=denied/user webAPIs.geolocation=prompt/default",
		},
		{
			name:  "5-owner-default-deny-beats-stored-grant",
			req:   requested("System.getCookies", "webAPIs.notifications"),
			owner: owner{def: Deny},
			user:  answers("System.getCookies"),
			want:  "System.getCookies=denied/desktop-owner-default webAPIs.notifications=denied/desktop-owner-default",
		},
		{
			name:    "6-user-answers-without-owner",
			req:     requested("System.getCookies", "Window.getSnapshot", "webAPIs.geolocation"),
			user:    answers("System.getCookies", "Window.getSnapshot=false", "System.clearCache"),
			want:    "System.getCookies=granted/user Window.getSnapshot=denied/user webAPIs.geolocation=prompt/default",
			relaxed: "System.getCookies=prompt/default Window.getSnapshot=denied/user webAPIs.geolocation=prompt/default",
		},
		{
			name:    "5-prompts-require-trusted-block-deny-prompts-and-stored-grants",
			req:     requested("System.getCookies", "Window.getSnapshot", "webAPIs.geolocation"),
			owner:   owner{requireBlock: true},
			user:    answers("System.getCookies", "Window.getSnapshot=false"),
			want:    "System.getCookies=denied/desktop-owner-default Window.getSnapshot=denied/user webAPIs.geolocation=denied/desktop-owner-default",
			relaxed: "",
		},
		{
			name:    "5-prompts-require-trusted-block-with-one",
			req:     requested("System.getCookies"),
			owner:   owner{requireBlock: true},
			signer:  key,
			want:    "System.getCookies=prompt/default",
			relaxed: "System.getCookies=denied/desktop-owner-default",
		},
		{
			name:    "5-prompts-require-trusted-block-owner-allow-still-grants",
			req:     requested("System.getCookies"),
			owner:   owner{requireBlock: true, def: Allow},
			want:    "System.getCookies=granted/desktop-owner-default",
			relaxed: "System.getCookies=denied/desktop-owner-default",
		},
		{
			name:       "6-user-signer-answers-after-stored-answers",
			req:        requested("System.getCookies", "Window.getSnapshot", "webAPIs.geolocation"),
			signer:     key,
			userSigner: true,
			trusted:    grants("System.clearCache"),
			user:       answers("Window.getSnapshot=false", "webAPIs.geolocation"),
			want:       "System.getCookies=granted/user-signer Window.getSnapshot=denied/user webAPIs.geolocation=granted/user",
			relaxed:    "System.getCookies=prompt/default Window.getSnapshot=denied/user webAPIs.geolocation=prompt/default",
		},
		{
			name:       "6-user-signer-after-owner-policy-and-default",
			req:        requested("System.getCookies", "Window.getSnapshot", "webAPIs.geolocation"),
			owner:      owner{set: map[string]bool{"System.getCookies": false}, policy: "p", def: Deny},
			signer:     key,
			userSigner: true,
			want:       "System.getCookies=denied/desktop-owner-settings/p Window.getSnapshot=denied/desktop-owner-default webAPIs.geolocation=denied/desktop-owner-default",
		},
		{
			name:       "6-user-signer-needs-a-trusted-block",
			req:        requested("System.getCookies"),
			userSigner: true,
			want:       "System.getCookies=prompt/default",
		},
		{
			name:       "6-user-signer-disabled-by-owner",
			req:        requested("System.getCookies"),
			owner:      owner{noUserSigner: true},
			signer:     key,
			userSigner: true,
			want:       "System.getCookies=prompt/default",
		},
		{
			name:       "6-user-signer-trust-disabled-by-owner",
			req:        requested("System.getCookies"),
			owner:      owner{noTrust: true},
			signer:     key,
			userSigner: true,
			want:       "System.getCookies=prompt/default",
		},
		{
			name:    "6-owner-signer-after-stored-answers",
			req:     requested("System.getCookies", "Window.getSnapshot"),
			owner:   owner{signers: []string{key}, noUserSigner: true},
			signer:  key,
			user:    answers("Window.getSnapshot=false"),
			want:    "System.getCookies=granted/desktop-owner-signer Window.getSnapshot=denied/user",
			relaxed: "System.getCookies=prompt/default Window.getSnapshot=denied/user",
		},
		{
			name:   "6-owner-signer-other-key",
			req:    requested("System.getCookies"),
			owner:  owner{signers: []string{key}},
			signer: strings.Repeat("0", 64),
			want:   "System.getCookies=prompt/default",
		},
		{
			name:    "6-owner-signer-after-owner-default",
			req:     requested("System.getCookies"),
			owner:   owner{signers: []string{key}, def: Deny},
			signer:  key,
			want:    "System.getCookies=denied/desktop-owner-default",
			relaxed: "",
		},
		{
			name:  "7-owner-without-default-prompts",
			req:   requested("webAPIs.notifications", "System.getCookies"),
			owner: policy,
			want:  "System.getCookies=denied/desktop-owner-settings/acme-tools webAPIs.notifications=prompt/default",
		},
		{
			name: "7-nothing-prompts",
			req:  requested("System.getCookies", "Window.getSnapshot"),
			want: "System.getCookies=prompt/default Window.getSnapshot=prompt/default",
		},
		{
			name:  "not-requested-not-decided",
			req:   requested("System.clearCache=false"),
			owner: owner{set: map[string]bool{"System.clearCache": true}, policy: "p", def: Allow},
			user:  answers("System.clearCache"),
			want:  "",
		},
	} {
		for _, authenticated := range []bool{true, false} {
			want, name := tc.want, tc.name
			if !authenticated {
				name += "/unauthenticated"
				if tc.relaxed != "" {
					want = tc.relaxed
				}
			}
			t.Run(name, func(t *testing.T) {
				in := Input{
					Requested:        tc.req,
					URL:              "https://apps.example.com/app.json",
					Authenticated:    authenticated,
					Owner:            tc.owner,
					OwnerUnavailable: tc.unavailable,
					Trusted:          tc.trusted,
					SignerSPKI:       tc.signer,
				}
				got := Decide(in)
				// As the launcher's user side does: a stored signer
				// trust counts only where the decider says it may.
				ApplyAnswers(got, Stored{Answers: tc.user, SignerTrusted: tc.userSigner && in.UserSignerTrust()}, authenticated)
				if s := show(got); s != want {
					t.Errorf("got  %s\nwant %s", s, want)
				}
			})
		}
	}
}

// TestDecideConstraintsOfTheRuleThatGranted: a grant carries the
// constraints of the rule that granted: a block's as signed, never the
// manifest's; the manifest's for the owner's default, a stored answer and
// a prompt.
func TestDecideConstraintsOfTheRuleThatGranted(t *testing.T) {
	signed := jsontext.Value(`{"enabled": true, "registryKeys": ["HKEY_CURRENT_USER\\Software\\Acme"]}`)
	asked := jsontext.Value(`{"enabled": true, "registryKeys": ["HKEY_LOCAL_MACHINE\\SAM"]}`)
	for _, tc := range []struct {
		name    string
		req     jsontext.Value
		owner   Owner
		trusted jsontext.Value
		stored  bool
		want    Decision
	}{
		{name: "block-signed-other-keys", req: asked, trusted: signed, want: Decision{Verdict: Granted, Source: SourceTrusted, Constraints: signed}},
		{name: "block-signed-keys-manifest-none", trusted: signed, want: Decision{Verdict: Granted, Source: SourceTrusted, Constraints: signed}},
		{name: "block-signed-none-manifest-keys", req: asked, trusted: nil, want: Decision{Verdict: Granted, Source: SourceTrusted}},
		{name: "owner-default", req: asked, owner: owner{def: Allow}, want: Decision{Verdict: Granted, Source: SourceOwnerDefault, Constraints: asked}},
		{name: "stored-answer", req: asked, stored: true, want: Decision{Verdict: Granted, Source: SourceUser, Constraints: asked}},
		{name: "prompt", req: asked, want: Decision{Verdict: Prompt, Source: SourceDefault, Constraints: asked}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Requested: []Entry{{Name: "System.readRegistryValue", Enabled: true, Constraints: tc.req}}, Authenticated: true, Owner: tc.owner}
			if tc.trusted != nil || strings.HasPrefix(tc.name, "block") {
				in.Trusted = map[string]Entry{"System.readRegistryValue": {Name: "System.readRegistryValue", Enabled: true, Constraints: tc.trusted}}
			}
			got := Decide(in)
			if tc.stored {
				ApplyAnswers(got, Stored{Answers: Answers{QuestionOf("System.readRegistryValue", tc.req): true}}, true)
			}
			d := got["System.readRegistryValue"]
			if d.Verdict != tc.want.Verdict || d.Source != tc.want.Source || !bytes.Equal(d.Constraints, tc.want.Constraints) {
				t.Errorf("got %s (%s) with %s, want %s (%s) with %s", d.Verdict, d.Source, d.Constraints, tc.want.Verdict, tc.want.Source, tc.want.Constraints)
			}
		})
	}
}

// TestStoredAnswerHoldsForItsConstraints: an answer holds only for the
// constraints the user was shown: another set asks again; the same set
// written otherwise (spacing, key order) does not.
func TestStoredAnswerHoldsForItsConstraints(t *testing.T) {
	shown := jsontext.Value(`{"enabled":true,"registryKeys":["HKEY_CURRENT_USER\\Software\\Acme"]}`)
	stored := Answers{QuestionOf("System.readRegistryValue", shown): true}
	for _, tc := range []struct {
		name string
		req  jsontext.Value
		want Verdict
	}{
		{"the-same", shown, Granted},
		{"the-same-written-otherwise", jsontext.Value(`{ "registryKeys": [ "HKEY_CURRENT_USER\\Software\\Acme" ], "enabled": true }`), Granted},
		{"other-keys", jsontext.Value(`{"enabled":true,"registryKeys":["HKEY_LOCAL_MACHINE\\SAM"]}`), Prompt},
		{"no-constraints", nil, Prompt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Decide(Input{Requested: []Entry{{Name: "System.readRegistryValue", Enabled: true, Constraints: tc.req}}, Authenticated: true})
			ApplyAnswers(got, Stored{Answers: stored}, true)
			if d := got["System.readRegistryValue"]; d.Verdict != tc.want {
				t.Errorf("got %s (%s), want %s", d.Verdict, d.Source, tc.want)
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

// TestApplyAnswersTwice: applying the answers again changes nothing more,
// and the constraints of the request stay.
func TestApplyAnswersTwice(t *testing.T) {
	constraints := jsontext.Value(`{"enabled":true,"registryKeys":["HKEY_CURRENT_USER\\Software\\Acme"]}`)
	req := []Entry{
		{Name: "System.clearCache", Enabled: true},
		{Name: "System.getProcessList", Enabled: true},
		{Name: "System.readRegistryValue", Enabled: true, Constraints: constraints},
	}
	got := Decide(Input{Requested: req, Authenticated: true})
	ApplyAnswers(got, Stored{Answers: Answers{QuestionOf("System.clearCache", nil): true, QuestionOf("System.readRegistryValue", constraints): false}}, true)
	once := show(got)
	if want := "System.clearCache=granted/user System.getProcessList=prompt/default System.readRegistryValue=denied/user"; once != want {
		t.Fatalf("got  %s\nwant %s", once, want)
	}
	ApplyAnswers(got, Stored{Answers: Answers{QuestionOf("System.clearCache", nil): false, QuestionOf("System.readRegistryValue", constraints): true}}, true)
	if twice := show(got); twice != once {
		t.Errorf("got %s after a second application, want the first's %s", twice, once)
	}
	if c := got["System.readRegistryValue"].Constraints; !bytes.Equal(c, constraints) {
		t.Errorf("got constraints %s, want the request's %s kept", c, constraints)
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
		Requested:     req,
		URL:           "https://apps.acme.com/app.json",
		Authenticated: true,
		Trusted:       map[string]Entry{"System.readRegistryValue": {Name: "System.readRegistryValue", Enabled: true, Constraints: constraints}},
		Log:           zerolog.New(&logs),
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
