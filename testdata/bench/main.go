// Command bench prints rvm's performance table for `make bench` (see
// bench.sh, which builds the binaries and runs the Go benchmarks first).
//
// It reads the output of `go test -bench` (with -count, the median of each
// figure is kept), computes the ratios that the issues set targets for
// (the runtime install against curl + sha256sum + tar, and with
// -launch-base a launch whose runtime is installed against the same
// benchmark on an earlier commit, both run in turn in one run of
// bench.sh), then measures rvm as a user meets it, against a fast C TLS
// server (`openssl s_server -WWW`, with a certificate from a CA made here)
// serving one signed manifest on loopback:
//
//   - `rvm verify` as a whole process against curl fetching the same
//     manifest from the same server, alternated, the median of -runs each:
//     with the one TLS CA as the roots of both, then with the
//     distribution's bundle (and the CA) as the roots of both, and rvm
//     with SSL_CERT_DIR set to the system's folder, which crypto/x509 then
//     reads one file at a time;
//   - `rvm launch` of an installed runtime (cmd/example-runtime, which
//     prints the time of its exec) from the start of the rvm process to
//     that exec, deciding in-process;
//   - `rvm service run` in the foreground with RVM_HOME set: that it
//     starts outside a service manager and answers; `rvm verify` through
//     it against the floor (testdata/bench/floor: a bare Go program that
//     posts the same request to the socket and prints the answer), and
//     `rvm launch` through it, alternated; its resident memory and CPU
//     ticks while idle, then three bursts of 1,000 concurrent verify
//     requests over its socket (requests per second, p99, peak RSS), then
//     that it stops on SIGTERM.
//
// With -base (bench.sh's BASE=commit) the rvm built at that commit runs
// alternated with this one in the whole-process rows, for before/after
// figures measured in one run.
//
// Every rvm process runs with RVM_HOME in a temporary directory,
// RVM_MACHINE_SETTINGS pointing at a file that names only the runtime
// folder (so that no system settings are read), SSL_CERT_FILE holding the
// TLS CA and SSL_CERT_DIR unset, as on a desktop; DISPLAY and
// WAYLAND_DISPLAY unset, so that nothing can ask a question.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/rvm-launcher/rvm/manifest/manifesttest"
)

func main() {
	var (
		gotest     = flag.String("gotest", "", "output of go test -bench")
		bin        = flag.String("bin", "", "directory holding rvm, rvm-trust, example-runtime and floor")
		base       = flag.String("base", "", "directory holding an rvm built at another commit, to compare with")
		baseName   = flag.String("base-name", "base", "what -base and -launch-base were built from")
		demo       = flag.String("demo", "testdata/demo", "the demo's directory (app.json, apps.json.in)")
		work       = flag.String("work", "", "scratch directory")
		runs       = flag.Int("runs", 25, "runs of each command in the end-to-end comparisons")
		launch     = flag.String("launch", "", "output of BenchmarkLaunchInstalled on this tree, run in turn with -launch-base")
		launchBase = flag.String("launch-base", "", "output of BenchmarkLaunchInstalled on the commit named by -base-name")
	)
	flag.Parse()
	b := &bench{bin: *bin, base: *base, baseName: *baseName, demo: *demo, work: *work, runs: *runs, launch: *launch, launchBase: *launchBase}
	if err := b.run(*gotest); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type bench struct {
	bin, base, baseName, demo, work string
	runs                            int
	// The outputs of BenchmarkLaunchInstalled here and at baseName.
	launch, launchBase string

	// Set up by vendor.
	url, resolve, roots, settings, caFile string
	burstURL, burstResolve                string // the Go server's
	home                                  string // RVM_HOME of the in-process runs
	env                                   []string
	server                                string // what serves the manifest

	rows []row
}

// row is one line of the summary: a figure, its target and the verdict
// ("" for a figure without a target).
type row struct {
	figure, value, target, verdict string
}

func (b *bench) add(figure, value, target string, pass bool) {
	v := "PASS"
	if !pass {
		v = "FAIL"
	}
	if target == "" {
		v = ""
	}
	b.rows = append(b.rows, row{figure, value, target, v})
}

func (b *bench) skip(figure, why string) {
	b.rows = append(b.rows, row{figure, why, "", "SKIP"})
}

// ratio adds the row num/den, with a target of at most max (none where
// max is 0).
func (b *bench) ratio(figure string, num, den time.Duration, max float64, aim string) {
	r := float64(num) / float64(den)
	target := ""
	if max > 0 {
		target = fmt.Sprintf("<= %gx%s", max, aim)
	}
	b.add(figure, fmt.Sprintf("%.2fx", r), target, r <= max)
}

func (b *bench) run(gotest string) error {
	results, err := readGoTest(gotest)
	if err != nil {
		return err
	}
	printBenchmarks(results)
	b.ratios(results)
	b.fleet(results)
	if err := b.launchAgainstBase(); err != nil {
		return err
	}
	stop, err := b.vendor()
	if err != nil {
		return err
	}
	defer stop()
	if err := b.endToEnd(); err != nil {
		return err
	}
	if err := b.service(); err != nil {
		return err
	}
	b.printSummary()
	return nil
}

// result is one benchmark: the median of each of its figures over the
// runs of -count.
type result struct {
	pkg, name string
	units     []string // in the order go test prints them
	values    map[string][]float64
}

func (r *result) median(unit string) (float64, bool) {
	v := r.values[unit]
	if len(v) == 0 {
		return 0, false
	}
	return median(v), true
}

// readGoTest reads benchmark lines such as
//
//	BenchmarkMatch/patterns=10-2  9313584  128.5 ns/op  0 B/op  0 allocs/op
func readGoTest(path string) ([]*result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []*result
	byName := map[string]*result{}
	pkg := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "github.com/rvm-launcher/rvm/")
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") || len(fields)%2 != 0 {
			continue
		}
		name := fields[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i] // the GOMAXPROCS suffix
		}
		r := byName[pkg+" "+name]
		if r == nil {
			r = &result{pkg: pkg, name: name, values: map[string][]float64{}}
			byName[pkg+" "+name] = r
			out = append(out, r)
		}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			unit := fields[i+1]
			if _, seen := r.values[unit]; !seen {
				r.units = append(r.units, unit)
			}
			r.values[unit] = append(r.values[unit], v)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no benchmark results", path)
	}
	return out, sc.Err()
}

