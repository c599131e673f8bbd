package permissions

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/rvm-launcher/rvm/platform/platformtest"
)

// TestMain lets the store tests run this test binary as a child process
// in the roles of storeRoles.
func TestMain(m *testing.M) {
	platformtest.Roles(storeRoles)
	os.Exit(m.Run())
}

// storeRoles are the child programs of the store tests: "write DIR NAME N"
// stores N answers for the manifest URLs https://NAME.example.com/N.json;
// "crash DIR" starts to store an answer, writes half of the new file to a
// temporary file beside the store, prints "written" and sleeps until it is
// killed, never reaching the rename.
var storeRoles = map[string]func(args []string) int{
	"write": func(args []string) int {
		n, _ := strconv.Atoi(args[2])
		s := OpenStore(args[0], user)
		for i := range n {
			if err := s.Set(fmt.Sprintf("https://%s.example.com/%d.json", args[1], i), "System.getCookies", nil, i%2 == 0, ""); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		return 0
	},
	"crash": func(args []string) int {
		writeFile = func(path string, data []byte, perm os.FileMode) error {
			f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
			if err != nil {
				return err
			}
			f.Write(data[:len(data)/2])
			f.Sync()
			fmt.Println("written")
			time.Sleep(time.Hour)
			return nil
		}
		OpenStore(args[0], user).Set("https://crash.example.com/app.json", "System.getCookies", nil, true, "")
		return 1
	},
}

// user is the user id of the stores of these tests.
const user = "1000"

// key is a signing key (the SHA-256 of a SubjectPublicKeyInfo) of these
// tests.
const key = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// signer is a signers entry of a store file.
func signer(user, spki string, trusted bool) string {
	return fmt.Sprintf(`{"user": %q, "spki": %q, "name": "Acme Corp", "trusted": %v}`, user, spki, trusted)
}

// none is the SHA-256 of no constraints.
const none = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// answer reports the stored answer for the manifest URL and permission
// without constraints, and whether there is one.
func answer(s *Store, url, permission string) (granted, ok bool, err error) {
	stored, err := s.Stored(url, "")
	granted, ok = stored.Answers[QuestionOf(permission, nil)]
	return granted, ok, err
}

func TestStore(t *testing.T) {
	s := OpenStore(t.TempDir(), user)
	const a, b = "https://a.example.com/app.json", "https://b.example.com/app.json"
	if got, err := s.List(); err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v from a new store, want nothing", got, err)
	}
	if _, ok, err := answer(s, a, "System.getCookies"); ok || err != nil {
		t.Fatalf("got an answer (%v) from a new store, want none", err)
	}
	for _, c := range []struct {
		url, perm string
		granted   bool
	}{
		{b, "Window.getSnapshot", true},
		{a, "System.getCookies", false},
		{a, "Window.getSnapshot", true},
		{a, "System.getCookies", true}, // replaces the denial
	} {
		if err := s.Set(c.url, c.perm, nil, c.granted, ""); err != nil {
			t.Fatal(err)
		}
	}
	want := []Choice{
		{user, a, "System.getCookies", none, Granted, ""},
		{user, a, "Window.getSnapshot", none, Granted, ""},
		{user, b, "Window.getSnapshot", none, Granted, ""},
	}
	if got, err := s.List(); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, %v, want %v", got, err, want)
	}
	if granted, ok, err := answer(s, a, "System.getCookies"); !granted || !ok || err != nil {
		t.Errorf("got %v %v %v, want the later answer: granted", granted, ok, err)
	}
	if got, err := s.Stored(a, ""); err != nil || !reflect.DeepEqual(got.Answers, Answers{QuestionOf("System.getCookies", nil): true, QuestionOf("Window.getSnapshot", nil): true}) {
		t.Errorf("got %v, %v, want a's two answers", got, err)
	}
	if err := s.Set(b, "System.getCookies", nil, false, ""); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Stored(b, ""); err != nil || !reflect.DeepEqual(got.Answers, Answers{QuestionOf("System.getCookies", nil): false, QuestionOf("Window.getSnapshot", nil): true}) {
		t.Errorf("got %v, %v, want b's two answers, one denied", got, err)
	}

	if n, err := s.Revoke(a, "Window.getSnapshot"); n != 1 || err != nil {
		t.Errorf("got %d, %v, want one answer revoked", n, err)
	}
	if n, err := s.Revoke(a, "Window.getSnapshot"); n != 0 || err != nil {
		t.Errorf("got %d, %v revoking again, want none", n, err)
	}
	if n, err := s.Revoke(b, ""); n != 2 || err != nil {
		t.Errorf("got %d, %v, want both of b's answers revoked", n, err)
	}
	want = []Choice{{user, a, "System.getCookies", none, Granted, ""}}
	if got, err := s.List(); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, %v, want %v", got, err, want)
	}

	data, _ := os.ReadFile(s.path)
	if wantDoc := `{
  "version": 3,
  "choices": [
    {
      "user": "1000",
      "url": "https://a.example.com/app.json",
      "permission": "System.getCookies",
      "constraintsSha256": "` + none + `",
      "decision": "granted"
    }
  ]
}
`; string(data) != wantDoc {
		t.Errorf("got store file\n%s\nwant\n%s", data, wantDoc)
	}
}

