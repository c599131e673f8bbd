package doctor

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/rvm-launcher/rvm/launcher"
	"github.com/rvm-launcher/rvm/launcher/api"
	"github.com/rvm-launcher/rvm/launcher/runtime/repo"
	"github.com/rvm-launcher/rvm/manifest"
	"github.com/rvm-launcher/rvm/manifest/fetch"
	"github.com/rvm-launcher/rvm/manifest/trust"
	"github.com/rvm-launcher/rvm/permissions/owner"
	"github.com/rvm-launcher/rvm/platform"
	"github.com/rvm-launcher/rvm/platform/settings"
)

// RepositoryExpiryWarning is how close the expiry of a runtime
// repository's root or targets metadata may come before the
// runtime-repository check warns. Its snapshot and timestamp metadata are
// left out: a repository re-signs them at most a week apart (rvm-repo's
// defaults: 7 days and 1 day), so they are always that close, and once
// one has expired the repository does not verify, which fails.
const RepositoryExpiryWarning = 7 * 24 * time.Hour

// maxListed bounds the items one detail lists.
const maxListed = 10

// checkMachineSettings: the machine settings are readable and valid.
func checkMachineSettings(ms *settings.Machine) Check {
	c := Check{Name: NameMachineSettings}
	if len(ms.Errors) > 0 {
		faults := make([]string, len(ms.Errors))
		for i, err := range ms.Errors {
			faults[i] = err.Error()
		}
		c.Status, c.Detail = Failed, fmt.Sprintf("the machine settings have %s, and what each could set counts as its strictest value: %s", plural(len(faults), "fault"), list(faults))
		return c
	}
	if len(ms.Notices) > 0 {
		c.Status, c.Detail = Warning, fmt.Sprintf("the machine settings are valid, but %s: %s", plural(len(ms.Notices), "per-user value does not apply", "per-user values do not apply"), list(ms.Notices))
		return c
	}
	var sources []string
	for _, s := range settings.Table {
		if src := ms.Values[s.Name].Source; src != settings.SourceDefault && !slices.Contains(sources, src) {
			sources = append(sources, src)
		}
	}
	c.Status, c.Detail = OK, "no source sets a machine setting, so each has its default"
	if len(sources) > 0 {
		c.Detail = "the machine settings are valid, from " + strings.Join(sources, ", ")
	}
	return c
}

// httpsSettings are the HTTPS settings (SPEC 3), each with its check and
// what 1 lets through.
var httpsSettings = []struct{ check, setting, allows string }{
	{NameInvalidCertificates, settings.AllowInvalidNetworkCertificates, "a manifest whose server certificate does not verify is fetched again, relaxed and untrusted"},
	{NameHTTPSToHTTPRedirects, settings.AllowHTTPSToHTTPRedirects, "a manifest fetch redirected from https: to http: goes on, relaxed and untrusted"},
	{NameHTTPToHTTPSRedirects, settings.AllowHTTPToHTTPSRedirects, "an http: manifest URL (a fin:// link) is fetched, relaxed and untrusted"},
}

// checkHTTPS: each HTTPS setting is 0 (ok), set to 1 (failed), or unset,
// which counts as 1 (warning).
func checkHTTPS(ms *settings.Machine) []Check {
	var out []Check
	for _, h := range httpsSettings {
		c := Check{Name: h.check}
		switch v := ms.Values[h.setting]; {
		case v.FailedClosed:
			c.Status, c.Detail = OK, fmt.Sprintf("%s counts as 0, the strictest value, since %s could not be read or holds an invalid value for it (see %s)", h.setting, v.Source, NameMachineSettings)
		case v.Source == settings.SourceDefault:
			c.Status, c.Detail = Warning, fmt.Sprintf("%s is not set, and unset it counts as 1: %s; set it to 0 in an owner source to refuse that", h.setting, h.allows)
		case v.Value == 1:
			c.Status, c.Detail = Failed, fmt.Sprintf("%s is set to 1 in %s: %s", h.setting, v.Source, h.allows)
		default:
			c.Status, c.Detail = OK, fmt.Sprintf("%s is 0 in %s", h.setting, v.Source)
		}
		out = append(out, c)
	}
	return out
}

