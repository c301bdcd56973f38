//go:build linux

// Command bench compares terraform-provider-nova with the incumbent,
// terraform-provider-openstack's openstack_compute_keypair_v2, side by
// side on the dev cloud: create, plan (no changes), apply (no changes)
// and destroy of N keypairs, interleaved, through a counting reverse
// proxy on 127.0.0.1 that can add a round-trip delay. It prints one table
// (requests by kind, wall time median and min–max, provider CPU, peak
// provider RSS, ratio ours / incumbent, and the CLI's own CPU, which
// bounds what any provider can do) and writes every measurement to a
// JSON file. tools/bench/bench builds what it needs and runs it; see
// there.
//
// Invoked as terraform-provider-NAME (a copy of itself in a dev_overrides
// directory), it is the wrapper that runs NAME.real, the real provider,
// and appends the provider process's CPU time and peak RSS to the file
// BENCH_STATS names.
package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	if name := filepath.Base(os.Args[0]); strings.HasPrefix(name, "terraform-provider-") {
		os.Exit(wrap(name))
	}
	log.SetFlags(0)
	log.SetPrefix("bench: ")
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

// wrap runs the real provider next to the wrapper and records its usage.
func wrap(name string) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cmd := exec.Command(filepath.Join(filepath.Dir(self), name+".real"), os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // never outlive the wrapper
	signal.Ignore(syscall.SIGINT)                                      // the provider handles it; Terraform stops it
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	err = cmd.Wait()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && os.Getenv("BENCH_STATS") != "" {
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		line, _ := json.Marshal(processStats{CPU: cpu.Seconds(), MaxRSSKiB: ru.Maxrss})
		if f, ferr := os.OpenFile(os.Getenv("BENCH_STATS"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); ferr == nil {
			_, _ = f.Write(append(line, '\n'))
			_ = f.Close()
		}
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	return 0
}

type processStats struct {
	CPU       float64 `json:"cpu_s"`
	MaxRSSKiB int64   `json:"max_rss_kib"`
}

// provider is one of the two providers compared.
type provider struct {
	label    string // "nova", "openstack"
	binary   string // the real provider binary
	address  string // registry address for dev_overrides
	resource string // HCL of the N keypairs
	source   string // HCL of the provider
	dir      string // working directory
}

// measurement is one step of one provider at one delay.
type measurement struct {
	Provider  string         `json:"provider"`
	Step      string         `json:"step"`
	N         int            `json:"n"`
	DelayMS   int            `json:"delay_ms"`
	Round     int            `json:"round"`
	WallS     float64        `json:"wall_s"`
	Requests  map[string]int `json:"requests"`
	CPUS      float64        `json:"provider_cpu_s"`
	CLICPUS   float64        `json:"terraform_cpu_s"` // the CLI's own, its providers' excluded
	MaxRSSMiB float64        `json:"provider_max_rss_mib"`
	Instances int            `json:"provider_processes"`
}

var steps = []struct {
	name string
	args []string
}{
	{"create", []string{"apply", "-auto-approve"}},
	{"plan", []string{"plan", "-detailed-exitcode"}},
	{"apply", []string{"apply", "-auto-approve"}},
	{"destroy", []string{"destroy", "-auto-approve"}},
}

func run() error {
	n := flag.Int("n", 100, "keypairs per provider")
	rounds := flag.Int("rounds", 5, "runs of each step per provider and delay (the median is shown)")
	delays := flag.String("delays", "0,200ms", "round-trip delays the proxy adds, comma-separated")
	terraform := flag.String("terraform", "", "Terraform CLI")
	ours := flag.String("nova", "", "terraform-provider-nova binary")
	incumbent := flag.String("openstack", "", "terraform-provider-openstack binary")
	clouds := flag.String("clouds", os.Getenv("OS_CLIENT_CONFIG_FILE"), "the dev cloud's clouds.yaml")
	cloud := flag.String("cloud", "devcloud-demo", "cloud of clouds.yaml to use")
	novaURL := flag.String("nova-url", "http://127.0.0.1:8774", "the dev cloud's Nova (scheme://host:port)")
	work := flag.String("work", "", "working directory (results are written there)")
	parallelism := flag.Int("parallelism", 10, "terraform -parallelism")
	flag.Parse()
	for name, v := range map[string]string{"terraform": *terraform, "nova": *ours, "openstack": *incumbent, "clouds": *clouds, "work": *work} {
		if v == "" {
			return fmt.Errorf("-%s is required", name)
		}
	}
	var rtts []time.Duration
	for _, d := range strings.Split(*delays, ",") {
		if d == "0" {
			rtts = append(rtts, 0)
			continue
		}
		v, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil {
			return fmt.Errorf("-delays: %w", err)
		}
		rtts = append(rtts, v)
	}

	cloudsYAML, err := os.ReadFile(*clouds)
	if err != nil {
		return err
	}
	authURL := regexp.MustCompile(`auth_url:\s*['"]?(https?://[^/'"\s]+)`).FindSubmatch(cloudsYAML)
	if authURL == nil {
		return fmt.Errorf("%s has no auth_url", *clouds)
	}
	keystone, err := url.Parse(string(authURL[1]))
	if err != nil {
		return err
	}
	nova, err := url.Parse(*novaURL)
	if err != nil {
		return err
	}
	proxy, err := startProxy(keystone, nova)
	if err != nil {
		return err
	}
	log.Printf("proxy: Keystone %s -> %s, Nova %s -> %s", proxy.keystoneURL, keystone, proxy.novaURL, nova)

	if err := os.MkdirAll(*work, 0o700); err != nil {
		return err
	}
	benchClouds := filepath.Join(*work, "clouds.yaml")
	rewritten := bytes.ReplaceAll(cloudsYAML, authURL[1], []byte(proxy.keystoneURL))
	if err := os.WriteFile(benchClouds, rewritten, 0o600); err != nil {
		return err
	}

	publicKey, err := newPublicKey()
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	run := time.Now().UTC().Format("20060102T150405Z")
	providers := []*provider{
		{label: "nova", binary: *ours, address: "registry.terraform.io/terraform-provider-nova/nova", resource: fmt.Sprintf(`
resource "nova_keypair" "bench" {
  count      = %d
  name       = "bench-nova-%s-${count.index}"
  public_key = %q
}
`, *n, run, publicKey)},
		{label: "openstack", binary: *incumbent, address: "registry.terraform.io/terraform-provider-openstack/openstack", resource: fmt.Sprintf(`
resource "openstack_compute_keypair_v2" "bench" {
  count      = %d
  name       = "bench-openstack-%s-${count.index}"
  public_key = %q
}
`, *n, run, publicKey)},
	}
	overrides := ""
	for _, p := range providers {
		p.dir = filepath.Join(*work, p.label)
		bin := filepath.Join(p.dir, "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			return err
		}
		name := "terraform-provider-" + p.label
		for src, dst := range map[string]string{self: name, p.binary: name + ".real"} {
			if err := copyFile(src, filepath.Join(bin, dst)); err != nil {
				return err
			}
		}
		short := strings.TrimPrefix(p.address, "registry.terraform.io/")
		p.source = fmt.Sprintf("terraform {\n  required_providers {\n    %s = { source = %q }\n  }\n}\n\nprovider %q {\n  cloud = %q\n}\n", p.label, short, p.label, *cloud)
		overrides += fmt.Sprintf("    %q = %q\n", p.address, bin)
	}
	rc := filepath.Join(*work, "terraformrc")
	if err := os.WriteFile(rc, []byte("disable_checkpoint = true\nprovider_installation {\n  dev_overrides {\n"+overrides+"  }\n  direct {}\n}\n"), 0o600); err != nil {
		return err
	}

	env := []string{}
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(name, "OS_") && !strings.HasPrefix(name, "TF_") {
			env = append(env, kv)
		}
	}
	env = append(env, "OS_CLIENT_CONFIG_FILE="+benchClouds, "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"TF_CLI_ARGS_plan=-input=false -parallelism="+fmt.Sprint(*parallelism), "TF_CLI_ARGS_apply=-input=false -parallelism="+fmt.Sprint(*parallelism),
		"TF_CLI_ARGS_destroy=-input=false -parallelism="+fmt.Sprint(*parallelism))

	// Ctrl-C or SIGTERM: passed to the running Terraform, then the bench
	// stops, destroying what it created.
	r := &runner{terraform: *terraform, env: env, proxy: proxy}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for sig := range sigs {
			r.interrupted.Store(true)
			if cmd := r.current.Load(); cmd != nil {
				_ = cmd.Process.Signal(sig)
			}
		}
	}()

	// Keypairs a run that failed or was stopped left behind: destroyed
	// with the configuration that made them, before it is replaced.
	for _, p := range providers {
		if err := r.destroyLeftovers(p); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(p.dir, "main.tf"), []byte(p.source+p.resource), 0o600); err != nil {
			return err
		}
	}
	defer func() {
		for _, p := range providers {
			if err := r.destroyLeftovers(p); err != nil {
				log.Print(err)
			}
		}
	}()

	var all []measurement
	results := filepath.Join(*work, "results-"+run+".json")
	for _, rtt := range rtts {
		proxy.setDelay(rtt)
		for round := 1; round <= *rounds; round++ {
			order := providers
			if round%2 == 0 { // no provider always goes first
				order = []*provider{providers[1], providers[0]}
			}
			for _, p := range order {
				for _, s := range steps {
					if r.interrupted.Load() {
						return errors.New("interrupted")
					}
					m, err := r.measure(p, s.name, s.args)
					if err != nil {
						return fmt.Errorf("%s %s (delay %s, round %d): %w", p.label, s.name, rtt, round, err)
					}
					m.N, m.DelayMS, m.Round = *n, int(rtt.Milliseconds()), round
					all = append(all, m)
					log.Printf("delay %-5s round %d %-9s %-7s %6.2fs  %3d requests  cpu %.2fs  rss %.0f MiB",
						rtt, round, p.label, s.name, m.WallS, total(m.Requests), m.CPUS, m.MaxRSSMiB)
				}
			}
			raw, _ := json.MarshalIndent(all, "", "  ")
			if err := os.WriteFile(results, raw, 0o600); err != nil {
				return err
			}
		}
	}
	fmt.Println(table(all, rtts, *n, *rounds, *parallelism))
	log.Printf("raw figures: %s", results)
	return nil
}

