package publisher

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rvm-launcher/rvm/launcher/runtime"
	"github.com/rvm-launcher/rvm/launcher/runtime/repo"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/platform"
)

// VerifyOptions say how to verify a repository.
type VerifyOptions struct {
	// Root is the trusted root to start from; nil takes the repository's
	// own metadata/1.root.json (which checks the repository's consistency,
	// not who made it: say so).
	Root []byte
	// Fetcher fetches a repository given by URL; nil is a zero Fetcher.
	Fetcher *fetch.Fetcher
	// Now is the clock; nil is the system clock.
	Now func() time.Time
}

// Report is what Verify found.
type Report struct {
	// Expires is when each role's metadata expires.
	Expires map[string]time.Time
	// Targets maps each target to its length.
	Targets map[string]int64
	// Channels is channels.json.
	Channels map[string]string
	// TrustOnFirstUse is set where no root was given, so that the
	// repository's own first root was trusted.
	TrustOnFirstUse bool
}

// Verify checks a repository as a client would: from a trusted root, it
// refreshes the metadata with rvm's client (signatures, thresholds,
// versions, expiry, consistent snapshots), then downloads and installs
// every runtime archive into a temporary folder (lengths, hashes, the
// archive's entries) and checks that every channel names a version that
// has an archive. source is a repository folder (made by Init) or the
// URL it is served at.
func Verify(ctx context.Context, source string, o VerifyOptions) (*Report, error) {
	rep := &Report{}
	ro := repo.Options{Root: o.Root, Fetcher: o.Fetcher, Now: o.Now}
	if strings.HasPrefix(source, "https://") {
		ro.URL = source
		if ro.Root == nil {
			f := o.Fetcher
			if f == nil {
				f = &fetch.Fetcher{}
			}
			resp, err := f.GetStrict(ctx, strings.TrimRight(source, "/")+"/metadata/1.root.json", 512<<10, fetch.Validators{})
			if err != nil {
				return nil, fmt.Errorf("publisher: first root: %w", err)
			}
			ro.Root = resp.Body
		}
	} else {
		ro.Folder = filepath.Join(source, "public")
		if _, err := os.Stat(ro.Folder); err != nil {
			return nil, fmt.Errorf("publisher: %s is not a repository folder (no public/): %w", source, err)
		}
		if ro.Root == nil {
			data, err := platform.ReadFileLimit(filepath.Join(ro.Folder, "metadata", "1.root.json"), 512<<10)
			if err != nil {
				return nil, fmt.Errorf("publisher: first root: %w", err)
			}
			ro.Root = data
		}
	}
	rep.TrustOnFirstUse = o.Root == nil
	client, err := repo.New(ro)
	if err != nil {
		return nil, err
	}
	if err := client.Refresh(ctx); err != nil {
		return nil, err
	}
	if rep.Expires, err = client.Expires(ctx); err != nil {
		return nil, err
	}
	if rep.Targets, err = client.Targets(ctx); err != nil {
		return nil, err
	}
	if rep.Channels, err = client.Channels(ctx); err != nil {
		return nil, err
	}
	versions := map[string]bool{}
	for _, t := range slices.Sorted(maps.Keys(rep.Targets)) {
		if t == ChannelsTarget {
			continue
		}
		version, ok := parseRuntimeTarget(t)
		if !ok {
			return nil, fmt.Errorf("publisher: target %s is neither a runtime archive (runtimes/<version>/<os>-<arch>.tar.gz) nor channels.json", t)
		}
		if err := client.Check(ctx, t); err != nil {
			return nil, err
		}
		versions[version] = true
	}
	for name, v := range rep.Channels {
		if !versions[v] {
			return nil, fmt.Errorf("publisher: channel %s names %s, which has no runtime archive", name, v)
		}
	}
	return rep, nil
}

// parseRuntimeTarget takes the version out of
// runtimes/<version>/<os>-<arch>.tar.gz.
func parseRuntimeTarget(t string) (version string, ok bool) {
	rest, ok := strings.CutPrefix(t, "runtimes/")
	if !ok {
		return "", false
	}
	version, file, ok := strings.Cut(rest, "/")
	if !ok || !runtime.IsVersion(version) {
		return "", false
	}
	plat, ok := strings.CutSuffix(file, ".tar.gz")
	return version, ok && slices.Contains(Platforms, plat)
}
