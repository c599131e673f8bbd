package launcher

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkVerifyCold is the in-process work of one `rvm verify` of a
// signed manifest: a new Launcher each time, so a new TLS connection, the
// machine settings and trust roots read, the block verified from scratch
// and the manifest's cached copy written.
func BenchmarkVerifyCold(b *testing.B) {
	w := newWorld(b)
	apps := fmt.Sprintf(`[{"name": "Acme Blotter", "match": [%q], "permissions": {"System": {"launchExternalProcess": true}}}]`, w.pattern("/blotter/"))
	url := w.publish("/blotter/app.json", requested, w.block(apps, "linux"))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		doc, err := New(w.l.env).Verify(ctx, url, w.opts)
		if err != nil || doc.Trust.Status != StatusTrusted {
			b.Fatalf("Verify: %v (%+v)", err, doc)
		}
	}
}