func printBenchmarks(results []*result) {
	fmt.Println("Benchmarks (go test -bench, median of the runs)")
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "package\tbenchmark\tns/op\tB/op\tallocs/op\tother\t")
	for _, r := range results {
		ns, _ := r.median("ns/op")
		by, _ := r.median("B/op")
		al, _ := r.median("allocs/op")
		var other []string
		for _, u := range r.units {
			if u == "ns/op" || u == "B/op" || u == "allocs/op" {
				continue
			}
			v, _ := r.median(u)
			other = append(other, fmt.Sprintf("%s %s", num(v), u))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", r.pkg, r.name, num(ns), num(by), num(al), strings.Join(other, ", "))
	}
	tw.Flush()
	fmt.Println()
}

// ratios adds the ratios of the issues' benchmark targets.
func (b *bench) ratios(results []*result) {
	ns := func(name string) (float64, bool) {
		for _, r := range results {
			if r.name == name {
				return r.median("ns/op")
			}
		}
		return 0, false
	}
	for _, q := range []struct {
		figure, num, den string
		max              float64
	}{
		{"Match patterns=100000 / patterns=10", "BenchmarkMatch/patterns=100000", "BenchmarkMatch/patterns=10", 3},
		{"VerifyTrustedAppConfigs / VerifyCryptoFloor", "BenchmarkVerifyTrustedAppConfigs", "BenchmarkVerifyCryptoFloor", 1.3},
		{"VerifyTrustedAppConfigsCached / VerifyCryptoFloor", "BenchmarkVerifyTrustedAppConfigsCached", "BenchmarkVerifyCryptoFloor", 0.05},
		{"Decide policies=1000 / policies=1", "BenchmarkDecide/policies=1000", "BenchmarkDecide/policies=1", 3},
		{"Install of a 100 MiB runtime / curl + sha256sum + tar -x", "BenchmarkInstall", "BenchmarkCurlInstall", 1.3},
	} {
		n, ok1 := ns(q.num)
		d, ok2 := ns(q.den)
		if !ok1 || !ok2 || d == 0 {
			b.skip(q.figure, "benchmark missing from the run")
			continue
		}
		b.add(q.figure, fmt.Sprintf("%.3fx", n/d), fmt.Sprintf("<= %gx", q.max), n/d <= q.max)
	}
	if n, ok := ns("BenchmarkInstall"); ok && n > 0 {
		// BenchmarkInstall's runtime is 100 MiB unpacked (a little over
		// half that as its archive).
		b.add("Install of a 100 MiB runtime, first launch's download", fmt.Sprintf("%.0f MiB/s (%s)", 100/(n/1e9), ms(time.Duration(n))), "", true)
	}
	for _, r := range results {
		if r.name != "BenchmarkMatch/patterns=100000" {
			continue
		}
		if a, ok := r.median("allocs/op"); ok {
			b.add("Match patterns=100000 allocations", num(a)+" allocs/op", "0", a == 0)
		}
	}
	for _, r := range results {
		if r.name != "BenchmarkRefreshUnchanged" {
			continue
		}
		if v, ok := r.median("requests/refresh"); ok {
			b.add("runtime metadata refresh, nothing changed", num(v)+" requests", "<= 3", v <= 3)
		}
	}
	for _, r := range results {
		if r.name != "BenchmarkLocalAPIVerifyCached" {
			continue
		}
		if v, ok := r.median("req/s@1000"); ok {
			b.add("LocalAPIVerifyCached (in-process) 1000 concurrent", num(v)+" req/s", "", true)
		}
		if v, ok := r.median("p99-ms@1000"); ok {
			b.add("LocalAPIVerifyCached (in-process) 1000 concurrent p99", num(v)+" ms", "", true)
		}
	}
}