// checkOwnerSettings loads the desktop owner settings that ms names, as a
// decision does, and checks them (see ownerCheck).
func checkOwnerSettings(ctx context.Context, ld *owner.Loader, ms *settings.Machine) (owner.Loaded, Check) {
	value, setBy, invalid := ms.OwnerLocation()
	own := ld.Load(ctx, owner.Location{Value: value, SetBy: setBy, Invalid: invalid})
	return own, ownerCheck(own, own.Notices())
}

// ownerCheck: the desktop owner settings are reachable and fully
// understood. No good copy fails; the last good copy standing in for an
// unreachable or invalid file is a warning, and so are the notices of the
// copy in use.
func ownerCheck(own owner.Loaded, notices []string) Check {
	c := Check{Name: NameOwnerSettings}
	switch {
	case !own.Configured:
		c.Status, c.Detail = OK, "no desktop owner settings are configured (DesktopOwnerSettings is not set, or set to none)"
	case own.Settings == nil:
		c.Status, c.Detail = Failed, fmt.Sprintf("%s, and no app launches", strings.Join(own.Warnings, "; "))
	case len(own.Warnings) > 0:
		c.Status, c.Detail = Warning, fmt.Sprintf("the last good copy stands in: %s", strings.Join(own.Warnings, "; "))
	case len(notices) > 0:
		c.Status, c.Detail = Warning, fmt.Sprintf("the desktop owner settings %q are in use, with %s: %s", own.Source, plural(len(notices), "notice"), list(notices))
	default:
		c.Status, c.Detail = OK, fmt.Sprintf("the desktop owner settings %q are read and fully understood", own.Source)
	}
	return c
}

// checkTrustRoots reads the trust roots in effect (TrustRootsFile, else
// the --trust-roots file flag names) and returns them, nil where there
// are none, with the check: none expiring within trust.ExpiryWarning
// (warning, SPEC 10; one that has expired too: what it signed is no
// longer trusted, and apps still launch, asking); failed where they
// cannot be read, which trusts nothing.
func checkTrustRoots(ms *settings.Machine, flag string, now time.Time) (*trust.Roots, Check) {
	c := Check{Name: NameTrustRoots}
	path, source, set := ms.TrustRootsFile()
	switch {
	case set && path == "":
		c.Status, c.Detail = Failed, fmt.Sprintf("TrustRootsFile in %s could not be read or holds an invalid value, which trusts nothing", source)
		return nil, c
	case set:
		source = "TrustRootsFile in " + source
	case flag != "":
		path, source = flag, "--trust-roots"
	default:
		c.Status, c.Detail = OK, "no trust roots are configured (TrustRootsFile is not set, and no --trust-roots was given), so no signed block is trusted"
		return nil, c
	}
	data, err := platform.ReadFileLimit(path, launcher.MaxTrustRoots)
	var certs []*x509.Certificate
	if err == nil {
		certs, err = trust.ParseCertificates(data)
	}
	if err != nil {
		c.Status, c.Detail = Failed, fmt.Sprintf("the trust roots %q (%s) cannot be used, which trusts nothing: %v", path, source, err)
		return nil, c
	}
	c.Status = OK
	var notes []string
	first := certs[0]
	for _, cert := range certs {
		if cert.NotAfter.Before(first.NotAfter) {
			first = cert
		}
		switch left := cert.NotAfter.Sub(now); {
		case left <= 0:
			c.Status = worst(c.Status, Warning)
			notes = append(notes, fmt.Sprintf("the root %q expired on %s, and no block it signed is trusted", trust.CertificateName(cert), day(cert.NotAfter)))
		case left < trust.ExpiryWarning:
			c.Status = worst(c.Status, Warning)
			notes = append(notes, fmt.Sprintf("the root %q expires on %s, in %s", trust.CertificateName(cert), day(cert.NotAfter), plural(days(left), "day")))
		}
	}
	if len(notes) > 0 {
		c.Detail = fmt.Sprintf("of the trust roots %q (%s), %s", path, source, list(notes))
	} else {
		c.Detail = fmt.Sprintf("%s in %q (%s), the first to expire %q on %s", plural(len(certs), "trust root"), path, source, trust.CertificateName(first), day(first.NotAfter))
	}
	return trust.NewRoots(certs...), c
}

