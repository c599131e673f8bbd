package launcher_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/launchertest"
)

// BenchmarkVerifyCold is the in-process work of one `rvm verify` of a
// signed manifest: a new Launcher each time, so a new TLS connection, the
// machine settings and trust roots read, the block verified from scratch
// and the manifest's cached copy written.
func BenchmarkVerifyCold(b *testing.B) {
	w := launchertest.NewWorld(b)
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q], "permissions": {"System": {"launchExternalProcess": true}}}]`, w.Pattern("/blotter/"))
	url := w.Publish("/blotter/app.json", launchertest.Requested, w.Block(apps, "linux"))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		doc, err := launcher.New(w.Env).Verify(ctx, url, w.Opts)
		if err != nil || doc.Trust.Status != launcher.StatusTrusted {
			b.Fatalf("Verify: %v (%+v)", err, doc)
		}
	}
}