// fleet adds the rows of the largest fleet BenchmarkFleet simulated
// (bench.sh runs 10,000 desktops): per launch at steady state, the
// requests and bytes for the owner settings, the CRL and the runtime
// repository's metadata (at most 1 KB, and no 200: only 304s, and for the
// repository the 404 of the next root that TUF asks for at each refresh),
// and the busiest minute when every desktop starts at 9:00.
func (b *bench) fleet(results []*result) {
	var best *result
	size := 0
	for _, r := range results {
		n, ok := strings.CutPrefix(r.name, "BenchmarkFleet/desktops=")
		if v, err := strconv.Atoi(n); ok && err == nil && v > size {
			best, size = r, v
		}
	}
	if best == nil {
		b.skip("fleet", "BenchmarkFleet missing from the run")
		return
	}
	get := func(unit string) float64 {
		v, _ := best.median(unit)
		return v
	}
	for _, k := range []struct{ kind, figure, target string }{
		{"owner-settings", "owner settings", "<= 1 KB, 304 only"},
		{"crl", "CRL", "<= 1 KB, 304 only"},
		{"repo-metadata", "runtime repository metadata", "<= 1 KB, 304 only (and TUF's next-root 404)"},
	} {
		ok, same, none, by := get(k.kind+"-200/launch"), get(k.kind+"-304/launch"), get(k.kind+"-404/launch"), get(k.kind+"-B/launch")
		value := fmt.Sprintf("%s x 200, %s x 304, %s B", num(ok), num(same), num(by))
		pass := ok == 0 && by <= 1024
		if k.kind == "repo-metadata" {
			value = fmt.Sprintf("%s x 200, %s x 304, %s x 404, %s B", num(ok), num(same), num(none), num(by))
		} else {
			pass = pass && none == 0
		}
		b.add(fmt.Sprintf("fleet of %d, per launch: %s", size, k.figure), value, k.target, pass)
	}
	b.add(fmt.Sprintf("fleet of %d, per launch: manifest", size),
		fmt.Sprintf("%s x 200, %s x 304, %s B", num(get("manifest-200/launch")), num(get("manifest-304/launch")), num(get("manifest-B/launch"))), "", true)
	b.add(fmt.Sprintf("fleet of %d, first day: bytes per desktop", size), num(get("first-day-B/desktop"))+" B", "", true)
	peak := get("peak-desktops/min/desktops")
	b.add(fmt.Sprintf("fleet of %d, all start at 9:00: peak minute", size),
		fmt.Sprintf("%s of desktops, %s requests a desktop", num(peak), num(get("peak-req/min/desktop"))), "<= 0.1 of desktops", peak <= 0.1)
}

// launchAgainstBase adds the ratio of a launch whose runtime is installed
// on this tree to the same on the base commit, each the median of the
// rounds that bench.sh ran in turn.
func (b *bench) launchAgainstBase() error {
	const figure = "LaunchInstalled / LaunchInstalled at the base commit"
	if b.launch == "" || b.launchBase == "" {
		b.skip(figure, "SKIP: no base commit (set BASE)")
		return nil
	}
	launchNs := func(path string) (float64, error) {
		rs, err := readGoTest(path)
		if err != nil {
			return 0, err
		}
		for _, r := range rs {
			if r.name == "BenchmarkLaunchInstalled" {
				if v, ok := r.median("ns/op"); ok {
					return v, nil
				}
			}
		}
		return 0, fmt.Errorf("%s: no BenchmarkLaunchInstalled", path)
	}
	now, err := launchNs(b.launch)
	if err != nil {
		return err
	}
	then, err := launchNs(b.launchBase)
	if err != nil {
		return err
	}
	b.add("LaunchInstalled (median of the rounds)", fmt.Sprintf("%.2f ms", now/1e6), "", true)
	b.add("LaunchInstalled at "+b.baseName, fmt.Sprintf("%.2f ms", then/1e6), "", true)
	b.add(figure, fmt.Sprintf("%.3fx", now/then), "<= 1.05x", now <= 1.05*then)
	return nil
}

// host is the name the TLS server's certificate is for.
const host = "apps.acme.test"