// checkSignedBlocks: the trustedAppConfigs blocks in use, those of the
// manifests cached in store (strict fetches only) that verify with roots
// for platform, none expiring within trust.ExpiryWarning (warning; an
// expired one too). Revocation lists are not consulted here, only the
// owner's revoked certificates: expiry is what is checked.
func checkSignedBlocks(ctx context.Context, store *fetch.Store, roots *trust.Roots, revoked trust.Revocations, platform string, now time.Time) Check {
	c := Check{Name: NameSignedBlocks}
	if roots == nil {
		c.Status, c.Detail = OK, fmt.Sprintf("no signed block is in use without trust roots (see %s)", NameTrustRoots)
		return c
	}
	v := &trust.Verifier{Roots: roots, Now: func() time.Time { return now }, RevocationMode: trust.RevocationOff, Revoked: revoked}
	seen := map[[32]byte]bool{}
	var (
		notes   []string
		inUse   int
		first   *trust.Result
		firstOf string
	)
	err := store.Walk(manifest.CacheKeyPrefix, func(e *fetch.Entry) bool {
		m, err := manifest.Parse(e.Body)
		if err != nil || m.TrustedAppConfigs == nil {
			return true
		}
		sum := sha256.Sum256(m.TrustedAppConfigs)
		if seen[sum] {
			return true
		}
		seen[sum] = true
		res, err := v.VerifyBlock(ctx, m.TrustedAppConfigs, platform)
		var te *trust.Error
		switch {
		case errors.As(err, &te) && te.Code == trust.CertificateExpired:
			notes = append(notes, fmt.Sprintf("the block of %q has expired: %s", e.FinalURL, te.Reason))
		case err != nil:
			// Not in use with these roots: another authority's, or
			// refused for another reason, which a decision reports.
		default:
			inUse++
			if left := res.Expires.Sub(now); left < trust.ExpiryWarning {
				notes = append(notes, fmt.Sprintf("the block of %q, signed by %q: its certificate %q expires on %s, in %s", e.FinalURL, res.Signer, res.ExpiresFirst, day(res.Expires), plural(days(left), "day")))
			}
			if first == nil || res.Expires.Before(first.Expires) {
				first, firstOf = res, e.FinalURL
			}
		}
		return true
	})
	switch {
	case err != nil:
		c.Status, c.Detail = Warning, fmt.Sprintf("the cached manifests cannot be read: %v", err)
	case len(notes) > 0:
		slices.Sort(notes)
		c.Status, c.Detail = Warning, list(notes)
	case inUse == 0:
		c.Status, c.Detail = OK, fmt.Sprintf("no cached manifest holds a block that these trust roots verify (in %q)", store.Dir)
	default:
		verify := "verify"
		if inUse == 1 {
			verify = "verifies"
		}
		c.Status, c.Detail = OK, fmt.Sprintf("%s in cached manifests %s, the first to expire that of %q, signed by %q, on %s", plural(inUse, "signed block"), verify, firstOf, first.Signer, day(first.Expires))
	}
	return c
}

// checkTrustRootsFile: TrustRootsFile can be replaced by administrators
// only.
func checkTrustRootsFile(ms *settings.Machine) Check {
	path, source, set := ms.TrustRootsFile()
	return checkProtected(NameTrustRootsFile, settings.TrustRootsFile, path, source, set)
}

