package novatest_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// recordingsFile is the evidence: real Nova 26.2.2 + Keystone 22 exchanges.
const recordingsFile = "testdata/nova-26.2.2-keypairs.md"

// exempt are the recordings the fake deliberately does not reproduce, each
// with the reason. Every other recording is replayed.
var exempt = map[string]string{
	"GET / (versions, no token)": "the fake's root belongs to its Keystone: Nova's version list there would send identity discovery to Nova's v2.0; the client reads /v2.1/ only",
}

// headersCompared are the response headers a replay compares with the
// recording: the microversion headers, and those a client acts on.
var headersCompared = []string{"Content-Type", "OpenStack-API-Version", "X-OpenStack-Nova-API-Version", "Vary", "WWW-Authenticate"}

// volatile are JSON properties whose values depend on when and in which
// database the exchange ran, not on Nova's behaviour: only their type is
// compared.
var volatile = map[string]bool{"expires_at": true, "issued_at": true, "audit_ids": true, "created_at": true}

// recording is one "### heading" of the recordings file.
type recording struct {
	heading  string
	method   string
	url      string
	reqHead  [][2]string
	reqBody  string
	status   int
	respHead http.Header
	respBody string
}

// parseRecordings reads the recordings file: per heading, one fenced block
// with the request (request line, headers, blank line, body), a line
// "-->", then the response (status line, headers, blank line, body).
func parseRecordings(t *testing.T) []recording {
	t.Helper()
	data, err := os.ReadFile(recordingsFile)
	if err != nil {
		t.Fatal(err)
	}
	var out []recording
	sections := strings.Split(string(data), "\n### ")
	for _, sec := range sections[1:] {
		heading, rest, _ := strings.Cut(sec, "\n")
		_, block, ok := strings.Cut(rest, "```\n")
		if !ok {
			t.Fatalf("%q: no fenced block", heading)
		}
		block, _, ok = strings.Cut(block, "\n```")
		if !ok {
			t.Fatalf("%q: unterminated fenced block", heading)
		}
		req, resp, ok := strings.Cut(block, "\n-->\n")
		if !ok {
			t.Fatalf("%q: no --> between request and response", heading)
		}
		r := recording{heading: heading, respHead: http.Header{}}

		reqLines := strings.Split(req, "\n")
		r.method, r.url, ok = strings.Cut(reqLines[0], " ")
		if !ok {
			t.Fatalf("%q: request line %q", heading, reqLines[0])
		}
		i := 1
		for ; i < len(reqLines) && reqLines[i] != ""; i++ {
			k, v, ok := strings.Cut(reqLines[i], ": ")
			if !ok {
				t.Fatalf("%q: request header %q", heading, reqLines[i])
			}
			r.reqHead = append(r.reqHead, [2]string{k, v})
		}
		r.reqBody = strings.TrimSpace(strings.Join(reqLines[min(i, len(reqLines)):], "\n"))

		respLines := strings.Split(resp, "\n")
		code, _, _ := strings.Cut(respLines[0], " ")
		if r.status, err = strconv.Atoi(code); err != nil {
			t.Fatalf("%q: status line %q", heading, respLines[0])
		}
		i = 1
		for ; i < len(respLines) && respLines[i] != ""; i++ {
			k, v, ok := strings.Cut(respLines[i], ": ")
			if !ok {
				t.Fatalf("%q: response header %q", heading, respLines[i])
			}
			r.respHead.Add(k, v)
		}
		r.respBody = strings.TrimSpace(strings.Join(respLines[min(i, len(respLines)):], "\n"))
		out = append(out, r)
	}
	return out
}

// truncated matches the recordings' elision of long strings: the start,
// "...(N chars)...", the end; N is the full length.
var truncated = regexp.MustCompile(`^(.*)\.\.\.\((\d+) chars\)\.\.\.(.*)$`)

