package launcher_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/prompt"
)

// TestLaunchSignerKeys launches an app whose block is trusted and one
// without a block under each owner key of SPEC 5.7, and with none: which
// questions are asked, whether they offer all, and what decides
// Window.getSnapshot (which no block or policy grants).
func TestLaunchSignerKeys(t *testing.T) {
	w, rtDir, out := launchWorld(t)
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q], "permissions": {"System": {"launchExternalProcess": true}}}]`, w.Pattern("/blotter/"))
	signed := w.Publish("/blotter/app.json", launchertest.Requested, w.Block(apps, "linux"))
	unsigned := w.Publish("/other/app.json", launchertest.Requested, nil)
	spki := fmt.Sprintf("%x", sha256.Sum256(w.Signer.Cert.RawSubjectPublicKeyInfo))
	type want struct {
		asked    int // questions asked
		offerAll bool
		verdict  permissions.Verdict
		source   permissions.Source
	}
	for _, tc := range []struct {
		name string
		// desktop is the DOS desktopSettings; userTrust stores the
		// user's trust in the signer first.
		desktop                 string
		userTrust               bool
		withBlock, withoutBlock want
	}{
		{name: "none", desktop: `{}`,
			withBlock:    want{asked: 2, offerAll: true, verdict: permissions.Denied, source: permissions.SourceUser},
			withoutBlock: want{asked: 3, verdict: permissions.Denied, source: permissions.SourceUser}},
		{name: "user-trust", desktop: `{}`, userTrust: true,
			withBlock:    want{verdict: permissions.Granted, source: permissions.SourceUserSigner},
			withoutBlock: want{asked: 3, verdict: permissions.Denied, source: permissions.SourceUser}},
		{name: "trusted-signers", desktop: fmt.Sprintf(`{"trustedSigners": [{"spki": %q, "name": "Acme Corp"}]}`, spki),
			withBlock:    want{verdict: permissions.Granted, source: permissions.SourceOwnerSigner},
			withoutBlock: want{asked: 3, verdict: permissions.Denied, source: permissions.SourceUser}},
		{name: "user-signer-trust-disabled", desktop: `{"userSignerTrust": "disabled"}`, userTrust: true,
			withBlock:    want{asked: 2, verdict: permissions.Denied, source: permissions.SourceUser},
			withoutBlock: want{asked: 3, verdict: permissions.Denied, source: permissions.SourceUser}},
		{name: "prompts-require-trusted-block", desktop: `{"promptsRequireTrustedBlock": true}`,
			withBlock:    want{asked: 2, offerAll: true, verdict: permissions.Denied, source: permissions.SourceUser},
			withoutBlock: want{verdict: permissions.Denied, source: permissions.SourceOwnerDefault}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.Env.DataDir = t.TempDir()
			w.L = launcher.New(w.Env)
			if tc.userTrust {
				if _, err := permissions.OpenStore(w.Env.DataDir, platform.UserID()).SetSigner(spki, "Acme Corp", true); err != nil {
					t.Fatal(err)
				}
			}
			b, _ := json.Marshal(map[string]string{"RuntimeDirectory": rtDir, "DesktopOwnerSettings": w.Owner(`{"desktopSettings": ` + tc.desktop + `}`)})
			w.Settings(string(b))
			for _, c := range []struct {
				url  string
				want want
			}{{signed, tc.withBlock}, {unsigned, tc.withoutBlock}} {
				os.Remove(out)
				var asked []prompt.Question
				doc, _, err := launch(t, w, c.url, func(_ context.Context, q prompt.Question) (prompt.Answer, error) {
					asked = append(asked, q)
					return prompt.No, nil
				})
				if err != nil {
					t.Fatal(err)
				}
				launchertest.WaitForFile(t, out)
				if len(asked) != c.want.asked {
					t.Errorf("%s: asked %d questions, want %d", c.url, len(asked), c.want.asked)
				}
				for _, q := range asked {
					if q.OfferAll != c.want.offerAll {
						t.Errorf("%s: a question offers all: %v, want %v", c.url, q.OfferAll, c.want.offerAll)
					}
				}
				launchertest.CheckPermission(t, doc, "Window.getSnapshot", c.want.verdict, c.want.source)
			}
		})
	}
}

// TestLaunchAnswerAll: the answer all to the first question stores the
// user's trust in the signer under its name, answers every question left
// (user-signer) without asking, and stores no answer of its own; a yes
// given before it is stored as the user's. Offered where not asked for, it
// counts as no answer.
func TestLaunchAnswerAll(t *testing.T) {
	w, _, out := launchWorld(t)
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q]}]`, w.Pattern("/blotter/"))
	signed := w.Publish("/blotter/app.json", launchertest.Requested, w.Block(apps, "linux"))
	unsigned := w.Publish("/other/app.json", launchertest.Requested, nil)
	spki := fmt.Sprintf("%x", sha256.Sum256(w.Signer.Cert.RawSubjectPublicKeyInfo))
	var asked int
	doc, _, err := launch(t, w, signed, func(_ context.Context, q prompt.Question) (prompt.Answer, error) {
		asked++
		if asked == 1 {
			return prompt.Yes, nil
		}
		return prompt.All, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	launchertest.WaitForFile(t, out)
	if asked != 2 {
		t.Errorf("asked %d questions, want 2: the second answer all answers the third", asked)
	}
	launchertest.CheckPermission(t, doc, "System.launchExternalProcess", permissions.Granted, permissions.SourceUser)
	launchertest.CheckPermission(t, doc, "System.readRegistryValue", permissions.Granted, permissions.SourceUserSigner)
	launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Granted, permissions.SourceUserSigner)
	store := permissions.OpenStore(w.Env.DataDir, platform.UserID())
	signers, err := store.Signers()
	if err != nil || len(signers) != 1 || signers[0] != (permissions.Signer{User: platform.UserID(), SPKI: spki, Name: "Acme Corp", Trusted: true}) {
		t.Errorf("got signers %+v, %v, want the trust in Acme Corp", signers, err)
	}
	choices, err := store.List()
	if err != nil || len(choices) != 1 || choices[0].Permission != "System.launchExternalProcess" || choices[0].SignerSPKI != spki {
		t.Errorf("got answers %+v, %v, want only the yes, under the signer's key", choices, err)
	}

	// A prompter that answers all where it was not offered.
	os.Remove(out)
	doc, _, err = launch(t, w, unsigned, func(context.Context, prompt.Question) (prompt.Answer, error) { return prompt.All, nil })
	if err != nil {
		t.Fatal(err)
	}
	launchertest.WaitForFile(t, out)
	launchertest.CheckPermission(t, doc, "Window.getSnapshot", permissions.Denied, permissions.SourceUser)
	if got, _ := store.Stored(unsigned, ""); len(got.Answers) != 0 {
		t.Errorf("got stored answers %v for the app without a block, want none", got.Answers)
	}
}