// TestStoreKeys: an answer is kept by the user, the manifest URL, the
// permission and the constraints the user was shown: another user's
// answers, and answers to other constraints, do not answer a question.
func TestStoreKeys(t *testing.T) {
	dir := t.TempDir()
	const url = "https://a.example.com/app.json"
	hkcu := jsontext.Value(`{"enabled": true, "registryKeys": ["HKEY_CURRENT_USER\\Software\\Acme"]}`)
	sam := jsontext.Value(`{"enabled": true, "registryKeys": ["HKEY_LOCAL_MACHINE\\SAM"]}`)
	mine, theirs := OpenStore(dir, user), OpenStore(dir, "1001")
	for _, err := range []error{
		mine.Set(url, "System.readRegistryValue", hkcu, true, ""),
		mine.Set(url, "System.readRegistryValue", sam, false, ""),
		theirs.Set(url, "System.getCookies", nil, true, ""),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := mine.Stored(url, "")
	want := Answers{QuestionOf("System.readRegistryValue", hkcu): true, QuestionOf("System.readRegistryValue", sam): false}
	if err != nil || !reflect.DeepEqual(got.Answers, want) {
		t.Errorf("got %v, %v, want this user's two answers, one for each set of constraints", got, err)
	}
	if n, err := mine.Revoke(url, ""); n != 2 || err != nil {
		t.Errorf("got %d, %v revoking this user's answers, want 2", n, err)
	}
	if got, err := theirs.Stored(url, ""); err != nil || len(got.Answers) != 1 {
		t.Errorf("got %v, %v for the other user, want the answer left alone", got, err)
	}
}

// TestStoreVersion1: a store file of version 1 holds the answers of the
// user whose data directory it is in, to questions without constraints
// (version 1 never showed any); the next change writes it as version 2.
func TestStoreVersion1(t *testing.T) {
	s := OpenStore(t.TempDir(), user)
	const url = "https://a.example.com/app.json"
	old := `{"version": 1, "choices": [{"url": "` + url + `", "permission": "System.getCookies", "decision": "granted"}, {"url": "` + url + `", "permission": "System.readRegistryValue", "decision": "denied"}]}`
	if err := os.WriteFile(s.path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	stored, err := s.Stored(url, "")
	got := stored.Answers
	want := Answers{QuestionOf("System.getCookies", nil): true, QuestionOf("System.readRegistryValue", nil): false}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, %v, want the two answers without constraints", got, err)
	}
	if err := s.Set(url, "Window.getSnapshot", nil, true, ""); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(s.path)
	var doc storeDoc
	if err := json.Unmarshal(data, &doc); err != nil || doc.Version != 3 || len(doc.Choices) != 3 || doc.Choices[0].User != user {
		t.Errorf("got store file %s (%v), want version 3 with the three answers of user %s", data, err, user)
	}
}

// TestStoreSigners: a signer trust is the store user's, keyed by the
// key; a distrust replaces it and removes the user's answers given to
// that signer's apps (and no one else's); revoking removes either.
func TestStoreSigners(t *testing.T) {
	dir := t.TempDir()
	mine, theirs := OpenStore(dir, user), OpenStore(dir, "1001")
	other := strings.Repeat("0", 64)
	const a, b = "https://a.example.com/app.json", "https://b.example.com/app.json"
	for _, err := range []error{
		mine.Set(a, "System.getCookies", nil, true, key),
		mine.Set(b, "System.getCookies", nil, true, other),
		mine.Set(b, "Window.getSnapshot", nil, false, ""),
		theirs.Set(a, "System.getCookies", nil, true, key),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := mine.SetSigner(strings.ToUpper(key), "Acme Corp", true); err != nil {
		t.Fatal(err)
	}
	if got, err := mine.Stored(a, key); !got.SignerTrusted || err != nil {
		t.Errorf("got %+v, %v, want the trust just stored (its key given in upper case)", got, err)
	}
	if got, _ := theirs.Stored(a, key); got.SignerTrusted {
		t.Error("another user's store trusts the signer, want only the user who trusted it")
	}
	if got, _ := mine.Stored(a, other); got.SignerTrusted {
		t.Error("another key is trusted, want only the one stored")
	}
	removed, err := mine.SetSigner(key, "", false)
	if removed != 1 || err != nil {
		t.Fatalf("distrust: got %d, %v, want the one answer given to the signer's app removed", removed, err)
	}
	if got, _ := mine.Stored(a, key); got.SignerTrusted {
		t.Error("the signer is trusted after a distrust, want not")
	}
	if snap, err := mine.Snapshot(); err != nil || !slices.Equal(snap.Distrusted(), []string{key}) {
		t.Errorf("got distrusted %v, %v, want %q", snap, err, key)
	}
	want := []Choice{
		{user, b, "System.getCookies", none, Granted, other},
		{user, b, "Window.getSnapshot", none, Denied, ""},
		{"1001", a, "System.getCookies", none, Granted, key},
	}
	if got, err := mine.List(); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, %v, want %v", got, err, want)
	}
	// The distrust kept the name the trust stored.
	if got, err := mine.Signers(); err != nil || !reflect.DeepEqual(got, []Signer{{User: user, SPKI: key, Name: "Acme Corp"}}) {
		t.Errorf("got signers %+v, %v, want the distrust of Acme Corp", got, err)
	}
	if found, err := mine.RevokeSigner(key); !found || err != nil {
		t.Errorf("revoke: got %v, %v, want the distrust removed", found, err)
	}
	if found, err := mine.RevokeSigner(key); found || err != nil {
		t.Errorf("revoke again: got %v, %v, want nothing to remove", found, err)
	}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"trust-short-key", func() error { _, err := mine.SetSigner("abc", "", true); return err }(), `permissions: store: signer "abc": want 64 hex digits (the SHA-256 of a SubjectPublicKeyInfo)`},
		{"revoke-not-hex", func() error { _, err := mine.RevokeSigner(strings.Repeat("g", 64)); return err }(), `permissions: store: signer "` + strings.Repeat("g", 64) + `": want 64 hex digits (the SHA-256 of a SubjectPublicKeyInfo)`},
		{"name-too-long", func() error { _, err := mine.SetSigner(key, strings.Repeat("x", MaxSignerName+1), true); return err }(), fmt.Sprintf("permissions: store: signer name longer than %d bytes", MaxSignerName)},
		{"answer-bad-signer", mine.Set(a, "System.getCookies", nil, true, "KEY"), `permissions: store: signer "KEY": want 64 lower-case hex digits`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil || tc.err.Error() != tc.want {
				t.Errorf("got %v, want %s", tc.err, tc.want)
			}
		})
	}
}

