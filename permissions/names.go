package permissions

import "slices"

// names is the one table of the permission names rvm knows (SPEC 2): every
// secured API of OpenFin's Permissions type, current and earlier, sorted.
// A name outside it is always denied with source unknown-permission, and
// never granted, whatever a policy or a block says. A test checks the
// table against the list kept in testdata/permissions/openfin.txt.
var names = []string{
	"Application.getFileDownloadLocation",
	"Application.getShortcuts",
	"Application.setFileDownloadLocation",
	"Application.setShortcuts",
	"Clipboard.readHtml",
	"Clipboard.readImage",
	"Clipboard.readRtf",
	"Clipboard.readText",
	"Clipboard.setClipboard",
	"Clipboard.write",
	"Clipboard.writeHtml",
	"Clipboard.writeImage",
	"Clipboard.writeRtf",
	"Clipboard.writeText",
	"ExternalWindow.wrap",
	"NotificationManager.init",
	"System.Clipboard.availableFormats",
	"System.Clipboard.readHtml",
	"System.Clipboard.readRtf",
	"System.Clipboard.readText",
	"System.Clipboard.write",
	"System.Clipboard.writeHtml",
	"System.Clipboard.writeRtf",
	"System.Clipboard.writeText",
	"System.clearCache",
	"System.deleteCacheOnExit",
	"System.downloadAsset",
	"System.downloadPreloadScripts",
	"System.downloadRuntime",
	"System.enableNativeWindowIntegrationProvider",
	"System.exit",
	"System.flushCookieStore",
	"System.getAllExternalWindows",
	"System.getCommandLineArguments",
	"System.getConfig",
	"System.getCookies",
	"System.getCurrentDomainSettings",
	"System.getCustomProtocolState",
	"System.getDeviceId",
	"System.getDeviceUserId",
	"System.getDomainSettings",
	"System.getEnvironmentVariable",
	"System.getHostSpecs",
	"System.getInstalledApps",
	"System.getInstalledRuntimes",
	"System.getLog",
	"System.getLogList",
	"System.getMachineId",
	"System.getMonitorInfo",
	"System.getMousePosition",
	"System.getOSInfo",
	"System.getProcessList",
	"System.getRemoteConfig",
	"System.launchExternalProcess",
	"System.launchLogUploader",
	"System.monitorExternalProcess",
	"System.openUrlWithBrowser",
	"System.readRegistryValue",
	"System.registerCustomProtocol",
	"System.registerExternalConnection",
	"System.releaseExternalProcess",
	"System.resolveDomainSettings",
	"System.serveAsset",
	"System.setClipboard",
	"System.setDomainSettings",
	"System.terminateExternalProcess",
	"System.unregisterCustomProtocol",
	"Window.executeJavaScript",
	"Window.getNativeId",
	"Window.getSnapshot",
	"webAPIs.audio",
	"webAPIs.clipboard-read",
	"webAPIs.clipboard-sanitized-write",
	"webAPIs.fullscreen",
	"webAPIs.geolocation",
	"webAPIs.hid",
	"webAPIs.midiSysex",
	"webAPIs.notifications",
	"webAPIs.openExternal",
	"webAPIs.pointerLock",
	"webAPIs.usb",
	"webAPIs.video",
}

// Known reports whether name (a dotted permission path) is a permission rvm
// knows.
func Known(name string) bool {
	_, ok := slices.BinarySearch(names, name)
	return ok
}

// Names returns every permission name rvm knows, sorted.
func Names() []string { return slices.Clone(names) }
