package owner

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/platform"
)

// Loaded is the desktop owner settings as one request sees them.
type Loaded struct {
	// Configured reports that DesktopOwnerSettings names a location (or
	// holds an invalid value, which fails closed).
	Configured bool
	// Source is that location, and where it was set.
	Source string
	// Settings is the good copy in use; nil when not configured, or
	// configured with no good copy ever (fail closed).
	Settings *Settings
	// Raw is the JSON of the copy in use.
	Raw jsontext.Value
	// Warnings tell why the current copy is not in use.
	Warnings []string
}

// Unavailable reports a configured location with no good copy: every
// permission is then denied.
func (o Loaded) Unavailable() bool { return o.Configured && o.Settings == nil }

// Loader loads desktop owner settings, keeping the last good copy of each
// location in Store.
type Loader struct {
	// HTTP fetches an https:// location strictly.
	HTTP *fetch.Fetcher
	// Store keeps the last good copy; nil keeps none.
	Store *fetch.Store
	// Now is the clock.
	Now func() time.Time
	// Log receives why a location could not be used.
	Log zerolog.Logger
}

// Location is where the machine settings say the desktop owner settings
// are: the DesktopOwnerSettings value and the source that set it. Invalid
// names a source whose value was invalid (which fails closed); Value is
// then empty.
type Location struct {
	Value, SetBy string
	Invalid      string
}

// Load loads the desktop owner settings at loc: a remote file is fetched
// strictly at every call, with the validators of the last good copy; an
// unreadable or invalid file keeps the last good copy, and with none the
// result fails closed.
func (l *Loader) Load(ctx context.Context, loc Location) Loaded {
	if loc.Value == "" {
		if loc.Invalid != "" {
			// The owner meant to configure settings and got it wrong:
			// fail closed rather than run without them.
			return Loaded{Configured: true, Source: "DesktopOwnerSettings in " + loc.Invalid,
				Warnings: []string{"DesktopOwnerSettings in " + loc.Invalid + " is invalid: every permission denied"}}
		}
		return Loaded{}
	}
	o := Loaded{Configured: true, Source: loc.Value}
	key := "owner\x00" + loc.Value
	last, _ := l.Store.Load(key)

	body, validators, notModified, err := l.read(ctx, loc, last)
	if err == nil && notModified && last != nil {
		body = last.Body
	}
	var parsed *Settings
	if err == nil {
		parsed, err = Parse(body, loc.Value)
	}
	if err == nil {
		o.Settings, o.Raw = parsed, body
		if !notModified {
			if werr := l.Store.Save(&fetch.Entry{Key: key, Validators: validators, FetchedAt: l.Now(), Body: body}); werr != nil {
				l.Log.Warn().Err(werr).Msg("could not cache the desktop owner settings")
			}
		}
		return o
	}
	l.Log.Warn().Err(err).Str("location", loc.Value).Msg("desktop owner settings unusable")
	if last != nil {
		if parsed, perr := Parse(last.Body, loc.Value); perr == nil {
			o.Settings, o.Raw = parsed, last.Body
			o.Warnings = append(o.Warnings, fmt.Sprintf("desktop owner settings %s unusable (%v); using the copy from %s", loc.Value, err, last.FetchedAt.UTC().Format(time.RFC3339)))
			return o
		}
	}
	o.Warnings = append(o.Warnings, fmt.Sprintf("desktop owner settings %s unusable (%v) and no good copy: every permission denied", loc.Value, err))
	return o
}

// read reads the file at loc (https://, file:// or a path).
func (l *Loader) read(ctx context.Context, loc Location, last *fetch.Entry) (body []byte, v fetch.Validators, notModified bool, err error) {
	if strings.HasPrefix(strings.ToLower(loc.Value), "https://") {
		var cond fetch.Validators
		if last != nil {
			cond = last.Validators
		}
		resp, err := l.HTTP.GetStrict(ctx, loc.Value, MaxSize, cond)
		if err != nil {
			return nil, cond, false, err
		}
		return resp.Body, resp.Validators, resp.NotModified, nil
	}
	path, err := localPath(loc)
	if err != nil {
		return nil, v, false, err
	}
	body, err = readFile(path)
	return body, v, false, err
}

// LocalPath is the local file that the DesktopOwnerSettings value names
// (a path or a file:// URL); "" for a remote one or one that does not
// parse.
func LocalPath(value string) string {
	if strings.HasPrefix(strings.ToLower(value), "https://") {
		return ""
	}
	path, _ := localPath(Location{Value: value})
	return path
}

// localPath is the local file that loc names: a file:// URL or a path.
func localPath(loc Location) (string, error) {
	switch {
	case strings.HasPrefix(strings.ToLower(loc.Value), "file://"):
		u, err := url.Parse(loc.Value)
		if err != nil {
			return "", fmt.Errorf("owner: DesktopOwnerSettings %q (in %s): %w", loc.Value, loc.SetBy, err)
		}
		path, err := platform.FileURLPath(u)
		if err != nil {
			return "", fmt.Errorf("owner: DesktopOwnerSettings (in %s): %w", loc.SetBy, err)
		}
		return path, nil
	case strings.Contains(loc.Value, "://"):
		return "", fmt.Errorf("owner: DesktopOwnerSettings %q (in %s): want https://, file:// or a path", loc.Value, loc.SetBy)
	}
	return loc.Value, nil
}

// readFile reads a local settings file within MaxSize.
func readFile(path string) ([]byte, error) {
	body, err := platform.ReadFileLimit(path, MaxSize)
	var tooLarge *platform.TooLargeError
	if errors.As(err, &tooLarge) {
		return nil, fmt.Errorf("owner: %s: larger than %d bytes", path, MaxSize)
	}
	return body, err
}
