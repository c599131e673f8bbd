package trust

import (
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/rvm-launcher/rvm/permissions/pattern"
)

// NameConstraintsError says that a pattern lies outside the DNS name
// constraints of a chain (SPEC 5.3).
type NameConstraintsError struct {
	// Pattern is the pattern at fault.
	Pattern pattern.Pattern
	// Certificate is the certificate whose constraints it breaks.
	Certificate *x509.Certificate
	// Constraint is the excluded subtree that a host of the pattern falls
	// in; "" where no permitted subtree holds every host of the pattern.
	Constraint string
}

func (e *NameConstraintsError) Error() string {
	name := CertificateName(e.Certificate)
	if e.Constraint != "" {
		return fmt.Sprintf("pattern %q can match hosts in %q, which certificate %q excludes", e.Pattern, e.Constraint, name)
	}
	quoted := make([]string, len(e.Certificate.PermittedDNSDomains))
	for i, d := range e.Certificate.PermittedDNSDomains {
		quoted[i] = fmt.Sprintf("%q", d)
	}
	return fmt.Sprintf("pattern %q can match hosts that certificate %q does not permit: it permits %s only", e.Pattern, name, strings.Join(quoted, ", "))
}

// CheckNameConstraints reports, as a *NameConstraintsError, whether p
// can match a host that the DNS name constraints of a certificate of
// chain do not permit, or exclude (SPEC 5.3); nil when every host that p
// can match is within them all. A constraint covers its domain and every
// name below it, or with a leading "." only the names below it; so
// "https://*.acme.test/*" is within a permitted "acme.test" and not
// within ".acme.test" or "partner.test", and an excluded
// "secret.acme.test" leaves it outside. Verify skips the app entries
// holding such a pattern; rvm-trust sign refuses them.
func CheckNameConstraints(p pattern.Pattern, chain []*x509.Certificate) error {
	host := p.Host()
	base, wildcard := strings.CutPrefix(host, "*.")
	for _, c := range chain {
		if len(c.PermittedDNSDomains) > 0 && !permitted(base, c.PermittedDNSDomains) {
			return &NameConstraintsError{Pattern: p, Certificate: c}
		}
		for _, k := range c.ExcludedDNSDomains {
			if excludes(k, base, wildcard) {
				return &NameConstraintsError{Pattern: p, Certificate: c, Constraint: k}
			}
		}
	}
	return nil
}

// permitted reports whether name, and so every name below it, is within
// one of the constraints.
func permitted(name string, constraints []string) bool {
	for _, k := range constraints {
		if withinConstraint(name, k) {
			return true
		}
	}
	return false
}

// excludes reports whether the excluded constraint k holds name or, for a
// wildcard pattern, a name below it.
func excludes(k, name string, wildcard bool) bool {
	if withinConstraint(name, k) {
		return true
	}
	d := strings.TrimPrefix(strings.ToLower(k), ".")
	return wildcard && (d == name || strings.HasSuffix(d, "."+name))
}

// withinConstraint reports whether the host name is within the DNS name
// constraint k (RFC 5280 section 4.2.1.10, as x509 reads it), label by
// label and without regard to case: k itself and every name below it; with
// a leading ".", only the names below it; "" holds every name.
func withinConstraint(name, k string) bool {
	k = strings.ToLower(k)
	if k == "" {
		return true
	}
	below, d := strings.HasPrefix(k, "."), strings.TrimPrefix(k, ".")
	if name == d {
		return !below
	}
	return strings.HasSuffix(name, "."+d)
}