// vendor starts `openssl s_server -WWW` serving the demo's manifest with
// a block signed by a trust root made here, installs the example runtime
// and prepares the environment of the rvm processes.
func (b *bench) vendor() (stop func(), err error) {
	www := filepath.Join(b.work, "www")
	for _, d := range []string{"home", filepath.Join("www", "blotter"), filepath.Join("runtime", "channels")} {
		if err := os.MkdirAll(filepath.Join(b.work, d), 0o700); err != nil {
			return nil, err
		}
	}
	ca, err := manifesttest.NewCA("rvm bench TLS CA")
	if err != nil {
		return nil, err
	}
	cert, err := ca.Issue(host)
	if err != nil {
		return nil, err
	}
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return nil, err
	}
	b.caFile = filepath.Join(b.work, "tls-ca.pem")
	certFile, keyFile := filepath.Join(b.work, "tls-cert.pem"), filepath.Join(b.work, "tls-key.pem")
	for _, f := range []struct {
		path string
		data []byte
	}{
		{b.caFile, ca.PEM()},
		{certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})},
		{keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key})},
	} {
		if err := os.WriteFile(f.path, f.data, 0o600); err != nil {
			return nil, err
		}
	}
	port, stopS, err := b.sServer(www, certFile, keyFile)
	if err != nil {
		return nil, err
	}
	// The bursts go to a Go server that keeps its connections, as the
	// demo's vendor server does: s_server -WWW answers one connection at
	// a time and closes each.
	goSrv, err := manifesttest.NewTLSServer(ca, http.FileServer(http.Dir(www)), host)
	if err != nil {
		stopS()
		return nil, err
	}
	stop = func() { goSrv.Close(); stopS() }
	hostPort := host + ":" + port
	b.url = "https://" + hostPort + "/blotter/app.json"
	b.resolve = hostPort + ":127.0.0.1"
	b.burstURL = goSrv.URL(host, "/blotter/app.json")
	b.burstResolve = goSrv.Resolve(host)
	b.roots = filepath.Join(b.work, "root", "cert.pem")
	b.settings = filepath.Join(b.work, "settings.json")
	b.home = filepath.Join(b.work, "home")
	apps := filepath.Join(b.work, "apps.json")
	block := filepath.Join(b.work, "block.json")
	runtimeDir := filepath.Join(b.work, "runtime")
	steps := []func() error{
		func() error { return b.apps(apps, port, goSrv.Port) },
		func() error {
			settings, _ := json.Marshal(map[string]string{"RuntimeDirectory": runtimeDir})
			return os.WriteFile(b.settings, settings, 0o600)
		},
		func() error {
			return b.trust(nil, "init-root", "--out", filepath.Join(b.work, "root"), "--name", "Bench Root")
		},
		func() error {
			return b.trust(nil, "issue", "--ca", filepath.Join(b.work, "root"), "--name", "Acme Corp", "--out", filepath.Join(b.work, "signer"))
		},
		func() error {
			f, err := os.Create(block)
			if err != nil {
				return err
			}
			defer f.Close()
			return b.trust(f, "sign", "--signer", filepath.Join(b.work, "signer"), "--apps", apps)
		},
		func() error {
			return embed(filepath.Join(b.demo, "app.json"), block, filepath.Join(www, "blotter", "app.json"))
		},
		func() error { return b.installRuntime(runtimeDir) },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			stop()
			return nil, err
		}
	}
	b.env = append(without(os.Environ(), "SSL_CERT_DIR", "DISPLAY", "WAYLAND_DISPLAY"),
		"RVM_HOME="+b.home,
		"RVM_MACHINE_SETTINGS="+b.settings,
		"SSL_CERT_FILE="+b.caFile,
	)
	return stop, nil
}

// sServer starts openssl s_server -WWW on a loopback port of its choosing,
// serving the files of dir, and reports the port.
func (b *bench) sServer(dir, certFile, keyFile string) (port string, stop func(), err error) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		return "", nil, errors.New("openssl is not installed (bench.sh installs it where it can): the end-to-end rows need openssl s_server")
	}
	b.server = "openssl s_server -WWW"
	if out, err := exec.Command(openssl, "version").Output(); err == nil {
		if f := strings.Fields(string(out)); len(f) >= 2 {
			b.server += " (" + f[0] + " " + f[1] + ")"
		}
	}
	log, err := os.Create(filepath.Join(b.work, "s_server.log"))
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(openssl, "s_server", "-WWW", "-accept", "127.0.0.1:0", "-cert", certFile, "-key", keyFile)
	cmd.Dir, cmd.Stderr = dir, log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() { cmd.Process.Kill(); cmd.Wait(); log.Close() }
	// It prints "ACCEPT 127.0.0.1:PORT" once it listens.
	got := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if addr, ok := strings.CutPrefix(sc.Text(), "ACCEPT "); ok {
				got <- addr
			}
			fmt.Fprintln(log, sc.Text())
		}
		close(got)
	}()
	select {
	case addr, ok := <-got:
		_, port, err := net.SplitHostPort(addr)
		if !ok || err != nil {
			stop()
			return "", nil, fmt.Errorf("openssl s_server did not say where it listens (%q); see %s", addr, log.Name())
		}
		return port, stop, nil
	case <-time.After(10 * time.Second):
		stop()
		return "", nil, fmt.Errorf("openssl s_server did not listen within 10 s; see %s", log.Name())
	}
}