func TestStoreRefusals(t *testing.T) {
	s := OpenStore(t.TempDir(), user)
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"set-unknown-permission", s.Set("https://a.example.com/", "System.formatDisk", nil, true, ""), `permissions: store: unknown permission "System.formatDisk"`},
		{"set-empty-url", s.Set("", "System.getCookies", nil, true, ""), "permissions: store: empty manifest URL"},
		{"revoke-empty-url", func() error { _, err := s.Revoke("", ""); return err }(), "permissions: store: empty manifest URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil || tc.err.Error() != tc.want {
				t.Errorf("got %v, want %s", tc.err, tc.want)
			}
		})
	}
	if _, err := os.Stat(s.path); !os.IsNotExist(err) {
		t.Errorf("got a store file (%v) after refusals only, want none", err)
	}
}

// TestStoreDamaged: a store file that does not parse is an error for every
// operation and is left as it is.
func TestStoreDamaged(t *testing.T) {
	choice := func(url, perm, decision string) string {
		return fmt.Sprintf(`{"user": "1000", "url": %q, "permission": %q, "constraintsSha256": %q, "decision": %q}`, url, perm, none, decision)
	}
	doc := func(choices ...string) string {
		return `{"version": 2, "choices": [` + strings.Join(choices, ",") + `]}`
	}
	for _, tc := range []struct {
		name, content, want string
	}{
		{"truncated", `{"version": 2, "choi`, "line 1, column 21: unexpected end of input"},
		{"not-json", "garbage", "invalid character"},
		{"array", `[]`, "the top level is an array, want an object"},
		{"trailing-data", doc() + ` {}`, "data after the JSON object"},
		{"version", `{"version": 4, "choices": []}`, "version 4, want 3 (or 2 or 1)"},
		{"version-2-with-signers", `{"version": 2, "choices": [], "signers": [` + signer("1000", key, true) + `]}`, "version 2 has no signers and no signerSpki"},
		{"bad-signer-spki", `{"version": 3, "choices": [], "signers": [` + signer("1000", strings.ToUpper(key), true) + `]}`, `signers[0]: spki "` + strings.ToUpper(key) + `", want 64 lower-case hex digits`},
		{"repeated-signer", `{"version": 3, "choices": [], "signers": [` + signer("1000", key, true) + "," + signer("1000", key, false) + `]}`, "signers[1]: out of order or repeated"},
		{"unsorted-signers", `{"version": 3, "choices": [], "signers": [` + signer("1001", key, true) + "," + signer("1000", key, false) + `]}`, "signers[1]: out of order or repeated"},
		{"signer-name-too-long", `{"version": 3, "choices": [], "signers": [{"user": "1000", "spki": "` + key + `", "name": "` + strings.Repeat("x", MaxSignerName+1) + `", "trusted": true}]}`, fmt.Sprintf("signers[0]: name longer than %d bytes", MaxSignerName)},
		{"bad-choice-signer", `{"version": 3, "choices": [{"user": "1000", "url": "https://a.example.com/", "permission": "System.getCookies", "constraintsSha256": "` + none + `", "decision": "granted", "signerSpki": "x"}]}`, `choices[0]: signerSpki "x", want 64 lower-case hex digits`},
		{"no-version", `{"choices": []}`, "no version"},
		{"version-not-a-number", `{"version": "2", "choices": []}`, "version: want a number"},
		{"unknown-field", `{"version": 2, "choices": [], "extra": 1}`, `unknown key "extra"`},
		{"unknown-field-version-1", `{"version": 1, "choices": [{"url": "https://a.example.com/", "permission": "System.getCookies", "decision": "granted", "user": "0"}]}`, `unknown key "user"`},
		{"bad-constraints-digest", `{"version": 2, "choices": [{"user": "1000", "url": "https://a.example.com/", "permission": "System.getCookies", "constraintsSha256": "E3B0", "decision": "granted"}]}`, `choices[0]: constraintsSha256 "E3B0", want 64 lower-case hex digits`},
		{"bad-decision", doc(choice("https://a.example.com/", "System.getCookies", "prompt")), `choices[0]: decision "prompt", want granted or denied`},
		{"empty-url", doc(choice("", "System.getCookies", "granted")), "choices[0]: empty url"},
		{"empty-permission", doc(choice("https://a.example.com/", "", "granted")), "choices[0]: empty permission"},
		{"repeated", doc(choice("https://a.example.com/", "System.getCookies", "granted"), choice("https://a.example.com/", "System.getCookies", "denied")), "choices[1]: out of order or repeated"},
		{"unsorted", doc(choice("https://b.example.com/", "System.getCookies", "granted"), choice("https://a.example.com/", "System.getCookies", "denied")), "choices[1]: out of order or repeated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := OpenStore(t.TempDir(), user)
			if err := os.WriteFile(s.path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, listErr := s.List()
			_, _, getErr := answer(s, "https://a.example.com/", "System.getCookies")
			setErr := s.Set("https://a.example.com/", "System.getCookies", nil, true, "")
			_, revokeErr := s.Revoke("https://a.example.com/", "")
			_, signersErr := s.Signers()
			_, trustedErr := s.Stored("https://a.example.com/", key)
			_, distrustErr := s.SetSigner(key, "Acme Corp", false)
			for _, err := range []error{listErr, getErr, setErr, revokeErr, signersErr, trustedErr, distrustErr} {
				if err == nil || !strings.Contains(err.Error(), "permissions: store "+s.path+" is damaged (fix or remove it): ") || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("got %v, want a damaged-store error holding %q", err, tc.want)
				}
			}
			if data, _ := os.ReadFile(s.path); string(data) != tc.content {
				t.Errorf("got store file %q, want it untouched: %q", data, tc.content)
			}
		})
	}
}

