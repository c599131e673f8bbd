package platform

// machineSettingsSources: the registry keys of SPEC section 4.
func machineSettingsSources(getenv func(string) string) []SettingsSource {
	return registrySettingsSources(`Software`)
}