// matchesTruncated reports whether got is a string the recording
// abbreviated as want.
func matchesTruncated(want, got string) bool {
	m := truncated.FindStringSubmatch(want)
	n, _ := strconv.Atoi(m[2])
	return strings.HasPrefix(got, m[1]) && strings.HasSuffix(got, m[3]) && len(got) == n
}

// sameKind compares a value Nova generated with the one the fake generated:
// the same kind of thing (a PEM block of the same type, an OpenSSH key of
// the same algorithm and comment, a fingerprint of the same digest, DER in
// base64), not the same value.
func sameKind(want, got string) bool {
	switch {
	case strings.HasPrefix(want, "-----BEGIN "):
		begin, _, _ := strings.Cut(want, "\n")
		block, rest := pem.Decode([]byte(got))
		return block != nil && strings.HasPrefix(got, begin+"\n") && len(bytes.TrimSpace(rest)) == 0 &&
			strings.HasSuffix(want, "\n") == strings.HasSuffix(got, "\n")
	case strings.HasPrefix(want, "ssh-") || strings.HasPrefix(want, "ecdsa-"):
		w, g := strings.Fields(want), strings.Fields(got)
		_, _, _, _, err := ssh.ParseAuthorizedKey([]byte(got))
		return err == nil && len(g) == 3 && w[0] == g[0] && w[len(w)-1] == g[2]
	case regexp.MustCompile(`^[0-9a-f]{2}(:[0-9a-f]{2})+$`).MatchString(want):
		return len(got) == len(want) && regexp.MustCompile(`^[0-9a-f]{2}(:[0-9a-f]{2})+$`).MatchString(got)
	default:
		_, err := base64.StdEncoding.DecodeString(got)
		return err == nil && strings.HasPrefix(want, "MII") && strings.HasPrefix(got, "MII")
	}
}

// compareJSON lists how got differs from want: property sets recursively,
// arrays element by element, values exactly (abbreviated strings by start,
// end and length) except volatile ones, and values a generation made by
// kind. generated collects the recorded generated values and the fake's.
func compareJSON(path string, want, got any, generation bool, generated map[string]string) []string {
	key := path[strings.LastIndex(path, ".")+1:]
	if w, ok := want.(map[string]any); ok {
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %T, recorded an object", path, got)}
		}
		var diffs []string
		for k := range w {
			if _, ok := g[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: missing", path, k))
			}
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s: not in the recording", path, k))
			}
		}
		for k := range w {
			if _, ok := g[k]; ok {
				diffs = append(diffs, compareJSON(path+"."+k, w[k], g[k], generation, generated)...)
			}
		}
		slices.Sort(diffs)
		return diffs
	}
	if w, ok := want.([]any); ok {
		g, ok := got.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %T, recorded an array", path, got)}
		}
		if volatile[key] {
			return nil
		}
		if len(g) != len(w) {
			return []string{fmt.Sprintf("%s: %d elements, recorded %d", path, len(g), len(w))}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, compareJSON(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], generation, generated)...)
		}
		return diffs
	}
	if fmt.Sprintf("%T", want) != fmt.Sprintf("%T", got) {
		return []string{fmt.Sprintf("%s: %T %v, recorded %T %v", path, got, got, want, want)}
	}
	ws, isString := want.(string)
	gs, _ := got.(string)
	switch {
	case volatile[key] || (key == "id" && !isString):
		// The time of the exchange, or a database row id.
		return nil
	case generation && (key == "public_key" || key == "private_key" || key == "fingerprint"):
		if !sameKind(ws, gs) {
			return []string{fmt.Sprintf("%s: %q is not the kind of value Nova generated (%q)", path, gs, ws)}
		}
		generated[ws] = gs
		return nil
	case isString && truncated.MatchString(ws):
		if !matchesTruncated(ws, gs) {
			return []string{fmt.Sprintf("%s: %q, recorded (abbreviated) %q", path, gs, ws)}
		}
		return nil
	case want != got:
		return []string{fmt.Sprintf("%s: %#v, recorded %#v", path, got, want)}
	}
	return nil
}

