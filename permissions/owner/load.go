package owner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/rs/zerolog"

	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/syslog"
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

// Notices are the notices of the copy in use (see Settings.Notices): what
// rvm leaves out of it, and why.
func (o Loaded) Notices() []string {
	if o.Settings == nil {
		return nil
	}
	return o.Settings.Notices
}

// Loader loads desktop owner settings, keeping the last good copy of each
// location in Store.
type Loader struct {
	// HTTP fetches an https:// location strictly, and an http:// one
	// (whose file only restricts).
	HTTP *fetch.Fetcher
	// Store keeps the last good copy; nil keeps none.
	Store *fetch.Store
	// Now is the clock.
	Now func() time.Time
	// Log receives why a location could not be used, an event marked
	// for the system log (syslog.SecurityField, SPEC 10).
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
// at every call (an https:// one strictly; an http:// one is deny-only,
// see ParseDenyOnly), with the validators of the last good copy; an
// unreadable or invalid file keeps the last good copy, and with none the
// result fails closed. Its server's Cache-Control max-age is not honoured
// (SPEC 4 fetches the file at each launch, and it holds revocations); its
// Retry-After with a 429 or 503 is, for at most fetch.MaxRetryAfter, in
// which the last good copy stands in as when the server cannot be reached.
func (l *Loader) Load(ctx context.Context, loc Location) Loaded {
	if loc.Value == "" {
		if loc.Invalid != "" {
			// The owner meant to configure settings and got it wrong:
			// fail closed rather than run without them.
			l.Log.Warn().Bool(syslog.SecurityField, true).Str("location", "DesktopOwnerSettings in "+loc.Invalid).Msg("desktop owner settings unusable: the setting is invalid")
			return Loaded{Configured: true, Source: "DesktopOwnerSettings in " + loc.Invalid,
				Warnings: []string{"DesktopOwnerSettings in " + loc.Invalid + " is invalid: every permission denied"}}
		}
		return Loaded{}
	}
	o := Loaded{Configured: true, Source: loc.Value}
	key := "owner\x00" + loc.Value
	last, _ := l.Store.Load(key)

	var (
		body        []byte
		validators  fetch.Validators
		notModified bool
		err         error
	)
	if now := l.Now(); last != nil && now.Before(last.RetryAt) && last.RetryAt.Sub(now) <= fetch.MaxRetryAfter {
		// The server asked not to be asked until then (429 or 503 with
		// Retry-After, bounded): as when it cannot be reached.
		err = fmt.Errorf("owner: %s asked (Retry-After) not to be asked again until %s", loc.Value, last.RetryAt.UTC().Format(time.RFC3339))
	} else {
		body, validators, notModified, err = l.read(ctx, loc, last)
		l.keepRetryAfter(last, err)
	}
	if err == nil && notModified && last != nil {
		body = last.Body
	}
	var parsed *Settings
	if err == nil {
		parsed, err = l.parse(loc, body)
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
	l.Log.Warn().Bool(syslog.SecurityField, true).Err(err).Str("location", loc.Value).Msg("desktop owner settings unusable")
	why, problems := failure(err)
	if last != nil {
		if parsed, perr := l.parse(loc, last.Body); perr == nil {
			o.Settings, o.Raw = parsed, last.Body
			o.Warnings = append(o.Warnings, fmt.Sprintf("desktop owner settings %s unusable (%s); using the copy from %s", loc.Value, why, last.FetchedAt.UTC().Format(time.RFC3339)))
			o.Warnings = append(o.Warnings, problems...)
			return o
		}
	}
	o.Warnings = append(o.Warnings, fmt.Sprintf("desktop owner settings %s unusable (%s) and no good copy: every permission denied", loc.Value, why))
	o.Warnings = append(o.Warnings, problems...)
	return o
}

// keepRetryAfter marks the last good copy with when its server may be
// asked again, where err is that server's 429 or 503 with Retry-After.
func (l *Loader) keepRetryAfter(last *fetch.Entry, err error) {
	var fe *fetch.FetchError
	if last == nil || !errors.As(err, &fe) || fe.RetryAfter <= 0 {
		return
	}
	keep := *last
	keep.RetryAt = l.Now().Add(fe.RetryAfter)
	if werr := l.Store.Save(&keep); werr != nil {
		l.Log.Warn().Err(werr).Msg("could not cache the desktop owner settings")
	}
}

// failure words why a file could not be used for a warning: the error
// itself, or for a file with several problems their count, with the
// problems listed one a line after it.
func failure(err error) (why string, problems []string) {
	var ie *InvalidError
	if errors.As(err, &ie) && (len(ie.Problems) > 1 || ie.More > 0) {
		return fmt.Sprintf("%d problems, each listed after this", len(ie.Problems)+ie.More), ie.Lines()
	}
	return err.Error(), nil
}

// parse parses the file read from loc: deny-only where it came over plain
// http://.
func (l *Loader) parse(loc Location, body []byte) (*Settings, error) {
	if schemeOf(loc.Value) == "http" {
		return ParseDenyOnly(body, loc.Value)
	}
	return Parse(body, loc.Value)
}

// schemeOf is the scheme of a DesktopOwnerSettings value, in lower case:
// "https", "http", "file" (for file:// and Windows' file:\\\ forms), another
// that is followed by ://, or "" for a path.
func schemeOf(value string) string {
	if len(value) >= len("file:") && strings.EqualFold(value[:len("file:")], "file:") {
		return "file"
	}
	if scheme, _, ok := strings.Cut(value, "://"); ok {
		return strings.ToLower(scheme)
	}
	return ""
}

// read reads the file at loc: https:// strictly, http:// relaxed (the
// caller parses it deny-only), file:// or a path from the disk.
func (l *Loader) read(ctx context.Context, loc Location, last *fetch.Entry) (body []byte, v fetch.Validators, notModified bool, err error) {
	if scheme := schemeOf(loc.Value); scheme == "https" || scheme == "http" {
		var cond fetch.Validators
		if last != nil {
			cond = last.Validators
		}
		var resp *fetch.Response
		if scheme == "https" {
			resp, err = l.HTTP.GetStrict(ctx, loc.Value, MaxSize, cond)
		} else {
			// Anyone on the network could have written what comes back:
			// the caller parses it deny-only.
			resp, err = l.HTTP.GetRelaxed(ctx, loc.Value, fetch.Lifted{HTTPStart: true}, MaxSize, cond)
		}
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
// (a path or a file URL); "" for a remote one or one that does not parse.
func LocalPath(value string) string {
	path, _ := localPath(Location{Value: value})
	return path
}

// localPath is the local file that loc names: a file URL or a path.
func localPath(loc Location) (string, error) {
	switch schemeOf(loc.Value) {
	case "":
		return loc.Value, nil
	case "file":
		path, err := platform.FileURLPath(loc.Value)
		if err != nil {
			return "", fmt.Errorf("owner: DesktopOwnerSettings (in %s): %w", loc.SetBy, err)
		}
		return path, nil
	case "http", "https":
		return "", nil
	}
	return "", fmt.Errorf("owner: DesktopOwnerSettings %q (in %s): want https://, http://, file:// or a path", loc.Value, loc.SetBy)
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
