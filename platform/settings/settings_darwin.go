package settings

// machineSettingsSources: the property lists of SPEC section 4.
func machineSettingsSources(getenv func(string) string) []Source {
	return plistSettingsSources("/", getenv("HOME"))
}