// TestStoreBounds feeds each bound exactly what it allows and one more.
func TestStoreBounds(t *testing.T) {
	s := OpenStore(t.TempDir(), user)
	choices := make([]Choice, MaxStoreChoices)
	for i := range choices {
		choices[i] = Choice{user, fmt.Sprintf("https://a.example.com/%08d.json", i), "System.getCookies", none, Denied, ""}
	}
	data, err := json.Marshal(storeDoc{Version: 2, Choices: choices})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := s.List(); err != nil || len(got) != MaxStoreChoices {
		t.Fatalf("got %d choices, %v, want %d", len(got), err, MaxStoreChoices)
	}
	if err := s.Set("https://b.example.com/app.json", "System.getCookies", nil, true, ""); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("full (%d answers); revoke some", MaxStoreChoices)) {
		t.Errorf("got %v, want the store full", err)
	}
	if err := s.Set(choices[7].URL, choices[7].Permission, nil, true, ""); err != nil {
		t.Errorf("got %v replacing an answer in a full store, want none", err)
	}

	over, _ := json.Marshal(storeDoc{Version: 2, Choices: append(choices, Choice{user, "https://z.example.com/", "System.getCookies", none, Denied, ""})})
	os.WriteFile(s.path, over, 0o600)
	if _, err := s.List(); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("more than %d answers", MaxStoreChoices)) {
		t.Errorf("got %v, want too many answers", err)
	}

	signers := make([]Signer, MaxStoreSigners)
	for i := range signers {
		signers[i] = Signer{User: user, SPKI: fmt.Sprintf("%064x", i+1), Trusted: true}
	}
	data, _ = json.Marshal(storeDoc{Version: storeVersion, Choices: []Choice{}, Signers: signers})
	os.WriteFile(s.path, data, 0o600)
	if got, err := s.Signers(); err != nil || len(got) != MaxStoreSigners {
		t.Fatalf("got %d signers, %v, want %d", len(got), err, MaxStoreSigners)
	}
	if _, err := s.SetSigner(strings.Repeat("0", 64), "", true); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("full (%d signers); revoke some", MaxStoreSigners)) {
		t.Errorf("got %v, want the store full of signers", err)
	}
	if _, err := s.SetSigner(signers[7].SPKI, "", false); err != nil {
		t.Errorf("got %v distrusting a stored signer in a full store, want none", err)
	}
	over, _ = json.Marshal(storeDoc{Version: storeVersion, Choices: []Choice{}, Signers: append(signers, Signer{User: user, SPKI: strings.Repeat("f", 64)})})
	os.WriteFile(s.path, over, 0o600)
	if _, err := s.List(); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("more than %d signers", MaxStoreSigners)) {
		t.Errorf("got %v, want too many signers", err)
	}

	for _, size := range []int{MaxStoreSize, MaxStoreSize + 1} {
		head := `{"version": 2, "choices": []}`
		os.WriteFile(s.path, []byte(head+strings.Repeat(" ", size-len(head))), 0o600)
		_, err := s.List()
		if size > MaxStoreSize && (err == nil || !strings.Contains(err.Error(), fmt.Sprintf("larger than %d bytes", MaxStoreSize))) {
			t.Errorf("got %v for %d bytes, want too large", err, size)
		}
		if size <= MaxStoreSize && err != nil {
			t.Errorf("got %v for %d bytes, want none", err, size)
		}
	}
}

