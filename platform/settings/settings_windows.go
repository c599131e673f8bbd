package settings

// machineSettingsSources: the registry keys of SPEC section 4.
func machineSettingsSources(getenv func(string) string) []Source {
	return registrySettingsSources(`Software`)
}
