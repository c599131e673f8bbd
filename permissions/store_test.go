package permissions

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

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
		s := OpenStore(args[0])
		for i := range n {
			if err := s.Set(fmt.Sprintf("https://%s.example.com/%d.json", args[1], i), "System.getCookies", i%2 == 0); err != nil {
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
		OpenStore(args[0]).Set("https://crash.example.com/app.json", "System.getCookies", true)
		return 1
	},
}

// answer reports the stored answer for the manifest URL and permission,
// and whether there is one.
func answer(s *Store, url, permission string) (granted, ok bool, err error) {
	answers, err := s.ForURL(url)
	granted, ok = answers[permission]
	return granted, ok, err
}

func TestStore(t *testing.T) {
	s := OpenStore(t.TempDir())
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
		if err := s.Set(c.url, c.perm, c.granted); err != nil {
			t.Fatal(err)
		}
	}
	want := []Choice{
		{a, "System.getCookies", Granted},
		{a, "Window.getSnapshot", Granted},
		{b, "Window.getSnapshot", Granted},
	}
	if got, err := s.List(); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, %v, want %v", got, err, want)
	}
	if granted, ok, err := answer(s, a, "System.getCookies"); !granted || !ok || err != nil {
		t.Errorf("got %v %v %v, want the later answer: granted", granted, ok, err)
	}
	if got, err := s.ForURL(a); err != nil || !reflect.DeepEqual(got, Answers{"System.getCookies": true, "Window.getSnapshot": true}) {
		t.Errorf("got %v, %v, want a's two answers", got, err)
	}
	if err := s.Set(b, "System.getCookies", false); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ForURL(b); err != nil || !reflect.DeepEqual(got, Answers{"System.getCookies": false, "Window.getSnapshot": true}) {
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
	want = []Choice{{a, "System.getCookies", Granted}}
	if got, err := s.List(); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, %v, want %v", got, err, want)
	}

	data, _ := os.ReadFile(s.path)
	if wantDoc := `{
  "version": 1,
  "choices": [
    {
      "url": "https://a.example.com/app.json",
      "permission": "System.getCookies",
      "decision": "granted"
    }
  ]
}
`; string(data) != wantDoc {
		t.Errorf("got store file\n%s\nwant\n%s", data, wantDoc)
	}
}

func TestStoreRefusals(t *testing.T) {
	s := OpenStore(t.TempDir())
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"set-unknown-permission", s.Set("https://a.example.com/", "System.formatDisk", true), `permissions: store: unknown permission "System.formatDisk"`},
		{"set-empty-url", s.Set("", "System.getCookies", true), "permissions: store: empty manifest URL"},
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
		return fmt.Sprintf(`{"url": %q, "permission": %q, "decision": %q}`, url, perm, decision)
	}
	doc := func(choices ...string) string {
		return `{"version": 1, "choices": [` + strings.Join(choices, ",") + `]}`
	}
	for _, tc := range []struct {
		name, content, want string
	}{
		{"truncated", `{"version": 1, "choi`, "line 1, column 21: unexpected end of input"},
		{"not-json", "garbage", "invalid character"},
		{"array", `[]`, "want an object, got an array"},
		{"trailing-data", doc() + ` {}`, "data after the JSON object"},
		{"version", `{"version": 2, "choices": []}`, "version 2, want 1"},
		{"no-version", `{"choices": []}`, "version 0, want 1"},
		{"unknown-field", `{"version": 1, "choices": [], "extra": 1}`, `unknown key "extra"`},
		{"bad-decision", doc(choice("https://a.example.com/", "System.getCookies", "prompt")), `choices[0]: decision "prompt", want granted or denied`},
		{"empty-url", doc(choice("", "System.getCookies", "granted")), "choices[0]: empty url"},
		{"empty-permission", doc(choice("https://a.example.com/", "", "granted")), "choices[0]: empty permission"},
		{"repeated", doc(choice("https://a.example.com/", "System.getCookies", "granted"), choice("https://a.example.com/", "System.getCookies", "denied")), "choices[1]: out of order or repeated"},
		{"unsorted", doc(choice("https://b.example.com/", "System.getCookies", "granted"), choice("https://a.example.com/", "System.getCookies", "denied")), "choices[1]: out of order or repeated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := OpenStore(t.TempDir())
			if err := os.WriteFile(s.path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, listErr := s.List()
			_, _, getErr := answer(s, "https://a.example.com/", "System.getCookies")
			setErr := s.Set("https://a.example.com/", "System.getCookies", true)
			_, revokeErr := s.Revoke("https://a.example.com/", "")
			for _, err := range []error{listErr, getErr, setErr, revokeErr} {
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
	s := OpenStore(t.TempDir())
	choices := make([]Choice, MaxStoreChoices)
	for i := range choices {
		choices[i] = Choice{fmt.Sprintf("https://a.example.com/%08d.json", i), "System.getCookies", Denied}
	}
	data, err := json.Marshal(storeDoc{Version: 1, Choices: choices})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := s.List(); err != nil || len(got) != MaxStoreChoices {
		t.Fatalf("got %d choices, %v, want %d", len(got), err, MaxStoreChoices)
	}
	if err := s.Set("https://b.example.com/app.json", "System.getCookies", true); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("full (%d answers); revoke some", MaxStoreChoices)) {
		t.Errorf("got %v, want the store full", err)
	}
	if err := s.Set(choices[7].URL, choices[7].Permission, true); err != nil {
		t.Errorf("got %v replacing an answer in a full store, want none", err)
	}

	over, _ := json.Marshal(storeDoc{Version: 1, Choices: append(choices, Choice{"https://z.example.com/", "System.getCookies", Denied})})
	os.WriteFile(s.path, over, 0o600)
	if _, err := s.List(); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("more than %d answers", MaxStoreChoices)) {
		t.Errorf("got %v, want too many answers", err)
	}

	for _, size := range []int{MaxStoreSize, MaxStoreSize + 1} {
		head := `{"version": 1, "choices": []}`
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
	got, err := OpenStore(dir).List()
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
	s := OpenStore(dir)
	if err := s.Set("https://old.example.com/app.json", "Window.getSnapshot", true); err != nil {
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
	want := []Choice{{"https://old.example.com/app.json", "Window.getSnapshot", Granted}}
	if got, err := s.List(); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, %v, want %v", got, err, want)
	}
	if err := s.Set("https://new.example.com/app.json", "System.getCookies", false); err != nil {
		t.Errorf("got %v storing after the crash, want the lock free and no error", err)
	}
	if got, err := s.List(); err != nil || len(got) != 2 {
		t.Errorf("got %v, %v, want the old answer and the new one", got, err)
	}
}