// apps writes the demo's apps list, matching the manifest on both
// servers' ports, with every permission the manifest asks for, so that a
// launch has nothing to ask.
func (b *bench) apps(path string, ports ...string) error {
	tmpl, err := os.ReadFile(filepath.Join(b.demo, "apps.json.in"))
	if err != nil {
		return err
	}
	var apps []map[string]any
	if err := json.Unmarshal(tmpl, &apps); err != nil {
		return fmt.Errorf("apps.json.in: %w", err)
	}
	for _, a := range apps {
		var match []any
		for _, m := range a["match"].([]any) {
			for _, port := range ports {
				match = append(match, strings.ReplaceAll(m.(string), "@PORT@", port))
			}
		}
		a["match"] = match
		if p, ok := a["permissions"].(map[string]any); ok {
			p["webAPIs"] = map[string]any{"clipboard-read": true}
		}
	}
	data, err := json.Marshal(apps)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// embed writes the manifest at tmpl with the block at block as its
// trustedAppConfigs.
func embed(tmpl, block, out string) error {
	data, err := os.ReadFile(tmpl)
	if err != nil {
		return err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("%s: %w", tmpl, err)
	}
	if m["trustedAppConfigs"], err = os.ReadFile(block); err != nil {
		return err
	}
	data, err = json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

// installRuntime installs the example runtime as the version that the
// demo manifest's channel, stable, names.
func (b *bench) installRuntime(dir string) error {
	const version = "38.126.82.64"
	data, err := os.ReadFile(filepath.Join(b.bin, "example-runtime"))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, version), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, version, "runtime"), data, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "channels", "stable"), []byte(version+"\n"), 0o644)
}

// without is env without the variables named.
func without(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, name) {
			out = append(out, kv)
		}
	}
	return out
}

func (b *bench) trust(stdout io.Writer, args ...string) error {
	cmd := exec.Command(filepath.Join(b.bin, "rvm-trust"), args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("rvm-trust %s: %v: %s", args[0], err, stderr.Bytes())
	}
	return nil
}

// rvm is the command line of `rvm verify` or `rvm launch` (cmd) of the
// manifest, run by the rvm in dir.
func (b *bench) rvm(dir string, env []string, cmd string, extra ...string) *exec.Cmd {
	args := append([]string{cmd, "--trust-roots", b.roots, "--resolve", b.resolve}, extra...)
	c := exec.Command(filepath.Join(dir, "rvm"), append(args, "--", b.url)...)
	c.Env = env
	return c
}

func (b *bench) curl(roots string) *exec.Cmd {
	return exec.Command("curl", "--silent", "--show-error", "--fail", "--output", "/dev/null",
		"--cacert", roots, "--resolve", b.resolve, b.url)
}

// check runs rvm cmd --json once and checks that the block was trusted,
// that the decision was made where want says ("in-process" or
// "service") and, for a launch, that nothing was left to ask, so that the
// timings are of the whole work done the way they say.
func (b *bench) check(dir string, env []string, cmd, want string) error {
	c := b.rvm(dir, env, cmd, "--json")
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		return fmt.Errorf("rvm %s: %v: %s", cmd, err, stderr.Bytes())
	}
	var doc struct {
		Trust       struct{ Status string }
		DecidedBy   struct{ By string }
		Permissions map[string]struct{ Decision, Source string }
	}
	if err := json.Unmarshal(out, &doc); err != nil || doc.Trust.Status != "trusted" || doc.DecidedBy.By != want {
		return fmt.Errorf("rvm %s: want a trusted block decided %s, got %s (%v)", cmd, want, out, err)
	}
	for name, p := range doc.Permissions {
		if p.Decision != "granted" {
			return fmt.Errorf("rvm %s: want every permission granted by the block, got %s %s (%s)", cmd, name, p.Decision, p.Source)
		}
	}
	return nil
}

// timeRun runs cmd and reports its wall time.
func timeRun(cmd *exec.Cmd) (time.Duration, error) {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t0 := time.Now()
	err := cmd.Run()
	d := time.Since(t0)
	if err != nil {
		return 0, fmt.Errorf("%s: %v: %s", strings.Join(cmd.Args, " "), err, stderr.Bytes())
	}
	return d, nil
}

