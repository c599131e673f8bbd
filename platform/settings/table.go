package settings

// Names of the machine settings (SPEC section 4). They are the same on every
// platform: registry value names, plist keys and JSON keys.
const (
	DesktopOwnerSettings            = "DesktopOwnerSettings"
	AllowInvalidNetworkCertificates = "allowInvalidNetworkCertificates"
	AllowHTTPSToHTTPRedirects       = "allowHttpsToHttpNetworkRedirects"
	AllowHTTPToHTTPSRedirects       = "allowHttpToHttpsNetworkRedirects"
	TrustRootsFile                  = "TrustRootsFile"
	RevocationMode                  = "RevocationMode"
	RuntimeDirectory                = "RuntimeDirectory"
	RuntimeRepository               = "RuntimeRepository"
	RuntimeRepositoryRoot           = "RuntimeRepositoryRoot"
	CachedManifestMaxAgeDays        = "CachedManifestMaxAgeDays"
)

// Kind is the type of a machine setting's value.
type Kind int

const (
	// KindString is a string: a REG_SZ (or REG_EXPAND_SZ), a plist
	// <string>, a JSON string.
	KindString Kind = iota + 1
	// KindFlag is 0 or 1: a REG_DWORD (or a REG_SZ of exactly "0" or
	// "1"), a plist <integer> or boolean, a JSON 0 or 1. Its Go value is
	// an int.
	KindFlag
	// KindNumber is a whole number of at least 0: a REG_DWORD (or a REG_SZ
	// of decimal digits), a plist <integer>, a JSON integer. Its Go value
	// is an int.
	KindNumber
)

// Scope says which sources may set a machine setting, and how a per-user
// value combines with the owner's (SPEC 4, "Precedence").
type Scope int

const (
	// ScopeOwner settings are read from owner sources only; a per-user
	// source that sets one is ignored with a notice.
	ScopeOwner Scope = iota + 1
	// ScopeAny settings may come from any source, but a per-user value
	// applies only where no owner source sets the name.
	ScopeAny
	// ScopeStricter settings may come from any source, and a per-user value
	// applies only where it is stricter than the owner's (or, with none,
	// than the default): for a flag 0, for a number the lower, for a
	// string the later of Values.
	ScopeStricter
)

// Form is the form of a string setting. The paths must be absolute, so
// that no one's working directory decides what they name.
type Form int

const (
	// FormPath is an absolute path.
	FormPath Form = iota + 1
	// FormLocation is a URL (checked where it is used) or an absolute path.
	FormLocation
	// FormHTTPSURL is an absolute https:// URL with a host, and no user
	// info, query or fragment.
	FormHTTPSURL
)

// Setting is one row of the settings table.
type Setting struct {
	Name  string
	Kind  Kind
	Scope Scope
	// Values, for a string of fixed values, lists them from the loosest to
	// the strictest; nil for any string.
	Values []string
	// Form is what a string must look like; zero for any string.
	Form Form
	// Default is the value where no source sets the name (an int for a
	// flag or number, a string), nil where there is none or it depends on
	// the machine (RuntimeDirectory: <data dir>/runtime).
	Default any
	// Max bounds a number.
	Max int
	// OpenFin reports a name that OpenFin's own keys and files supply too;
	// they supply no other.
	OpenFin bool
	// Description is one line for templates and schemas.
	Description string
}

// maxCachedManifestMaxAgeDays bounds CachedManifestMaxAgeDays: a hundred
// years, far beyond any use and well within a time.Duration.
const maxCachedManifestMaxAgeDays = 36500

// Table is every machine setting of SPEC 4, in the spec's order: the one
// table that the code, the Group Policy and MDM templates and the JSON
// Schemas come from.
var Table = []Setting{
	{Name: DesktopOwnerSettings, Kind: KindString, Scope: ScopeAny, Form: FormLocation, OpenFin: true,
		Description: "Where the desktop owner settings file is: an https:// or http:// URL, a file:// URL or an absolute path; empty for none."},
	{Name: AllowInvalidNetworkCertificates, Kind: KindFlag, Scope: ScopeStricter, Default: 1, OpenFin: true,
		Description: "1 lets a manifest whose server certificate does not verify be fetched again, relaxed and untrusted; 0 refuses it."},
	{Name: AllowHTTPSToHTTPRedirects, Kind: KindFlag, Scope: ScopeStricter, Default: 1, OpenFin: true,
		Description: "1 lets a manifest fetch that is redirected from https: to http: go on, relaxed and untrusted; 0 refuses it."},
	{Name: AllowHTTPToHTTPSRedirects, Kind: KindFlag, Scope: ScopeStricter, Default: 1, OpenFin: true,
		Description: "1 lets an http: manifest URL (a fin:// link) be fetched, relaxed and untrusted; 0 refuses it."},
	{Name: TrustRootsFile, Kind: KindString, Scope: ScopeOwner, Form: FormPath,
		Description: "The PEM file of the trust roots that signed trustedAppConfigs blocks must chain to; while it is set, --trust-roots is refused."},
	{Name: RevocationMode, Kind: KindString, Scope: ScopeStricter, Values: []string{"off", "cached", "online"}, Default: "cached",
		Description: "How certificate revocation lists are checked: online (fetched at every check), cached (until their NextUpdate) or off."},
	{Name: RuntimeDirectory, Kind: KindString, Scope: ScopeAny, Form: FormPath,
		Description: "Where this user's runtimes are installed (default: runtime in rvm's data directory)."},
	{Name: RuntimeRepository, Kind: KindString, Scope: ScopeOwner, Form: FormHTTPSURL,
		Description: "The https:// base URL of the signed runtime repository; set together with RuntimeRepositoryRoot."},
	{Name: RuntimeRepositoryRoot, Kind: KindString, Scope: ScopeOwner, Form: FormPath,
		Description: "The path of the runtime repository's trusted 1.root.json; set together with RuntimeRepository."},
	{Name: CachedManifestMaxAgeDays, Kind: KindNumber, Scope: ScopeStricter, Default: 30, Max: maxCachedManifestMaxAgeDays,
		Description: "How many days old a cached manifest may be to stand in when the network fails; 0 turns the fallback off."},
}

// lookup returns the row of the setting name; nil for an unknown name.
func lookup(name string) *Setting {
	for i := range Table {
		if Table[i].Name == name {
			return &Table[i]
		}
	}
	return nil
}

// strictest is the value the setting counts as when it fails closed: 0
// for a flag and a number, the last of Values, and nil otherwise (no trust
// roots, no desktop owner settings (unavailable), no runtime repository,
// the default runtime directory).
func (s *Setting) strictest() any {
	switch {
	case s.Kind == KindFlag || s.Kind == KindNumber:
		return 0
	case s.Values != nil:
		return s.Values[len(s.Values)-1]
	}
	return nil
}

// rank orders values of a ScopeStricter setting: the higher, the
// stricter.
func (s *Setting) rank(v any) int {
	switch s.Kind {
	case KindFlag, KindNumber:
		n, _ := v.(int)
		return -n
	}
	str, _ := v.(string)
	for i, x := range s.Values {
		if x == str {
			return i
		}
	}
	return -1
}