// jsonEscape is s as it stands inside a JSON string.
func jsonEscape(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	out := strings.TrimSpace(b.String())
	return out[1 : len(out)-1]
}

// substitutions replaces what the recordings abbreviate or mask, and the
// real cloud's addresses, in requests and expected answers alike.
type substitutions [][2]string

func (s substitutions) text(in string) string {
	for _, p := range s {
		in = strings.ReplaceAll(in, p[0], p[1])
	}
	return in
}

func (s substitutions) body(in string) string {
	for _, p := range s {
		in = strings.ReplaceAll(in, jsonEscape(p[0]), jsonEscape(p[1]))
	}
	return in
}

func md5Fingerprint(t *testing.T, line string) string {
	t.Helper()
	key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(ssh.FingerprintLegacyMD5(key), "MD5:")
}

func sha1Fingerprint(der []byte) string {
	sum := sha1.Sum(der)
	var parts []string
	for _, b := range sum {
		parts = append(parts, fmt.Sprintf("%02x", b))
	}
	return strings.Join(parts, ":")
}

// standIns makes a key or certificate of each kind the recordings
// abbreviate (the probe keys and certificate imported into the real Nova),
// and pairs each abbreviation, and the fingerprint Nova answered for it,
// with the stand-in and its fingerprint as OpenSSH and the standard library
// compute them.
func standIns(t *testing.T) substitutions {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub, err := ssh.NewPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	rsaLine := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(rsaPub))) + " probe-rsa"

	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecPub, err := ssh.NewPublicKey(&ecKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	ecLine := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(ecPub))) + " probe-ecdsa"

	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "novatest replay"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ecKey.PublicKey, ecKey)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))

	return substitutions{
		{"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCaHb4iQxRpZxlE8y0Sdnlr...(390 chars)...hwttZ6uSCz probe-rsa", rsaLine},
		{"79:57:1a:aa:99:8e:73:20:49:64:14:8b:ee:9e:14:d1", md5Fingerprint(t, rsaLine)},
		{"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlz...(172 chars)...WSjRC+A= probe-ecdsa", ecLine},
		{"f6:d1:90:ba:ed:0c:86:9a:4d:0d:41:46:e1:ba:55:b1", md5Fingerprint(t, ecLine)},
		{"-----BEGIN CERTIFICATE-----\nMIIDATCCAemgAwIBAgIUaWq9q6UIdGjV...(1103 chars)...ND CERTIFICATE-----\n", certPEM},
		{"49:2f:3d:1d:8a:49:c1:03:cb:b0:42:8c:7b:b2:2a:7a:1b:8d:12:68", sha1Fingerprint(der)},
		{"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...(256 chars)...xxxxxxxxxxxxxxxxxxxx", strings.Repeat("x", 256)},
	}
}