// checkRepositoryRoot: RuntimeRepositoryRoot can be replaced by
// administrators only.
func checkRepositoryRoot(ms *settings.Machine) Check {
	v := ms.Values[settings.RuntimeRepositoryRoot]
	path, _ := v.Value.(string)
	return checkProtected(NameRepositoryRoot, settings.RuntimeRepositoryRoot, path, v.Source, v.Source != settings.SourceDefault)
}

// checkProtected: the file at path, which setting names (set in source,
// where set), can be replaced by administrators only
// (platform.CheckAdminOnly); failed where anyone else could.
func checkProtected(name, setting, path, source string, set bool) Check {
	c := Check{Name: name}
	switch {
	case !set:
		c.Status, c.Detail = OK, setting+" is not set"
		return c
	case path == "":
		c.Status, c.Detail = OK, fmt.Sprintf("%s in %s could not be read or holds an invalid value (see %s), so it names no file", setting, source, NameMachineSettings)
		return c
	}
	err := platform.CheckAdminOnly(path)
	var unsafe *platform.UnsafePathError
	switch {
	case err == nil:
		c.Status, c.Detail = OK, fmt.Sprintf("%s %q (in %s) can be replaced by administrators only", setting, path, source)
	case errors.As(err, &unsafe):
		c.Status, c.Detail = Failed, fmt.Sprintf("%s %q (in %s) could be replaced by others: %q: %s", setting, path, source, unsafe.Path, unsafe.Reason)
	default:
		c.Status, c.Detail = Failed, fmt.Sprintf("%s %q (in %s) cannot be checked: %v", setting, path, source, err)
	}
	return c
}

// repoInputs are what a runtime repository client is made with.
type repoInputs struct {
	dataDir string
	fetcher *fetch.Fetcher
	now     func() time.Time
}

// checkRepository: the runtime repository is reachable, as a launch would
// refresh it, its root and targets metadata not expiring within
// RepositoryExpiryWarning (warning otherwise, SPEC 10: unreachable or
// expired, installed runtimes still launch); failed where it does not
// verify (a signature, a rollback, a file not the one signed: what it
// serves is refused) or its trusted root cannot be used. None configured
// is ok; one half configured fails.
func checkRepository(ctx context.Context, ms *settings.Machine, in repoInputs) Check {
	c := Check{Name: NameRuntimeRepository}
	url, rootPath, err := ms.RuntimeRepository()
	switch {
	case err != nil:
		c.Status, c.Detail = Failed, err.Error()
		return c
	case url == "":
		c.Status, c.Detail = OK, "none configured (RuntimeRepository and RuntimeRepositoryRoot are not set)"
		return c
	}
	root, err := platform.ReadFileLimit(rootPath, repo.MaxRoot)
	var client *repo.Client
	if err == nil {
		client, err = repo.New(repo.Options{URL: url, Root: root, DataDir: in.dataDir, Fetcher: in.fetcher, Now: in.now})
	}
	if err != nil {
		c.Status, c.Detail = Failed, fmt.Sprintf("the runtime repository %q cannot be used with the trusted root %q (RuntimeRepositoryRoot): %v", url, rootPath, err)
		return c
	}
	expires, err := client.Expires(ctx)
	var re *repo.Error
	switch {
	case errors.As(err, &re) && re.Offline():
		c.Status, c.Detail = Warning, fmt.Sprintf("the runtime repository %q is unreachable or its metadata has expired, so only installed runtimes launch: %v", url, err)
		return c
	case err != nil:
		c.Status, c.Detail = Failed, fmt.Sprintf("the runtime repository %q does not verify, and nothing it serves is used: %v", url, err)
		return c
	}
	var notes []string
	for _, role := range []string{metadata.ROOT, metadata.TARGETS} {
		if left := expires[role].Sub(in.now()); left < RepositoryExpiryWarning {
			notes = append(notes, fmt.Sprintf("its %s metadata expires on %s, in %s", role, day(expires[role]), plural(days(left), "day")))
		}
	}
	if len(notes) > 0 {
		c.Status, c.Detail = Warning, fmt.Sprintf("the runtime repository %q verifies, but %s", url, list(notes))
		return c
	}
	c.Status, c.Detail = OK, fmt.Sprintf("the runtime repository %q verifies; its metadata expires on %s (root), %s (targets), %s (snapshot) and %s (timestamp)", url,
		day(expires[metadata.ROOT]), day(expires[metadata.TARGETS]), day(expires[metadata.SNAPSHOT]), day(expires[metadata.TIMESTAMP]))
	return c
}