// execAt finds the time the example runtime printed in its output.
var execAt = regexp.MustCompile(`exec at \S+ \(unix nanoseconds (\d+)\)`)

// launchToExec runs `rvm launch` with env, whose data directory is home,
// and reports the time from the start of the rvm process to the exec of
// the runtime, as the example runtime prints it in its output
// (<home>/decisions/<name>.log).
func (b *bench) launchToExec(dir string, env []string, home string) (time.Duration, error) {
	decisions := filepath.Join(home, "decisions")
	old, _ := filepath.Glob(filepath.Join(decisions, "*.log"))
	for _, f := range old {
		os.Remove(f)
	}
	cmd := b.rvm(dir, env, "launch")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("rvm launch: %v: %s", err, stderr.Bytes())
	}
	logs, _ := filepath.Glob(filepath.Join(decisions, "*.log"))
	if len(logs) != 1 {
		return 0, fmt.Errorf("rvm launch: want the output of one runtime in %s, got %d files", decisions, len(logs))
	}
	out, err := os.ReadFile(logs[0])
	if err != nil {
		return 0, err
	}
	m := execAt.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("rvm launch: the runtime's output %s holds no exec time: %q", logs[0], out)
	}
	ns, err := strconv.ParseInt(string(m[1]), 10, 64)
	if err != nil {
		return 0, err
	}
	return time.Unix(0, ns).Sub(t0), nil
}

// series is one command of an alternated comparison and its timings.
type series struct {
	run   func() (time.Duration, error)
	times []time.Duration
}

// alternate runs each of ss in turn, three warm-up rounds then b.runs
// rounds, and keeps the timings of the latter.
func (b *bench) alternate(ss ...*series) error {
	for i := -3; i < b.runs; i++ {
		for _, s := range ss {
			d, err := s.run()
			if err != nil {
				return err
			}
			if i >= 0 {
				s.times = append(s.times, d)
			}
		}
	}
	return nil
}

func (s *series) median() time.Duration { return median(s.times) }

// systemBundle is the distribution's bundle of roots, where there is one.
func systemBundle() string {
	for _, f := range []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"} {
		if _, err := os.Stat(f); err == nil {
			return f
		}
	}
	return ""
}

// endToEnd alternates the whole processes: rvm verify and curl with the
// TLS CA as their roots, both with the distribution's bundle, rvm with
// SSL_CERT_DIR set to the system's folder, and rvm launch to the
// runtime's exec, all deciding in-process; and the rvm of -base beside
// this one's.
func (b *bench) endToEnd() error {
	if err := b.check(b.bin, b.env, "verify", "in-process"); err != nil {
		return err
	}
	if err := b.check(b.bin, b.env, "launch", "in-process"); err != nil {
		return err
	}
	_, noCurl := exec.LookPath("curl")
	verify := &series{run: func() (time.Duration, error) { return timeRun(b.rvm(b.bin, b.env, "verify")) }}
	launch := &series{run: func() (time.Duration, error) { return b.launchToExec(b.bin, b.env, b.home) }}
	curl := &series{run: func() (time.Duration, error) { return timeRun(b.curl(b.caFile)) }}
	all := []*series{verify, launch}
	if noCurl == nil {
		all = append(all, curl)
	}

	// The distribution's bundle with the TLS CA, as the roots of both.
	bundle := filepath.Join(b.work, "bundle.pem")
	var verifyBundle, curlBundle, verifyDir *series
	if sys := systemBundle(); sys != "" {
		data, err := os.ReadFile(sys)
		if err != nil {
			return err
		}
		ca, _ := os.ReadFile(b.caFile)
		if err := os.WriteFile(bundle, append(append(data, '\n'), ca...), 0o600); err != nil {
			return err
		}
		env := append(slices.Clone(b.env), "SSL_CERT_FILE="+bundle) // the later value wins
		verifyBundle = &series{run: func() (time.Duration, error) { return timeRun(b.rvm(b.bin, env, "verify")) }}
		all = append(all, verifyBundle)
		if noCurl == nil {
			curlBundle = &series{run: func() (time.Duration, error) { return timeRun(b.curl(bundle)) }}
			all = append(all, curlBundle)
		}
	}
	if fi, err := os.Stat("/etc/ssl/certs"); err == nil && fi.IsDir() {
		env := append(slices.Clone(b.env), "SSL_CERT_DIR=/etc/ssl/certs")
		verifyDir = &series{run: func() (time.Duration, error) { return timeRun(b.rvm(b.bin, env, "verify")) }}
		all = append(all, verifyDir)
	}
	var baseVerify, baseLaunch *series
	if b.base != "" {
		baseVerify = &series{run: func() (time.Duration, error) { return timeRun(b.rvm(b.base, b.env, "verify")) }}
		baseLaunch = &series{run: func() (time.Duration, error) { return b.launchToExec(b.base, b.env, b.home) }}
		all = append(all, baseVerify, baseLaunch)
	}
	if err := b.alternate(all...); err != nil {
		return err
	}

	n := fmt.Sprintf("(median of %d)", b.runs)
	b.add("server", b.server+", one signed manifest, TLS 1.3, ECDSA P-256, loopback", "", true)
	b.add("rvm verify, whole process, SSL_CERT_FILE the TLS CA "+n, ms(verify.median()), "", true)
	if noCurl != nil {
		b.skip("rvm verify / curl (whole process)", "SKIP: curl is not installed")
	} else {
		b.add("curl --cacert the TLS CA, same manifest and server "+n, ms(curl.median()), "", true)
		b.ratio("rvm verify / curl", verify.median(), curl.median(), 1.0, " (aim 0.7x)")
	}
	if verifyBundle != nil {
		b.add("rvm verify, SSL_CERT_FILE the distribution's bundle and the CA "+n, ms(verifyBundle.median()), "", true)
		if curlBundle != nil {
			b.add("curl --cacert the same bundle "+n, ms(curlBundle.median()), "", true)
			b.ratio("rvm verify / curl, both with the bundle", verifyBundle.median(), curlBundle.median(), 0, "")
		}
	}
	if verifyDir != nil {
		b.add("rvm verify, SSL_CERT_DIR=/etc/ssl/certs (Go reads each file) "+n, ms(verifyDir.median()), "", true)
	}
	b.add("rvm launch, installed runtime, in-process: start to runtime exec "+n, ms(launch.median()), "", true)
	if b.base != "" {
		b.add("rvm verify at "+b.baseName+", whole process "+n, ms(baseVerify.median()), "", true)
		b.ratio("rvm verify / at "+b.baseName, verify.median(), baseVerify.median(), 0, "")
		b.add("rvm launch at "+b.baseName+", in-process: start to runtime exec "+n, ms(baseLaunch.median()), "", true)
		b.ratio("rvm launch / at "+b.baseName, launch.median(), baseLaunch.median(), 0, "")
	}
	return nil
}