// TestStoreConcurrentProcesses: two processes storing answers at once lose
// none of them.
func TestStoreConcurrentProcesses(t *testing.T) {
	dir := t.TempDir()
	const per = 30
	var cmds []*exec.Cmd
	for _, name := range []string{"one", "two"} {
		cmd := platformtest.Child(t, "write", dir, name, strconv.Itoa(per))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("writer: %v", err)
		}
	}
	got, err := OpenStore(dir, user).List()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2*per {
		t.Errorf("got %d answers, want %d: answers were lost", len(got), 2*per)
	}
}

// TestStoreWriterKilledBeforeRename: a writer that dies after writing its
// new file but before renaming it leaves the old store whole, and the lock
// free.
func TestStoreWriterKilledBeforeRename(t *testing.T) {
	dir := t.TempDir()
	s := OpenStore(dir, user)
	if err := s.Set("https://old.example.com/app.json", "Window.getSnapshot", nil, true, ""); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}

	cmd := platformtest.Child(t, "crash", dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "written" {
		cmd.Process.Kill()
		t.Fatalf("got %q (%v) from the writer, want written", line, err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	if temps, _ := filepath.Glob(filepath.Join(dir, "."+StoreFile+".tmp-*")); len(temps) != 1 {
		t.Errorf("got temporary files %v, want the killed writer's one", temps)
	}
	if after, _ := os.ReadFile(s.path); string(after) != string(before) {
		t.Errorf("got store file %q, want it as before: %q", after, before)
	}
	want := []Choice{{user, "https://old.example.com/app.json", "Window.getSnapshot", none, Granted, ""}}
	if got, err := s.List(); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, %v, want %v", got, err, want)
	}
	if err := s.Set("https://new.example.com/app.json", "System.getCookies", nil, false, ""); err != nil {
		t.Errorf("got %v storing after the crash, want the lock free and no error", err)
	}
	if got, err := s.List(); err != nil || len(got) != 2 {
		t.Errorf("got %v, %v, want the old answer and the new one", got, err)
	}
}

// FuzzStore: no store file makes the parser panic; one it accepts holds
// only answers it can look up, and writes back as a file that parses to
// the same answers.
func FuzzStore(f *testing.F) {
	f.Add([]byte(`{"version": 1, "choices": [{"url": "https://a.example.com/", "permission": "System.getCookies", "decision": "granted"}]}`))
	f.Add([]byte(`{"version": 2, "choices": [{"user": "1000", "url": "https://a.example.com/", "permission": "System.getCookies", "constraintsSha256": "` + none + `", "decision": "denied"}]}`))
	f.Add([]byte(`{"version": 2, "choices": []}`))
	f.Add([]byte(`{"version": 3, "choices": [{"user": "1000", "url": "https://a.example.com/", "permission": "System.getCookies", "constraintsSha256": "` + none + `", "decision": "denied", "signerSpki": "` + key + `"}], "signers": [` + signer("1000", key, true) + `, ` + signer("1001", key, false) + `]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := parseStore(data, user)
		if err != nil {
			return
		}
		if doc.Version != storeVersion {
			t.Fatalf("got version %d, want %d", doc.Version, storeVersion)
		}
		again, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseStore(again, user)
		if err != nil || !slices.Equal(back.Choices, doc.Choices) || !slices.Equal(back.Signers, doc.Signers) {
			t.Fatalf("written back as %s: got %+v, %v, want %+v", again, back, err, doc)
		}
	})
}

// BenchmarkUserSide is what the user's side of a decision costs (see
// launcher's userSide) with n signer trusts stored beside 1000 answers:
// reading the answers for the manifest URL and the trust in its signer
// (one read of the store file), then applying both to 20 decisions that
// prompt.
func BenchmarkUserSide(b *testing.B) {
	for _, n := range []int{0, 100, MaxStoreSigners} {
		b.Run(fmt.Sprintf("signers=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			doc := storeDoc{Version: storeVersion}
			for i := range 1000 {
				doc.Choices = append(doc.Choices, Choice{user, fmt.Sprintf("https://a.example.com/%08d.json", i), "System.getCookies", none, Granted, key})
			}
			for i := range n {
				doc.Signers = append(doc.Signers, Signer{User: user, SPKI: fmt.Sprintf("%064x", i), Name: fmt.Sprintf("Signer %d", i), Trusted: true})
			}
			data, err := json.Marshal(doc)
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, StoreFile), data, 0o600); err != nil {
				b.Fatal(err)
			}
			s := OpenStore(dir, user)
			last := fmt.Sprintf("%064x", max(n-1, 0))
			names := Names()[:20]
			b.ReportAllocs()
			for b.Loop() {
				stored, err := s.Stored("https://a.example.com/00000500.json", last)
				if err != nil || len(stored.Answers) != 1 || stored.SignerTrusted != (n > 0) {
					b.Fatalf("got %+v, %v, want an answer and the signer trusted: %v", stored, err, n > 0)
				}
				ds := make(map[string]Decision, len(names))
				for _, name := range names {
					ds[name] = Decision{Verdict: Prompt, Source: SourceDefault}
				}
				ApplyAnswers(ds, stored, true)
			}
		})
	}
}