// runner runs Terraform for the bench, one command at a time.
type runner struct {
	terraform   string
	env         []string
	proxy       *countingProxy
	current     atomic.Pointer[exec.Cmd] // the command running, for signals
	interrupted atomic.Bool
}

// run runs terraform args in dir, its output in dir/terraform.log (a
// file: Terraform must not die of a closed pipe before it stops its
// providers).
func (r *runner) run(dir string, extraEnv []string, args ...string) (time.Duration, *os.ProcessState, error) {
	logFile := filepath.Join(dir, "terraform.log")
	out, err := os.Create(logFile)
	if err != nil {
		return 0, nil, err
	}
	defer out.Close()
	cmd := exec.Command(r.terraform, append(args, "-no-color")...)
	cmd.Dir = dir
	cmd.Env = append(slices.Clone(r.env), extraEnv...)
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group: a Ctrl-C reaches Terraform once, passed on
	// by the bench, not also from the terminal (two interrupts make
	// Terraform exit at once, state unsaved).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, nil, err
	}
	r.current.Store(cmd)
	err = cmd.Wait()
	r.current.Store(nil)
	wall := time.Since(start)
	if err != nil {
		tail, _ := os.ReadFile(logFile)
		if len(tail) > 4000 {
			tail = tail[len(tail)-4000:]
		}
		return wall, cmd.ProcessState, fmt.Errorf("terraform %s: %w (a plan with changes exits 2)\n%s", strings.Join(args, " "), err, tail)
	}
	return wall, cmd.ProcessState, nil
}