// service runs `rvm service run` in the foreground, as a user would
// outside a service manager, and measures it.
func (b *bench) service() error {
	home := filepath.Join(b.work, "service-home")
	env := append(slices.Clone(b.env), "RVM_HOME="+home) // the later value wins
	log, err := os.Create(filepath.Join(b.work, "service.log"))
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(filepath.Join(b.bin, "rvm"), "service", "run")
	cmd.Env, cmd.Stdout, cmd.Stderr = env, log, log
	if err := cmd.Start(); err != nil {
		return err
	}
	// exited is closed when the service has exited, with waitErr set.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	defer func() {
		select {
		case <-exited:
		default:
			cmd.Process.Kill()
			<-exited
		}
	}()
	sock := filepath.Join(home, "rvm.sock")
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
		MaxIdleConnsPerHost: 1000,
	}}
	requests := func() (int64, error) {
		resp, err := client.Get("http://rvm/v1/status")
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		var st struct{ Requests int64 }
		err = json.NewDecoder(resp.Body).Decode(&st)
		return st.Requests, err
	}
	var before int64
	for i := 0; ; i++ {
		select {
		case <-exited:
			out, _ := os.ReadFile(log.Name())
			return fmt.Errorf("rvm service run exited (%v):\n%s", waitErr, out)
		default:
		}
		if before, err = requests(); err == nil {
			break
		}
		if i == 200 {
			return fmt.Errorf("rvm service run: no answer on %s after 10 s: %v", sock, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.add("rvm service run outside a service manager", "serves on RVM_HOME/rvm.sock", "answers", true)

	// rvm verify and rvm launch through the service, and the floor: the
	// same verify request posted by a bare Go program.
	if err := b.check(b.bin, env, "verify", "service"); err != nil {
		return err
	}
	if err := b.check(b.bin, env, "launch", "service"); err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]any{"url": b.url, "options": map[string]any{
		"trustRoots": b.roots, "machineSettings": b.settings, "resolve": []string{b.resolve}}})
	verify := &series{run: func() (time.Duration, error) { return timeRun(b.rvm(b.bin, env, "verify")) }}
	floor := &series{run: func() (time.Duration, error) {
		return timeRun(exec.Command(filepath.Join(b.bin, "floor"), sock, string(body)))
	}}
	launch := &series{run: func() (time.Duration, error) { return b.launchToExec(b.bin, env, home) }}
	if err := b.alternate(verify, floor, launch); err != nil {
		return err
	}
	after, err := requests()
	if err != nil {
		return err
	}
	if want := int64(3 * (b.runs + 3)); after-before < want {
		return fmt.Errorf("rvm verify and launch did not go through the service (%d requests, want %d)", after-before, want)
	}
	n := fmt.Sprintf("(median of %d)", b.runs)
	b.add("rvm verify through the service "+n, ms(verify.median()), "", true)
	b.add("floor: a bare Go program posting the same request "+n, ms(floor.median()), "", true)
	b.ratio("rvm verify through the service / floor", verify.median(), floor.median(), 1.3, "")
	b.add("rvm launch through the service: start to runtime exec "+n, ms(launch.median()), "", true)
	b.ratio("rvm launch / rvm verify, both through the service", launch.median(), verify.median(), 1.2, "")

	// Idle: no CPU and little memory.
	client.CloseIdleConnections()
	time.Sleep(3 * time.Second)
	t0, err := cpuTicks(cmd.Process.Pid)
	if err != nil {
		return err
	}
	time.Sleep(5 * time.Second)
	t1, err := cpuTicks(cmd.Process.Pid)
	if err != nil {
		return err
	}
	rss, err := status(cmd.Process.Pid, "VmRSS")
	if err != nil {
		return err
	}
	b.add("service idle RSS", fmt.Sprintf("%.1f MB", rss/1024), "< 20 MB", rss < 20*1024)
	b.add("service idle CPU over 5 s", fmt.Sprintf("%d ticks", t1-t0), "0 ticks", t1 == t0)

	// Under load: 1,000 concurrent verify requests over the socket, three
	// bursts (the median of each figure), the peak RSS over all three.
	body, _ = json.Marshal(map[string]any{"url": b.burstURL, "options": map[string]any{
		"trustRoots": b.roots, "machineSettings": b.settings, "resolve": []string{b.burstResolve}}})
	const clients, bursts = 1000, 3
	var rates []float64
	var p99s []time.Duration
	for range bursts {
		rate, p99, err := burst(client, body, clients)
		if err != nil {
			return err
		}
		rates, p99s = append(rates, rate), append(p99s, p99)
	}
	peak, err := status(cmd.Process.Pid, "VmHWM")
	if err != nil {
		return err
	}
	b.add(fmt.Sprintf("service, %d concurrent verifies, Go server with keep-alive (median of %d)", clients, bursts), fmt.Sprintf("%.0f req/s", median(rates)), "", true)
	b.add(fmt.Sprintf("service, %d concurrent verifies p99", clients), ms(median(p99s)), "", true)
	b.add(fmt.Sprintf("service, %d concurrent verifies peak RSS", clients), fmt.Sprintf("%.1f MB", peak/1024), "", true)

	// Stops on SIGTERM, as under a terminal.
	client.CloseIdleConnections()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		b.add("rvm service run stops on SIGTERM", "exit "+errOK(waitErr), "exit 0", waitErr == nil)
	case <-time.After(15 * time.Second):
		b.add("rvm service run stops on SIGTERM", "still running after 15 s", "exit 0", false)
	}
	return nil
}