// TestRecordingsReplay replays the recorded session, in its order, against
// one fake cloud: each request as recorded (with the fake's address,
// tokens and passwords, and stand-ins for the keys the recording
// abbreviates), so that each finds the keypairs the ones before it made,
// as in the real session. Each answer must match the recorded one: status,
// headersCompared, and the JSON body (see compareJSON). Values Nova
// generated are compared by kind, then stand in for the recorded ones in
// later answers.
func TestRecordingsReplay(t *testing.T) {
	recs := parseRecordings(t)
	cloud := novatest.NewCloud(t)
	base := cloud.URL()
	subst := append(substitutions{
		{"http://127.0.0.1:8774", base},
		{"http://127.0.0.1:5000", base},
		{"<token admin>", novatest.Token},
		{"<token demo>", novatest.OtherToken},
		{"<token ?>", "gAAAAABbogus"},
	}, standIns(t)...)
	passwords := map[string]string{"keystone: admin token": novatest.Password, "keystone: demo token": novatest.OtherPassword}
	client := &http.Client{Timeout: 10 * time.Second}

	replayed := 0
	for _, rec := range recs {
		if _, ok := exempt[rec.heading]; ok {
			continue
		}
		replayed++
		fail := func(format string, args ...any) {
			t.Helper()
			t.Errorf("Recording %q: %s", rec.heading, fmt.Sprintf(format, args...))
		}
		s := subst
		if pw, ok := passwords[rec.heading]; ok {
			s = append(slices.Clone(subst), [2]string{"***", pw})
		}
		body := s.body(rec.reqBody)
		url := s.text(rec.url)
		if truncated.MatchString(body) || strings.Contains(body, "***") || strings.Contains(url, "...(") {
			fail("the request is still abbreviated or masked after substitution: %s %s", url, body)
			continue
		}
		req, err := http.NewRequest(rec.method, url, strings.NewReader(body))
		if err != nil {
			fail("%v", err)
			continue
		}
		for _, h := range rec.reqHead {
			req.Header.Set(h[0], s.text(h[1]))
		}
		resp, err := client.Do(req)
		if err != nil {
			fail("%v", err)
			continue
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()

		if resp.StatusCode != rec.status {
			fail("status %d, recorded %d (body %s)", resp.StatusCode, rec.status, got)
		}
		for _, h := range headersCompared {
			want := s.text(rec.respHead.Get(h))
			if g := resp.Header.Get(h); g != want {
				fail("header %s: %q, recorded %q", h, g, want)
			}
		}
		wantBody := s.body(rec.respBody)
		if wantBody == "" {
			if len(bytes.TrimSpace(got)) != 0 {
				fail("body %s, recorded none", got)
			}
			continue
		}
		var w, g any
		if err := json.Unmarshal([]byte(wantBody), &w); err != nil {
			t.Fatalf("Recording %q: the recorded body is not JSON: %v", rec.heading, err)
		}
		if err := json.Unmarshal(got, &g); err != nil {
			fail("body %s is not JSON: %v", got, err)
			continue
		}
		generated := map[string]string{}
		isGeneration := strings.HasPrefix(rec.heading, "generate ") && rec.status < 300
		for _, d := range compareJSON("body", w, g, isGeneration, generated) {
			fail("%s", d)
		}
		for recorded, fake := range generated {
			subst = append(subst, [2]string{recorded, fake})
		}
	}
	if want := len(recs) - len(exempt); replayed != want {
		t.Errorf("replayed %d recordings, want %d", replayed, want)
	}
	t.Logf("replayed %d of %d recordings; exempt: %d", replayed, len(recs), len(exempt))
}

// The recordings file is well formed: unique headings, and the exemption
// list names only recordings that exist.
func TestRecordingsFile(t *testing.T) {
	recs := parseRecordings(t)
	if len(recs) < 50 {
		t.Fatalf("parsed %d recordings; the file holds 58", len(recs))
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if seen[r.heading] {
			t.Errorf("heading %q twice", r.heading)
		}
		seen[r.heading] = true
	}
	for h := range exempt {
		if !seen[h] {
			t.Errorf("exempt recording %q is not in %s", h, recordingsFile)
		}
	}
}

// Every `Recording: "..."` comment in the fake names a recording of the
// file, and every replayed recording is named by one: each answer says
// which evidence it follows.
func TestRecordingCommentsNameRecordings(t *testing.T) {
	headings := map[string]bool{}
	for _, r := range parseRecordings(t) {
		headings[r.heading] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	cite := regexp.MustCompile(`Recording: "([^"]+)"`)
	cited := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range cite.FindAllStringSubmatch(string(src), -1) {
			if !headings[m[1]] {
				t.Errorf("%s cites Recording %q, which is not a heading of %s", f, m[1], recordingsFile)
			}
			cited[m[1]] = true
		}
	}
	for h := range headings {
		if _, ok := exempt[h]; !ok && !cited[h] {
			t.Errorf("no answer of the fake cites Recording %q", h)
		}
	}
}

// The fake computes fingerprints as Nova does: the recorded one for the
// recorded key, and what OpenSSH and OpenSSL print for the package's keys
// and certificates.
func TestFingerprints(t *testing.T) {
	cloud := novatest.NewCloud(t)
	for _, c := range []struct{ name, typ, key, want string }{
		{"recorded", "ssh", novatest.PublicKey, novatest.PublicKeyFingerprint},
		{"other", "ssh", novatest.OtherPublicKey, novatest.OtherPublicKeyFingerprint},
		{"generated", "ssh", novatest.GeneratedPublicKey, novatest.GeneratedPublicKeyFingerprint},
		{"certificate", "x509", novatest.Certificate, novatest.CertificateFingerprint},
		{"generated-certificate", "x509", novatest.GeneratedCertificate, novatest.GeneratedCertificateFingerprint},
	} {
		cloud.SeedKeypair(novatest.Keypair{UserID: novatest.UserID, Name: c.name, Type: c.typ, PublicKey: c.key})
		kp, _ := cloud.Has(novatest.UserID, c.name)
		if kp.Fingerprint != c.want {
			t.Errorf("%s: fingerprint %s, want %s", c.name, kp.Fingerprint, c.want)
		}
	}
	if got := md5Fingerprint(t, novatest.GeneratedPublicKey); got != novatest.GeneratedPublicKeyFingerprint {
		t.Errorf("GeneratedPublicKeyFingerprint is not GeneratedPublicKey's (%s)", got)
	}
	block, _ := pem.Decode([]byte(novatest.GeneratedPrivateKey))
	priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := ssh.NewPublicKey(&priv.PublicKey)
	if got := md5Fingerprint(t, string(ssh.MarshalAuthorizedKey(pub))); got != novatest.GeneratedPublicKeyFingerprint {
		t.Error("GeneratedPrivateKey is not the private half of GeneratedPublicKey")
	}
}

// Hooks see Nova's requests; the longest matching suffix wins; Commit
// processes a request without answering it.
func TestHooks(t *testing.T) {
	cloud := novatest.NewCloud(t)
	var order []string
	cloud.On("GET", "/os-keypairs/kp", func(w http.ResponseWriter, r *http.Request, n int) bool {
		order = append(order, fmt.Sprintf("long %d", n))
		return false
	})
	cloud.On("GET", "kp", func(w http.ResponseWriter, r *http.Request, n int) bool {
		order = append(order, "short")
		return false
	})
	cloud.On("POST", "/os-keypairs", func(w http.ResponseWriter, r *http.Request, n int) bool {
		if status := cloud.Commit(r); status != http.StatusCreated {
			t.Errorf("Commit: %d, want 201", status)
		}
		novatest.ResetConnection(w)
		return true
	})
	do := func(method, path, body string) (*http.Response, error) {
		req, _ := http.NewRequest(method, cloud.URL()+path, strings.NewReader(body))
		req.Header.Set("X-Auth-Token", novatest.Token)
		req.Header.Set("OpenStack-API-Version", "compute 2.2")
		return (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	}
	if _, err := do("POST", "/v2.1/os-keypairs", `{"keypair": {"name": "kp", "public_key": "`+novatest.PublicKey+`"}}`); err == nil {
		t.Error("the POST was answered; the hook resets the connection")
	}
	if kp, ok := cloud.Has(novatest.UserID, "kp"); !ok || kp.PublicKey != novatest.PublicKey || kp.Type != "ssh" {
		t.Errorf("after Commit: %+v, %v", kp, ok)
	}
	for range 2 {
		resp, err := do("GET", "/v2.1/os-keypairs/kp", "")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET: %v, %v", resp, err)
		}
		resp.Body.Close()
	}
	if strings.Join(order, ",") != "long 1,long 2" {
		t.Errorf("hooks ran %v, want the longest suffix twice", order)
	}
}
