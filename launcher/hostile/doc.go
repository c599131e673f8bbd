// Package hostile holds no code: its tests are rvm's hostile-inputs suite,
// run by `make test` with every other test. rvm is security software, and
// these tests play the attacker against the real parts (real TLS servers on
// loopback, real files, the real local API on its Unix socket) and check
// that each attack ends within its bound, with an error that names the
// problem, in bounded memory, and that no attack turns into a grant.
//
// The suite has these parts, one file each:
//
//   - hostile_servers_test.go: a vendor server that trickles its headers,
//     never ends its body, sends a gzip bomb or 100 KB of headers,
//     redirects in a loop or down to http:, speaks only TLS 1.0, shows a
//     certificate for another host, or closes mid-body (with and without a
//     cached copy to fall back on). Over HTTP/1.1 and HTTP/2 where both
//     apply.
//   - hostile_documents_test.go: manifests, trustedAppConfigs blocks and
//     their signed configs, desktop owner settings and machine settings
//     that nest 100,000 levels deep, request 10,000 permissions, hold
//     invalid UTF-8, a byte-order mark, duplicate keys at every level,
//     numbers where strings belong, megabytes of base64 or trailing
//     garbage. The small vectors live in testdata/hostile (a new case is a
//     new file); the large ones are made by the tests.
//   - hostile_api_test.go: the local API of an in-process service under
//     oversized and malformed requests, a flood of 10,000 requests, a peer
//     of another user (hostile_api_peer_test.go, when the tests run as root
//     on Linux or macOS) and requests that stall half-way; the service
//     keeps serving everyone else.
//   - hostile_settings_test.go: a desktop owner settings file replaced by
//     rename 100 times a second, valid and invalid in turn, while verifies
//     and launches run; and machine settings of every wrong type.
//   - hostile_owner_sources_test.go: the owner's machine settings file
//     broken in each way of testdata/hostile/machine (it fails closed),
//     and a user's settings file that tries to loosen the owner's
//     (it only tightens; --trust-roots is refused where the owner pins
//     the roots).
//   - hostile_chain_test.go: a block's chain as an attacker forges it
//     (re-encoded, re-issued, weak, name-constrained), incomplete CRLs
//     on a loopback CRL server, signed constraints and hidden names.
//   - hostile_remote_owner_test.go: a lenient desktop owner settings file
//     served over https and over plain http on loopback, where anyone who
//     binds the port first could have written it: over http its grants
//     and its allow give nothing (with notices), its denials and
//     allow-list apply.
//   - hostile_mitm_test.go: a man in the middle with its own certificate
//     on the way to the vendor: its relaxed manifest gets no grant, no
//     stored answer, no arguments, and never replaces the strict cached
//     copy; allow-list entries by scheme.
//   - hostile_urls_test.go: URL forms that must reach the owner's
//     policies (fullwidth and ideographic dots, case, IDN, dot segments)
//     and forms refused before any fetch, at the start and at each
//     redirect hop.
//   - hostile_decisions_test.go: signed and owner constraints, stored
//     answers against the owner's default, owner settings unavailable
//     (launch refused).
//   - hostile_prompts_test.go: answers to an unauthenticated manifest and
//     a dialog without a display, stored nowhere.
//   - hostile_signer_test.go: a user's trust in a signer (SPEC 5.7)
//     against a man in the middle who replays the signer's block over a
//     relaxed fetch, and against a manifest the signer's block does not
//     match: no grant, and no answer all offered.
//   - hostile_allowlist_test.go: an allow-list must admit the requested
//     and the final URL of a redirect.
//   - hostile_runtime_test.go: a runtime repository's mirror that rolls
//     the timestamp back, serves an archive whose bytes differ from those
//     signed or an HTML error page in its place, and a version the owner
//     blocks, each through a whole launch (launcher/runtime/repo has the
//     repository's own suite): one line naming the role or target, and
//     nothing installed or started.
//
// Timeouts that are long in production (seconds) are injected short where
// the code lets them be (fetch.Fetcher.Timeouts); the tests that must
// wait for a real one (the local API's 10 s read timeout) run in parallel.
// No test asserts how long anything took. Memory is checked with runtime.MemStats around the
// attack, against a bound far below what the attack would cost unbounded.
package hostile
