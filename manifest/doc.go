// Package manifest reads an app's manifest: what a launch request names
// (https://, fins:// and fin:// URLs), how the manifest is fetched (strict
// HTTPS first, a relaxed retry only where the machine settings allow it, the
// last cached copy when the network fails), and the keys rvm reads from it.
//
// # Manifest URLs
//
//	https://apps.acme.com/app.json            fetched as is
//	fins://apps.acme.com/app.json?$$t=ACME&v=2 fetches https://apps.acme.com/app.json?v=2
//	                                          and hands {"t": "ACME"} to the app
//	fin://apps.acme.com/app.json              http://apps.acme.com/app.json: relaxed only, never trusted
//
// Any other scheme, a URL with user info or without a host is refused. The
// URL to fetch is then normalized, once, as every URL rvm fetches or
// matches is (pattern.NormalizeURL, SPEC 2): https://Apps.ACME．com:443/x/../app.json
// is fetched, matched and stored as https://apps.acme.com/app.json, and a
// URL that cannot be normalized (a path holding %2E or a "..;" segment, a
// host that is no name) is refused before anything is fetched.
//
// # The manifest
//
// A JSON object of at most 1 MiB (MaxManifestSize), UTF-8, without a
// byte-order mark, and without duplicate keys at the top level or in the
// objects that rvm reads (permissions objects included, to any depth of
// their constraints). rvm reads runtime.version, runtime.arguments,
// trustedAppConfigs, and permissions from these places, in this order:
// startup_app.permissions, platform.permissions,
// platform.defaultWindowOptions.permissions,
// platform.defaultViewOptions.permissions, and the permissions of the
// objects under snapshot and platform.snapshot reached through windows,
// layout, content and componentState, at most MaxSnapshotDepth levels down
// (customData is not entered). A permission is requested when any place
// enables it, with the constraints of the first place that does. Every
// other key is kept and ignored. A wrong type for runtime, startup_app,
// platform, their permissions or trustedAppConfigs is an error naming the
// key; in the window, view and snapshot places it is a notice
// (Manifest.Notices), and the permissions there are not requested. A
// Workspace-style platform manifest:
//
//	{
//	  "runtime": {"version": "stable", "arguments": "--v=1"},
//	  "platform": {
//	    "uuid": "acme-workspace",
//	    "permissions": {"System": {"launchExternalProcess": true}},
//	    "defaultViewOptions": {"permissions": {"webAPIs": ["clipboard-read"]}}
//	  },
//	  "snapshot": {"windows": [{"layout": {"content": [{"type": "stack", "content": [
//	    {"type": "component", "componentState": {"url": "https://apps.acme.com/news/",
//	      "permissions": {"System": {"openUrlWithBrowser": {"enabled": true, "protocols": ["mailto"]}}}}}
//	  ]}]}}]},
//	  "trustedAppConfigs": {"value": "...", "signature": {"linux": "..."}}
//	}
//
// requests System.launchExternalProcess, webAPIs.clipboard-read and
// System.openUrlWithBrowser (with its protocols).
//
// # Fetching
//
// Fetcher.FetchManifest tries a strict fetch first: HTTPS only, TLS 1.2 or
// later, the certificate verified for the host against the system roots,
// every redirect hop HTTPS, at most 10 redirects, timeouts on connect,
// handshake, headers and the whole exchange, and a body of at most 1 MiB
// after decompression. A security failure (an invalid certificate, a
// downgrade to http:, an http: URL) is retried once, relaxed, only where the
// HTTPS security settings allow that kind of failure; the manifest then
// arrives untrusted. A network failure (refused, timed out, 5xx, cut short)
// falls back to the last cached copy, which remembers whether it came from a
// strict fetch.
package manifest
