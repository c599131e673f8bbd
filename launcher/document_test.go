package launcher_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rvm-launcher/rvm/launcher/launchertest"
)

// TestDocumentShowsNoHiddenCharacters: text from the manifest (here the
// constraints of a request) reaches neither the JSON document nor the
// summary with raw control, bidirectional or other invisible characters;
// the JSON still reads back as the manifest's text.
func TestDocumentShowsNoHiddenCharacters(t *testing.T) {
	w := launchertest.NewWorld(t)
	const note = "evil\u202etxt.exe\u0085\u2066\U000e0041"
	perms := `{"System": {"readRegistryValue": {"enabled": true, "note": "` + note + `", "escape": "\u001b[2J"}}}`
	doc := w.Verify(w.Publish("/blotter/app.json", perms, nil))
	js := doc.JSON()
	for _, r := range []rune{'\u202e', '\u0085', '\u2066', '\U000e0041', '\x1b'} {
		if bytes.ContainsRune(js, r) {
			t.Errorf("the JSON document holds %U raw", r)
		}
	}
	var back struct {
		Permissions map[string]struct{ Constraints struct{ Note string } }
	}
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if got := back.Permissions["System.readRegistryValue"].Constraints.Note; got != note {
		t.Errorf("read back %q, want %q", got, note)
	}
	var summary strings.Builder
	doc.WriteSummary(&summary)
	if strings.ContainsAny(summary.String(), "\u202e\u0085\u2066\x1b") {
		t.Errorf("the summary holds hidden characters raw:\n%q", summary.String())
	}
}

// TestDocumentFields: the document names the manifest's bytes by their
// SHA-256, who decided, the runtime asked for and how it stands, and its
// notices (SPEC 6).
func TestDocumentFields(t *testing.T) {
	w := launchertest.NewWorld(t)
	body := []byte(`{"runtime": {"version": "38.*"}, "startup_app": {"permissions": {"Window": {"getSnapshot": true}}}}`)
	doc := w.Verify(w.Serve("/app.json", body))
	var got map[string]json.RawMessage
	if err := json.Unmarshal(doc.JSON(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"manifestSha256": `"` + sha256Hex(body) + `"`,
		"notices":        `[]`,
	}
	for key, value := range want {
		if string(got[key]) != value {
			t.Errorf("%s: got %s, want %s", key, got[key], value)
		}
	}
	var decidedBy struct{ By, UID string }
	json.Unmarshal(got["decidedBy"], &decidedBy)
	if decidedBy.By != "in-process" || decidedBy.UID == "" {
		t.Errorf("decidedBy: got %s, want in-process with a uid", got["decidedBy"])
	}
	var rt struct{ Requested, Version, State, Reason string }
	json.Unmarshal(got["runtime"], &rt)
	if rt.Requested != "38.*" || rt.State != "missing" || !strings.Contains(rt.Reason, "38.*") {
		t.Errorf("runtime: got %s, want 38.* missing, with the reason", got["runtime"])
	}
	var fetch struct{ Age *int64 }
	json.Unmarshal(got["fetch"], &fetch)
	if fetch.Age == nil || *fetch.Age != 0 {
		t.Errorf("fetch: got %s, want age 0", got["fetch"])
	}
}

// TestDocumentCarriesSettingsNotices: a per-user machine setting that
// cannot apply is ignored with a notice, in `rvm settings` and in every
// decision (SPEC 4).
func TestDocumentCarriesSettingsNotices(t *testing.T) {
	w := launchertest.NewWorld(t)
	w.Settings(`{"RuntimeRepository": "https://runtimes.acme.test/"}`)
	doc := w.Verify(w.Serve("/app.json", []byte(`{}`)))
	if !strings.Contains(strings.Join(doc.Notices, "\n"), "RuntimeRepository") {
		t.Errorf("got notices %q, want one saying the per-user RuntimeRepository is ignored", doc.Notices)
	}
}
