package settings

import "os/user"

// platformSources: the property lists of SPEC section 4, for the user this
// process runs as (its name from the system, not the environment).
func platformSources(getenv func(string) string) Sources {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return plistSources("/", getenv("HOME"), name)
}
