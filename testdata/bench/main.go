// Command bench prints rvm's performance table for `make bench` (see
// bench.sh, which builds the binaries and runs the Go benchmarks first).
//
// It reads the output of `go test -bench` (with -count, the median of each
// figure is kept), computes the ratios that the issues set targets for
// (the runtime install against curl + sha256sum + tar, and with
// -launch-base a launch whose runtime is installed against the same
// benchmark on an earlier commit, both run in turn in one run of
// bench.sh), then measures rvm as a user meets it:
//
//   - `rvm verify` as a whole process against curl fetching the same
//     manifest from the same loopback TLS server (the demo's vendor
//     server), alternated, the median of -runs each;
//   - `rvm service run` in the foreground with RVM_HOME set: that it
//     starts outside a service manager and answers, its resident memory
//     and CPU ticks while idle, then three bursts of 1,000 concurrent
//     verify requests over its socket (requests per second, p99, peak
//     RSS), then that it stops on SIGTERM.
//
// Every rvm process runs with RVM_HOME in a temporary directory,
// RVM_MACHINE_SETTINGS pointing at a file holding {} (so no system settings
// are read), SSL_CERT_FILE holding only the vendor server's CA and
// SSL_CERT_DIR an empty directory (so that Go, like curl --cacert, reads no
// other roots); one more row shows rvm with SSL_CERT_DIR unset.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	var (
		gotest = flag.String("gotest", "", "output of go test -bench")
		bin    = flag.String("bin", "", "directory holding rvm, rvm-trust and vendor-server")
		demo   = flag.String("demo", "testdata/demo", "the demo's directory (app.json, apps.json.in)")
		work   = flag.String("work", "", "scratch directory")
		runs   = flag.Int("runs", 25, "runs of each command in the end-to-end comparison")
		launch = flag.String("launch", "", "output of BenchmarkLaunchInstalled on this tree, run in turn with -launch-base")
		base   = flag.String("launch-base", "", "output of BenchmarkLaunchInstalled on the commit named by -base-name")
		name   = flag.String("base-name", "", "the commit -launch-base ran on")
	)
	flag.Parse()
	b := &bench{bin: *bin, demo: *demo, work: *work, runs: *runs, launch: *launch, base: *base, baseName: *name}
	if err := b.run(*gotest); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type bench struct {
	bin, demo, work string
	runs            int
	// The outputs of BenchmarkLaunchInstalled here and at baseName.
	launch, base, baseName string

	// Set up by vendor.
	url, resolve, roots, settings, caFile string
	env                                   []string

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

func (b *bench) run(gotest string) error {
	results, err := readGoTest(gotest)
	if err != nil {
		return err
	}
	printBenchmarks(results)
	b.ratios(results)
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

// launchAgainstBase adds the ratio of a launch whose runtime is installed
// on this tree to the same on the base commit, each the median of the
// rounds that bench.sh ran in turn.
func (b *bench) launchAgainstBase() error {
	const figure = "LaunchInstalled / LaunchInstalled at the base commit"
	if b.launch == "" || b.base == "" {
		b.skip(figure, "SKIP: no base commit (set BENCH_BASE)")
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
	then, err := launchNs(b.base)
	if err != nil {
		return err
	}
	b.add("LaunchInstalled (median of the rounds)", fmt.Sprintf("%.2f ms", now/1e6), "", true)
	b.add("LaunchInstalled at "+b.baseName, fmt.Sprintf("%.2f ms", then/1e6), "", true)
	b.add(figure, fmt.Sprintf("%.3fx", now/then), "<= 1.05x", now <= 1.05*then)
	return nil
}

// vendor starts the demo's vendor server with a block signed by a trust
// root made here, and prepares the environment of the rvm processes.
func (b *bench) vendor() (stop func(), err error) {
	for _, d := range []string{"home", "certs"} {
		if err := os.MkdirAll(filepath.Join(b.work, d), 0o700); err != nil {
			return nil, err
		}
	}
	b.caFile = filepath.Join(b.work, "tls-ca.pem")
	portFile := filepath.Join(b.work, "port")
	block := filepath.Join(b.work, "block.json")
	srv := exec.Command(filepath.Join(b.bin, "vendor-server"), "--manifest", filepath.Join(b.demo, "app.json"),
		"--block", block, "--ca-out", b.caFile, "--port-file", portFile)
	srvLog, err := os.Create(filepath.Join(b.work, "vendor-server.log"))
	if err != nil {
		return nil, err
	}
	srv.Stderr = srvLog
	if err := srv.Start(); err != nil {
		return nil, err
	}
	stop = func() { srv.Process.Kill(); srv.Wait(); srvLog.Close() }
	var port []byte
	for i := 0; len(port) == 0; i++ {
		if i == 200 {
			stop()
			return nil, errors.New("the vendor server did not write its port")
		}
		time.Sleep(25 * time.Millisecond)
		port, _ = os.ReadFile(portFile)
	}
	host := "apps.acme.test:" + string(port)
	b.url = "https://" + host + "/blotter/app.json"
	b.resolve = host + ":127.0.0.1"
	tmpl, err := os.ReadFile(filepath.Join(b.demo, "apps.json.in"))
	if err != nil {
		stop()
		return nil, err
	}
	apps := filepath.Join(b.work, "apps.json")
	b.roots = filepath.Join(b.work, "root", "cert.pem")
	b.settings = filepath.Join(b.work, "settings.json")
	steps := []func() error{
		func() error { return os.WriteFile(apps, bytes.ReplaceAll(tmpl, []byte("@PORT@"), port), 0o600) },
		func() error { return os.WriteFile(b.settings, []byte("{}\n"), 0o600) },
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
	}
	for _, s := range steps {
		if err := s(); err != nil {
			stop()
			return nil, err
		}
	}
	b.env = append(os.Environ(),
		"RVM_HOME="+filepath.Join(b.work, "home"),
		"RVM_MACHINE_SETTINGS="+b.settings,
		"SSL_CERT_FILE="+b.caFile,
		"SSL_CERT_DIR="+filepath.Join(b.work, "certs"),
	)
	return stop, nil
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

func (b *bench) rvmVerify(env []string, extra ...string) *exec.Cmd {
	args := append([]string{"verify", "--trust-roots", b.roots, "--resolve", b.resolve}, extra...)
	cmd := exec.Command(filepath.Join(b.bin, "rvm"), append(args, "--", b.url)...)
	cmd.Env = env
	return cmd
}

func (b *bench) curl() *exec.Cmd {
	return exec.Command("curl", "--silent", "--show-error", "--fail", "--output", "/dev/null",
		"--cacert", b.caFile, "--resolve", b.resolve, b.url)
}

// checkTrusted runs rvm verify --json once and checks that the block was
// verified, so that the timings are of the whole work.
func (b *bench) checkTrusted(env []string) error {
	cmd := b.rvmVerify(env, "--json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("rvm verify: %v: %s", err, stderr.Bytes())
	}
	var doc struct {
		Trust struct{ Status, Reason string }
	}
	if err := json.Unmarshal(out, &doc); err != nil || doc.Trust.Status != "trusted" {
		return fmt.Errorf("rvm verify: want a trusted block, got %s (%v)", out, err)
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
		return 0, fmt.Errorf("%s: %v: %s", cmd.Args[0], err, stderr.Bytes())
	}
	return d, nil
}

// endToEnd alternates rvm verify and curl, runs times each. rvm runs
// twice each round: with SSL_CERT_DIR empty, so that like curl --cacert it
// reads the one CA file, and without SSL_CERT_DIR, where Go also reads
// every certificate in the system's directory (/etc/ssl/certs).
func (b *bench) endToEnd() error {
	if err := b.checkTrusted(b.env); err != nil {
		return err
	}
	if _, err := exec.LookPath("curl"); err != nil {
		b.skip("rvm verify / curl (whole process)", "SKIP: curl is not installed")
		return nil
	}
	var sysDir []string
	for _, kv := range b.env {
		if !strings.HasPrefix(kv, "SSL_CERT_DIR=") {
			sysDir = append(sysDir, kv)
		}
	}
	var rvm, rvmSys, curl []time.Duration
	for i := -3; i < b.runs; i++ { // three warm-up rounds
		r, err := timeRun(b.rvmVerify(b.env))
		if err != nil {
			return err
		}
		c, err := timeRun(b.curl())
		if err != nil {
			return err
		}
		rs, err := timeRun(b.rvmVerify(sysDir))
		if err != nil {
			return err
		}
		if i >= 0 {
			rvm, curl, rvmSys = append(rvm, r), append(curl, c), append(rvmSys, rs)
		}
	}
	mr, mc, ms2 := median(rvm), median(curl), median(rvmSys)
	b.add(fmt.Sprintf("rvm verify, whole process (median of %d)", b.runs), ms(mr), "", true)
	b.add(fmt.Sprintf("curl --cacert, same manifest and server (median of %d)", b.runs), ms(mc), "", true)
	b.add("rvm verify / curl", fmt.Sprintf("%.2fx", float64(mr)/float64(mc)), "<= 1.5x (aim < 1x)", float64(mr) <= 1.5*float64(mc))
	b.add("rvm verify, SSL_CERT_DIR unset (Go also reads /etc/ssl/certs)", ms(ms2), "", true)
	b.add("rvm verify, SSL_CERT_DIR unset / curl", fmt.Sprintf("%.2fx", float64(ms2)/float64(mc)), "<= 1.5x (aim < 1x)", float64(ms2) <= 1.5*float64(mc))
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

	// rvm verify through the service.
	if err := b.checkTrusted(env); err != nil {
		return err
	}
	var via []time.Duration
	for range b.runs {
		d, err := timeRun(b.rvmVerify(env))
		if err != nil {
			return err
		}
		via = append(via, d)
	}
	after, err := requests()
	if err != nil {
		return err
	}
	b.add(fmt.Sprintf("rvm verify through the service (median of %d)", b.runs), ms(median(via)), "", true)
	if after-before < int64(b.runs) {
		return fmt.Errorf("rvm verify did not go through the service (%d requests)", after-before)
	}

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
	body, _ := json.Marshal(map[string]any{"url": b.url, "options": map[string]any{
		"trustRoots": b.roots, "machineSettings": b.settings, "resolve": []string{b.resolve}}})
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
	b.add(fmt.Sprintf("service, %d concurrent verifies (median of %d)", clients, bursts), fmt.Sprintf("%.0f req/s", median(rates)), "", true)
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

func (b *bench) printSummary() {
	fmt.Println("Summary")
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tvalue\ttarget\tresult")
	for _, r := range b.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.figure, r.value, r.target, r.verdict)
	}
	tw.Flush()
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
