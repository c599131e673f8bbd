package permissions

// known is the one table of the permission names rvm knows. A name outside
// it is reported as denied with source unknown-permission and never granted.
var known = map[string]bool{
	"System.clearCache":               true,
	"System.downloadAsset":            true,
	"System.getEnvironmentVariable":   true,
	"System.getProcessList":           true,
	"System.launchExternalProcess":    true,
	"System.readRegistryValue":        true,
	"System.terminateExternalProcess": true,
	"System.getDeviceUserId":          true,
	"System.getCookies":               true,
	"Window.executeJavaScript":        true,
	"Window.getSnapshot":              true,
	"Application.setShortcuts":        true,
	"webAPIs.clipboard-read":          true,
	"webAPIs.notifications":           true,
	"webAPIs.geolocation":             true,
}

// Known reports whether name (a dotted permission path) is a permission rvm
// knows.
func Known(name string) bool { return known[name] }
