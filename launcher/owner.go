package launcher

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/permissions"
	"github.com/rvm-launcher/rvm/platform"
)

// maxOwnerSettings bounds a desktop owner settings file.
const maxOwnerSettings = 1 << 20

// owner is the desktop owner settings as one request sees them.
type owner struct {
	// configured reports that DesktopOwnerSettings names a location.
	configured bool
	// source is that location, and where it was set.
	source string
	// settings is the good copy in use; nil when not configured, or
	// configured with no good copy ever (fail closed).
	settings *permissions.OwnerSettings
	// raw is the JSON of the copy in use.
	raw json.RawMessage
	// warnings tell why the current copy is not in use.
	warnings []string
}

// unavailable reports a configured location with no good copy: every
// permission is then denied.
func (o owner) unavailable() bool { return o.configured && o.settings == nil }

// ownerCopy is the last good copy of a location, as cached on disk.
type ownerCopy struct {
	Location   string              `json:"location"`
	Validators manifest.Validators `json:"validators"`
	FetchedAt  time.Time           `json:"fetchedAt"`
	Body       json.RawMessage     `json:"body"`
}

// ownerSettings loads the desktop owner settings named by the machine
// settings: a remote file is fetched strictly at every request, with the
// validators of the last good copy; an unreadable or invalid file keeps
// the last good copy, and with none the request fails closed.
func (l *Launcher) ownerSettings(ctx context.Context, ms *platform.MachineSettings, f *manifest.Fetcher) owner {
	loc, setBy, ok := ms.String(platform.SettingDesktopOwnerSettings)
	if !ok || loc == "" {
		if src, bad := ms.Invalid(platform.SettingDesktopOwnerSettings); bad {
			// The owner meant to configure settings and got it wrong:
			// fail closed rather than run without them.
			return owner{configured: true, source: "DesktopOwnerSettings in " + src,
				warnings: []string{"DesktopOwnerSettings in " + src + " is invalid: every permission denied"}}
		}
		return owner{}
	}
	o := owner{configured: true, source: loc}
	cachePath := filepath.Join(l.env.DataDir, "cache", "owner", hashHex(loc)+".json")
	last := l.loadOwnerCopy(cachePath, loc)

	body, validators, notModified, err := l.readOwnerLocation(ctx, loc, setBy, f, last)
	if err == nil && notModified && last != nil {
		body = last.Body
	}
	var parsed *permissions.OwnerSettings
	if err == nil {
		parsed, err = permissions.ParseOwnerSettings(body, loc)
	}
	if err == nil {
		o.settings, o.raw = parsed, body
		// A local file is read at every request: rewrite the cached copy
		// (two fsyncs) only when what it says has changed.
		// (The copy holds the body compacted, as json.RawMessage marshals.)
		var compact bytes.Buffer
		json.Compact(&compact, body)
		unchanged := last != nil && last.Validators == validators && bytes.Equal(last.Body, compact.Bytes())
		if !notModified && !unchanged {
			data, _ := json.Marshal(ownerCopy{Location: loc, Validators: validators, FetchedAt: l.env.Now(), Body: body})
			if werr := platform.WriteFileAtomic(cachePath, data, 0o600); werr != nil {
				l.env.Log.Warn().Err(werr).Msg("could not cache the desktop owner settings")
			}
		}
		return o
	}
	l.env.Log.Warn().Err(err).Str("location", loc).Msg("desktop owner settings unusable")
	if last != nil {
		if parsed, perr := permissions.ParseOwnerSettings(last.Body, loc); perr == nil {
			o.settings, o.raw = parsed, last.Body
			o.warnings = append(o.warnings, fmt.Sprintf("desktop owner settings %s unusable (%v); using the copy from %s", loc, err, last.FetchedAt.UTC().Format(time.RFC3339)))
			return o
		}
	}
	o.warnings = append(o.warnings, fmt.Sprintf("desktop owner settings %s unusable (%v) and no good copy: every permission denied", loc, err))
	return o
}

// readOwnerLocation reads the file at loc (https://, file:// or a path).
func (l *Launcher) readOwnerLocation(ctx context.Context, loc, setBy string, f *manifest.Fetcher, last *ownerCopy) (body []byte, v manifest.Validators, notModified bool, err error) {
	switch {
	case strings.HasPrefix(strings.ToLower(loc), "https://"):
		var cond manifest.Validators
		if last != nil {
			cond = last.Validators
		}
		resp, err := f.GetStrict(ctx, loc, maxOwnerSettings, cond)
		if err != nil {
			return nil, cond, false, err
		}
		return resp.Body, resp.Validators, resp.NotModified, nil
	case strings.HasPrefix(strings.ToLower(loc), "file://"):
		u, err := url.Parse(loc)
		if err != nil {
			return nil, v, false, fmt.Errorf("launcher: DesktopOwnerSettings %q (in %s): %w", loc, setBy, err)
		}
		path, err := platform.FileURLPath(u)
		if err != nil {
			return nil, v, false, fmt.Errorf("launcher: DesktopOwnerSettings (in %s): %w", setBy, err)
		}
		body, err := platform.ReadFileLimit(path, maxOwnerSettings)
		return body, v, false, err
	case strings.Contains(loc, "://"):
		return nil, v, false, fmt.Errorf("launcher: DesktopOwnerSettings %q (in %s): want https://, file:// or a path", loc, setBy)
	}
	body, err = platform.ReadFileLimit(loc, maxOwnerSettings)
	return body, v, false, err
}

func (l *Launcher) loadOwnerCopy(path, loc string) *ownerCopy {
	// The body, escaped into JSON with its validators: well under 3 MiB.
	data, err := platform.ReadFileLimit(path, 3*maxOwnerSettings)
	if err != nil {
		return nil
	}
	var c ownerCopy
	if json.Unmarshal(data, &c) != nil || c.Location != loc {
		return nil
	}
	return &c
}

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