// destroyLeftovers destroys what a state file in p's directory still
// holds, and removes it.
func (r *runner) destroyLeftovers(p *provider) error {
	state := filepath.Join(p.dir, "terraform.tfstate")
	raw, err := os.ReadFile(state)
	if err != nil {
		return nil // no state: nothing was left
	}
	if bytes.Contains(raw, []byte(`"instances": [`)) && !bytes.Contains(raw, []byte(`"resources": []`)) {
		log.Printf("destroying the keypairs %s's state still holds", p.label)
		if _, _, err := r.run(p.dir, nil, "destroy", "-auto-approve"); err != nil {
			return fmt.Errorf("destroying what %s left: %w", state, err)
		}
	}
	for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup", ".terraform.tfstate.lock.info"} {
		_ = os.Remove(filepath.Join(p.dir, f))
	}
	return nil
}

func (r *runner) measure(p *provider, step string, args []string) (measurement, error) {
	stats := filepath.Join(p.dir, "stats.jsonl")
	_ = os.Remove(stats)
	r.proxy.reset()
	wall, ps, err := r.run(p.dir, []string{"BENCH_STATS=" + stats}, args...)
	if err != nil {
		return measurement{}, err
	}
	m := measurement{Provider: p.label, Step: step, WallS: wall.Seconds(), Requests: r.proxy.counts()}
	// wait4 counts the CLI with the processes it reaped: its providers.
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		m.CLICPUS = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	f, err := os.Open(stats)
	if err != nil {
		return m, fmt.Errorf("no provider usage recorded: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var s processStats
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			return m, err
		}
		m.CPUS += s.CPU
		m.MaxRSSMiB = max(m.MaxRSSMiB, float64(s.MaxRSSKiB)/1024)
		m.Instances++
	}
	m.CLICPUS = max(0, m.CLICPUS-m.CPUS)
	return m, sc.Err()
}

