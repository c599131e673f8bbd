// Package pattern is rvm's one implementation of URL match patterns (SPEC
// section 5.3): the patterns with which a signed trustedAppConfigs block
// names the manifest URLs an app entry covers, and those of a desktop
// owner's policies (allowedManifestUrls and applicationSettings urls). A
// pattern that can be fooled would hand a signed block's permissions to a
// page its signer never meant, so patterns are parsed strictly and matched
// by structure, never by substring.
//
// # Patterns
//
// A pattern is
//
//	SCHEME://HOST[:PORT]/PATH
//
// In Strict mode, for signed blocks:
//
//   - SCHEME is https (letters in any case).
//   - HOST is a host name, or "*." and a host name. The wildcard is only
//     ever the whole first label: *.example.com matches example.com itself
//     and every name below it (a.example.com, a.b.example.com), and never a
//     name that merely ends in the same letters (evil-example.com,
//     example.com.evil.com). The name has at least two labels and is not a
//     public suffix of either section of the Public Suffix List: *.com,
//     *.co.uk and *.github.io are refused, and so are co.uk and github.io
//     without the wildcard. localhost, names ending in .localhost and IP
//     addresses are refused, and so is a name whose last label is a number
//     (127.1, 0x7f.1), which browsers read as an IPv4 address. Letters
//     compare without case, and one trailing dot is dropped.
//   - Internationalized names are converted to ASCII (punycode) at parse
//     time with the IDNA lookup profile; a name that does not convert is
//     refused. *.bücher.de is the pattern *.xn--bcher-kva.de, and a URL
//     whose host is SHOP.BÜCHER.de matches it; a look-alike name (exаmple
//     with a Cyrillic а) is another name.
//   - PORT is a number from 1 to 65535. Without it the pattern matches the
//     scheme's default port only (443 for https); https://example.com:443/
//     and https://example.com/ are the same pattern.
//   - PATH starts with "/". A * stands for any run of characters, "/"
//     included and the empty run too; nothing else is special, and letters
//     compare with case. At most MaxWildcards * may appear. A pattern has
//     no query or fragment (? and # are refused) and no "." or ".."
//     segments, since it is matched against paths that have none. Its
//     percent-encoding is normalized as a URL path's is (below), and
//     %2E, %2F and %5C are refused there too.
//
// In Owner mode, for desktop owner policies, the same rules hold, but
// SCHEME may also be http, or * for either of http and https, and HOST may
// be localhost, a name below it, an IPv4 address or an IPv6 address in
// brackets ([::1]). Without a port, http matches port 80 only and * matches
// https on 443 and http on 80.
//
// Anywhere in a pattern, spaces, control characters, bidirectional
// formatting characters, backslashes and user info ("user@") are refused,
// and so is a pattern longer than MaxPatternLen. A refused pattern's error
// names the rule it broke:
//
//	pattern: "https://*.co.uk/*": *.co.uk is a public suffix (ICANN section of the list)
//
// # URLs
//
// A URL is normalized once, before it is used (SPEC section 2), and the
// normalized URL is what rvm fetches, what patterns match, what stored
// answers are keyed by and what the runtime is given: NormalizeURL
// returns it, and ParseURL returns its parts for matching. manifest
// normalizes a launch request with it before the fetch, and manifest/fetch
// every URL it fetches and every redirect hop before following it, so
// that no server is ever asked for a URL other than the one that was
// matched. Normalizing:
//
//   - refuses user info (https://example.com@evil.com/ and
//     https://evil.com@example.com/ alike), an empty host, a malformed
//     port, a space, a control character (C0 or C1) or a bidirectional
//     formatting character anywhere, a backslash before the query, a query
//     that is not UTF-8; in Strict mode also a scheme other than https and
//     an IP address host;
//   - lowercases the scheme and the host, converts the host to ASCII as
//     patterns are (the lookup profile maps the full stops ．, 。 and ｡ to
//     ".", so https://ａｐｐｓ．acme。test/ is https://apps.acme.test/), drops
//     one trailing dot and the scheme's default port;
//   - keeps the query as given, though it takes no part in a match, so
//     https://example.com/?/app/x has the path "/"; drops the fragment;
//   - normalizes the path's percent-encoding: an encoded unreserved
//     character (letters, digits, "-", "_", "~") is decoded, every other
//     escape is kept with upper-case hex digits, and bytes that may not
//     stand in a path (non-ASCII ones among them) are encoded. Pattern
//     paths are normalized in the same way, so /café/* and /caf%C3%A9/*
//     are one pattern;
//   - removes dot segments as RFC 3986 section 5.2.4 says, so
//     /uploads/../blotter/app.json is /blotter/app.json, matched and
//     fetched alike;
//   - refuses, rather than guessing how a server reads it, a path holding
//     an encoded slash (%2F), backslash (%5C) or dot (%2E), or a dot
//     segment with parameters ("..;x"): servers differ on whether they
//     decode these before or after resolving dot segments, so
//     /app/..%2Fadmin or /app/%2e%2e/admin could reach /admin, and some
//     read "..;" as "..".
//
// # Examples
//
// The Strict pattern https://*.acme.com/blotter/*:
//
//	https://acme.com/blotter/index.json          matches
//	https://apps.eu.ACME.com./blotter/a/b.json   matches
//	https://acme.com:443/blotter/?q=1            matches (https://acme.com/blotter/?q=1)
//	https://acme.com/Blotter/index.json          no: path case
//	https://acme.com/blotter                     no: the pattern needs "/blotter/"
//	https://acme.com/blotter/../admin/x          no: the path is /admin/x
//	https://acme.com:8443/blotter/x              no: port
//	http://acme.com/blotter/x                    refused: scheme
//	https://evil-acme.com/blotter/x              no: another name
//	https://acme.com.evil.com/blotter/x          no: another name
//	https://acme.com@evil.com/blotter/x          refused: user info
//	https://acme.com/x?/blotter/y                no: the path is /x
//
// # Matching many patterns
//
// An Index holds many patterns, each with the number of its owner (an app
// entry, a policy), and returns the owners of all that match a URL. It
// finds them through the URL's host and its parent names, so a match costs
// about the same whatever the number of patterns, and allocates nothing.
package pattern
