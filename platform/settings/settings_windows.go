package settings

// platformSources: the registry keys of SPEC section 4.
func platformSources(getenv func(string) string) Sources {
	return registrySources(`Software`)
}