// checkService: the service is installed with the service manager and
// answers on its socket (warning where not).
func checkService(ctx context.Context, svc Service) Check {
	c := Check{Name: NameService}
	installed, manager := true, "no service manager was asked"
	if svc.State != nil {
		st, err := svc.State()
		switch {
		case err != nil:
			manager = "the service manager cannot tell whether it is installed: " + err.Error()
		default:
			installed, manager = st.Installed, "the service manager says: "+st.String()
		}
	}
	st, err := (&api.Client{Sockets: []string{svc.Socket}}).Status(ctx)
	switch {
	case err != nil:
		c.Status, c.Detail = Warning, fmt.Sprintf("no service answers on %q, so each command decides in its own process (%v); %s", svc.Socket, err, manager)
	case !installed:
		c.Status, c.Detail = Warning, fmt.Sprintf("a service answers on %q (pid %d), but it is not installed, so it does not start with the machine; %s", svc.Socket, st.PID, manager)
	default:
		c.Status, c.Detail = OK, fmt.Sprintf("the service answers on %q (pid %d, up %s); %s", svc.Socket, st.PID, time.Duration(st.UptimeSeconds)*time.Second, manager)
	}
	return c
}

// checkServiceFiles: the service's folder and socket have the owners and
// modes of SPEC 7 (platform.CheckServiceFiles); failed otherwise. Where
// there is no socket, no service serves from the folder, and there is
// nothing to check.
func checkServiceFiles(svc Service) Check {
	c := Check{Name: NameServiceFiles}
	kind := "per-user"
	if svc.System {
		kind = "system"
	}
	err := platform.CheckServiceFiles(svc.Socket, svc.System)
	var unsafe *platform.UnsafePathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.Status, c.Detail = OK, fmt.Sprintf("no service serves from %q: there is no socket there to check", filepath.Dir(svc.Socket))
	case err == nil:
		c.Status, c.Detail = OK, fmt.Sprintf("%q and its socket have the owner and modes of a %s service", filepath.Dir(svc.Socket), kind)
	case errors.As(err, &unsafe):
		c.Status, c.Detail = Failed, fmt.Sprintf("the %s service's files are not as rvm makes them: %q: %s", kind, unsafe.Path, unsafe.Reason)
	default:
		c.Status, c.Detail = Failed, fmt.Sprintf("the %s service's files at %q cannot be checked: %v", kind, filepath.Dir(svc.Socket), err)
	}
	return c
}

// worst is the worse of s and t.
func worst(s, t Status) Status {
	if t.worse(s) {
		return t
	}
	return s
}

// day is t as a date, in UTC.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// days is d in whole days, rounded up.
func days(d time.Duration) int { return int(math.Ceil(d.Hours() / 24)) }

// plural is n and the noun: one, or else many (one and "s" where not
// given).
func plural(n int, one string, many ...string) string {
	if n == 1 {
		return "1 " + one
	}
	if len(many) > 0 {
		return fmt.Sprintf("%d %s", n, many[0])
	}
	return fmt.Sprintf("%d %ss", n, one)
}

// list joins items into one sentence's part, at most maxListed of them.
func list(items []string) string {
	if len(items) <= maxListed {
		return strings.Join(items, "; ")
	}
	return strings.Join(items[:maxListed], "; ") + fmt.Sprintf("; and %d more", len(items)-maxListed)
}