// countingProxy fronts Keystone and Nova on two loopback ports, counts
// requests by kind, and delays each by the round trip set. It rewrites
// Nova's URL in Keystone's catalog to its own, so that both providers
// reach Nova through it without any setting of theirs.
type countingProxy struct {
	keystoneURL, novaURL string

	mu    sync.Mutex
	delay time.Duration
	kinds map[string]int
}

func startProxy(keystone, nova *url.URL) (*countingProxy, error) {
	p := &countingProxy{kinds: map[string]int{}}
	kl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	nl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.keystoneURL = "http://" + kl.Addr().String()
	p.novaURL = "http://" + nl.Addr().String()

	rewrite := func(r *http.Response) error {
		if !strings.HasSuffix(r.Request.URL.Path, "/auth/tokens") {
			return nil
		}
		body, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return err
		}
		body = bytes.ReplaceAll(body, []byte(nova.Scheme+"://"+nova.Host), []byte(p.novaURL))
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Length", fmt.Sprint(len(body)))
		return nil
	}
	for _, s := range []struct {
		l        net.Listener
		upstream *url.URL
		modify   func(*http.Response) error
	}{{kl, keystone, rewrite}, {nl, nova, nil}} {
		rp := &httputil.ReverseProxy{
			Rewrite: func(r *httputil.ProxyRequest) {
				r.SetURL(s.upstream)
				r.Out.Host = r.In.Host // Nova builds its links from Host: they lead back here
				r.Out.Header.Del("Accept-Encoding")
			},
			ModifyResponse: s.modify,
			// Keep a connection per concurrent request upstream, so that
			// the proxy adds no connection setup of its own to either
			// provider's figures.
			Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute},
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p.mu.Lock()
			p.kinds[kind(r)]++
			d := p.delay
			p.mu.Unlock()
			time.Sleep(d)
			rp.ServeHTTP(w, r)
		}), ReadHeaderTimeout: time.Minute}
		go func() { _ = srv.Serve(s.l) }()
	}
	return p, nil
}

func (p *countingProxy) setDelay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}

func (p *countingProxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.kinds = map[string]int{}
}

func (p *countingProxy) counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.kinds {
		out[k] = v
	}
	return out
}

// versionPath is a compute version document's path.
var versionPath = regexp.MustCompile(`^/v2(\.1)?(/[0-9a-f]{32})?$`)

// kinds, in the table's order.
var kinds = []string{"token", "version", "list", "get", "create", "delete", "other"}

