package platform

// machineSettingsSources: the property lists of SPEC section 4.
func machineSettingsSources(getenv func(string) string) []SettingsSource {
	return plistSettingsSources("/", getenv("HOME"))
}