// burst posts body to /v1/verify from clients goroutines at once and
// reports the requests per second and the 99th percentile latency.
func burst(client *http.Client, body []byte, clients int) (float64, time.Duration, error) {
	lat := make([]time.Duration, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			resp, err := client.Post("http://rvm/v1/verify", "application/json", bytes.NewReader(body))
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("status %s", resp.Status)
				}
			}
			lat[i], errs[i] = time.Since(t), err
		}()
	}
	wg.Wait()
	total := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return 0, 0, fmt.Errorf("%d concurrent verify requests: %w", clients, err)
	}
	slices.Sort(lat)
	return float64(clients) / total.Seconds(), lat[clients*99/100], nil
}

func errOK(err error) string {
	if err == nil {
		return "0"
	}
	return err.Error()
}

// cpuTicks reports the user and system clock ticks that pid has used.
func cpuTicks(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses: utime
	// and stime are the 12th and 13th of them.
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	return u + s, errors.Join(err1, err2)
}

// status reports a kB figure of /proc/PID/status.
func status(pid int, key string) (float64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no %s", pid, key)
}

// printSummary prints the summary table, headed by what produced it.
func (b *bench) printSummary() {
	fmt.Println("Summary")
	cmdline := "make bench"
	if b.base != "" {
		cmdline += " BASE=" + b.baseName
	}
	fmt.Printf("%s, RUNS=%d: %s, %s/%s, %d CPUs (%s)\n", cmdline, b.runs, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel())
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tvalue\ttarget\tresult")
	for _, r := range b.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.figure, r.value, r.target, r.verdict)
	}
	tw.Flush()
}

// cpuModel is the processor's name, as /proc/cpuinfo gives it.
func cpuModel() string {
	data, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown processor"
}

func median[T int64 | float64 | time.Duration](v []T) T {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

// num prints a figure with about four significant digits.
func num(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}