// kind is what a request is: a token, a compute version document, a
// keypair list, show, create or delete, or other.
func kind(r *http.Request) string {
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(path, "/auth/tokens"):
		return "token"
	case r.Method == http.MethodGet && (versionPath.MatchString(path) || path == ""):
		return "version"
	case strings.HasSuffix(path, "/os-keypairs"):
		if r.Method == http.MethodPost {
			return "create"
		}
		return "list"
	case strings.Contains(path, "/os-keypairs/"):
		switch r.Method {
		case http.MethodGet:
			return "get"
		case http.MethodDelete:
			return "delete"
		}
	}
	return "other"
}

func total(m map[string]int) (n int) {
	for _, v := range m {
		n += v
	}
	return n
}

func newPublicKey() (string, error) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	var blob bytes.Buffer
	for _, part := range [][]byte{[]byte("ssh-ed25519"), pub} {
		_ = binary.Write(&blob, binary.BigEndian, uint32(len(part)))
		blob.Write(part)
	}
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob.Bytes()) + " bench", nil
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	_ = os.Remove(dst)
	return os.WriteFile(dst, data, 0o755) //nolint:gosec // executables
}

// table renders the medians side by side.
func table(all []measurement, rtts []time.Duration, n, rounds, parallelism int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nN=%d keypairs, parallelism %d, %d round(s); each cell: ours (terraform-provider-nova) / incumbent (terraform-provider-openstack v3.4.0); ratio = ours / incumbent\n\n", n, parallelism, rounds)
	b.WriteString("| delay | step | requests by kind (round 1) | wall median s [min–max] | wall ratio | provider CPU s | CPU ratio | peak RSS MiB | Terraform's own CPU s |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, rtt := range rtts {
		for _, s := range steps {
			pick := func(label string) []measurement {
				var out []measurement
				for _, m := range all {
					if m.Provider == label && m.Step == s.name && m.DelayMS == int(rtt.Milliseconds()) {
						out = append(out, m)
					}
				}
				return out
			}
			ours, inc := pick("nova"), pick("openstack")
			if len(ours) == 0 || len(inc) == 0 {
				continue
			}
			wo, wi := median(ours, func(m measurement) float64 { return m.WallS }), median(inc, func(m measurement) float64 { return m.WallS })
			co, ci := median(ours, func(m measurement) float64 { return m.CPUS }), median(inc, func(m measurement) float64 { return m.CPUS })
			ro, ri := maxOf(ours, func(m measurement) float64 { return m.MaxRSSMiB }), maxOf(inc, func(m measurement) float64 { return m.MaxRSSMiB })
			to, ti := median(ours, func(m measurement) float64 { return m.CLICPUS }), median(inc, func(m measurement) float64 { return m.CLICPUS })
			fmt.Fprintf(&b, "| %s | %s | %s / %s | %.2f [%.2f–%.2f] / %.2f [%.2f–%.2f] | %.2f | %.2f / %.2f | %.2f | %.0f / %.0f | %.2f / %.2f |\n",
				rtt, s.name, requests(ours[0].Requests), requests(inc[0].Requests),
				wo, minOf(ours, wall), maxOf(ours, wall), wi, minOf(inc, wall), maxOf(inc, wall), wo/wi, co, ci, co/ci, ro, ri, to, ti)
		}
	}
	return b.String()
}

func wall(m measurement) float64 { return m.WallS }

func requests(m map[string]int) string {
	var parts []string
	for _, k := range kinds {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
		}
	}
	return fmt.Sprintf("%d (%s)", total(m), strings.Join(parts, ", "))
}

func median(ms []measurement, f func(measurement) float64) float64 {
	v := make([]float64, len(ms))
	for i, m := range ms {
		v[i] = f(m)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func minOf(ms []measurement, f func(measurement) float64) float64 {
	out := f(ms[0])
	for _, m := range ms[1:] {
		out = min(out, f(m))
	}
	return out
}

func maxOf(ms []measurement, f func(measurement) float64) float64 {
	out := f(ms[0])
	for _, m := range ms[1:] {
		out = max(out, f(m))
	}
	return out
}
