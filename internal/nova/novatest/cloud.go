package novatest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Hook sees a Nova request (the version document included, Keystone's
// token requests not) before the fake answers it. n counts the requests of
// that method and path so far, 1 for the first. A hook returns true when it
// has answered (or reset the connection), false to let the fake answer.
type Hook func(w http.ResponseWriter, r *http.Request, n int) bool

// Keypair is a keypair as the fake's Nova stores it.
type Keypair struct {
	Name      string
	PublicKey string
	// PrivateKey is set for keypairs the fake generated; Nova answers it
	// once, to the create, and never stores it.
	PrivateKey  string
	Type        string // "ssh" or "x509"
	UserID      string
	Fingerprint string
	ID          int // the database row id Nova shows in a keypair's details
}

// Cloud is one fake Keystone + Nova. Its zero value is not usable; make
// one with NewCloud or NewUnstartedCloud.
type Cloud struct {
	srv *httptest.Server

	mu          sync.Mutex
	maxVersion  version
	maxLimit    int
	keypairs    map[string]map[string]*Keypair // user id -> name -> keypair
	nextID      int
	versionGETs int
	counts      map[string]int // "METHOD path" -> requests so far
	hooks       map[string]Hook
	log         []string // "METHOD path?query" of every request, in order
}

// NewCloud starts a fake cloud like Nova 26.2.2 (maximum microversion 2.93,
// [api] max_limit 1000) with no keypairs, closed when the test ends.
func NewCloud(t testing.TB) *Cloud {
	t.Helper()
	c := NewUnstartedCloud(t)
	c.srv.Start()
	return c
}

// NewUnstartedCloud is NewCloud without starting the server, so that a
// test can configure it first, e.g. c.Server().TLS, then c.Server().StartTLS().
func NewUnstartedCloud(t testing.TB) *Cloud {
	t.Helper()
	c := &Cloud{
		maxVersion: version{2, 93},
		maxLimit:   1000,
		keypairs:   map[string]map[string]*Keypair{},
		counts:     map[string]int{},
		hooks:      map[string]Hook{},
	}
	c.srv = httptest.NewUnstartedServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.srv.Close)
	return c
}

// Server is the underlying httptest server (for TLS settings and its
// certificate).
func (c *Cloud) Server() *httptest.Server { return c.srv }

// URL is the server's base URL, e.g. http://127.0.0.1:PORT. Keystone is at
// URL()+"/v3" and Nova's catalog entry is URL()+"/v2.1".
func (c *Cloud) URL() string { return c.srv.URL }

// SetMaxVersion sets the maximum compute microversion, e.g. "2.5" for an
// older cloud: the version document reports it and higher requests get a
// 406, like Recording: "microversion too new" at 2.93. It panics on a
// malformed version.
func (c *Cloud) SetMaxVersion(v string) {
	mv, ok := parseVersion(v)
	if !ok {
		panic(fmt.Sprintf("novatest: SetMaxVersion(%q): not a microversion", v))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.maxVersion = mv
}

// SetMaxLimit sets Nova's [api] max_limit (default 1000): the most
// keypairs one list page holds from 2.35, whatever limit asks.
func (c *Cloud) SetMaxLimit(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.maxLimit = n
}

// On installs h for requests of method whose path ends with suffix, e.g.
// On("POST", "/os-keypairs", h) or On("GET", "/v2.1/", h). When several
// hooks match, the longest suffix wins; a second On for the same method
// and suffix replaces the first.
func (c *Cloud) On(method, suffix string, h Hook) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hooks[method+" "+suffix] = h
}

// Seed stores an ssh keypair as if userID had created it earlier. The key
// is not checked (a test may seed what Nova would refuse); its fingerprint
// is computed as Nova does when the key parses.
func (c *Cloud) Seed(userID, name, publicKey string) {
	c.SeedKeypair(Keypair{UserID: userID, Name: name, PublicKey: publicKey})
}

// SeedKeypair stores kp as if created earlier: Type defaults to "ssh",
// Fingerprint to the one Nova computes for the key, ID to the next row id.
func (c *Cloud) SeedKeypair(kp Keypair) {
	if kp.Type == "" {
		kp.Type = "ssh"
	}
	if kp.Fingerprint == "" {
		kp.Fingerprint = seedFingerprint(kp.Type, kp.PublicKey)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.storeLocked(&kp)
}

func (c *Cloud) storeLocked(kp *Keypair) {
	if c.keypairs[kp.UserID] == nil {
		c.keypairs[kp.UserID] = map[string]*Keypair{}
	}
	if kp.ID == 0 {
		c.nextID++
		kp.ID = c.nextID
	}
	c.keypairs[kp.UserID][kp.Name] = kp
}

// Has returns userID's keypair name as stored, if there is one.
func (c *Cloud) Has(userID, name string) (Keypair, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	kp, ok := c.keypairs[userID][name]
	if !ok {
		return Keypair{}, false
	}
	return *kp, true
}

// VersionDocumentGETs counts the GETs of a compute version document
// (/v2.1/, /v2/, /v2/{project_id}/, with or without the slash), those
// answered by a hook included.
func (c *Cloud) VersionDocumentGETs() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.versionGETs
}

// Commit lets the fake process r as Nova would, without answering the
// client and without hooks, and returns the status Nova would have
// answered. In a hook, Commit then ResetConnection is "Nova did it, the
// answer was lost".
func (c *Cloud) Commit(r *http.Request) int {
	rec := httptest.NewRecorder()
	c.answer(rec, r)
	return rec.Code
}

func isVersionDocument(p string) bool {
	switch p {
	case "/v2.1/", "/v2.1", "/v2/", "/v2",
		"/v2/" + ProjectID, "/v2/" + ProjectID + "/",
		"/v2/" + OtherProjectID, "/v2/" + OtherProjectID + "/":
		return true
	}
	return false
}

// Requests lists every request the fake received, Keystone's included,
// in order: "POST /v3/auth/tokens", "GET /v2.1/os-keypairs?limit=1000".
func (c *Cloud) Requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.log...)
}

func (c *Cloud) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.log = append(c.log, r.Method+" "+r.URL.RequestURI())
	c.mu.Unlock()
	if r.URL.Path == "/v3/auth/tokens" && r.Method == http.MethodPost {
		c.serveToken(w, r)
		return
	}

	c.mu.Lock()
	key := r.Method + " " + r.URL.Path
	c.counts[key]++
	n := c.counts[key]
	if r.Method == http.MethodGet && isVersionDocument(r.URL.Path) {
		c.versionGETs++
	}
	var hook Hook
	longest := -1
	for k, h := range c.hooks {
		method, suffix, _ := strings.Cut(k, " ")
		if method == r.Method && strings.HasSuffix(r.URL.Path, suffix) && len(suffix) > longest {
			hook, longest = h, len(suffix)
		}
	}
	c.mu.Unlock()
	if hook != nil && hook(w, r, n) {
		return
	}
	c.answer(w, r)
}

// routedPath is the path Nova routes r by: the path as sent, with its dot
// segments resolved (RFC 3986 section 5.2.4), as the WSGI stack in front
// of Nova does, then decoded. So /os-keypairs/. is /os-keypairs/, not the
// path of a keypair named "." (a real Nova answers 404 to a GET of it,
// and 200 to /os-keypairs/%2E; see issue 15).
func routedPath(u *url.URL) string {
	segments := strings.Split(u.EscapedPath(), "/")
	var out []string
	for i, s := range segments {
		last := i == len(segments)-1
		switch s {
		case ".":
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
			continue
		}
		if last {
			out = append(out, "") // a trailing dot segment leaves a trailing slash
		}
	}
	p, err := url.PathUnescape(strings.Join(out, "/"))
	if err != nil {
		return u.Path
	}
	return p
}

// answer is the fake Nova, without hooks.
func (c *Cloud) answer(w http.ResponseWriter, r *http.Request) {
	p := routedPath(r.URL)
	c.mu.Lock()
	maxV := c.maxVersion
	c.mu.Unlock()

	if r.Method == http.MethodGet {
		switch {
		case p == "/v2.1/" || p == "/v2.1":
			// Recording: "GET /v2.1/ (no token)"
			setMicroversionHeaders(w, v2_1)
			WriteJSON(w, http.StatusOK, fmt.Sprintf(`{"version": {"id": "v2.1", "status": "CURRENT", "version": %q, "min_version": "2.1", "updated": "2013-07-23T11:33:21Z", "links": [{"rel": "self", "href": "%s/v2.1/"}, {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}], "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}]}}`, maxV, c.URL()))
			return
		case isVersionDocument(p):
			// Not recorded at this path: the v2.0 entry of Nova's version
			// list (Recording: "GET / (versions, no token)"), which is
			// what the legacy v2 API reports about itself: no
			// microversions (tools/devcloud/FACTS.md saw the same at
			// /v1.1/).
			WriteJSON(w, http.StatusOK, fmt.Sprintf(`{"version": {"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "", "updated": "2011-01-21T11:33:21Z", "links": [{"rel": "self", "href": "%s/v2/"}]}}`, c.URL()))
			return
		}
	}

	var rest string
	legacy := false
	switch {
	case strings.HasPrefix(p, "/v2.1/"):
		rest = strings.TrimPrefix(p, "/v2.1/")
	case strings.HasPrefix(p, "/v2/"):
		rest, legacy = strings.TrimPrefix(p, "/v2/"), true
	default:
		// Not recorded: nothing else is served here.
		http.NotFound(w, r)
		return
	}

	u := userOfToken(r.Header.Get("X-Auth-Token"))
	if u == nil {
		// Recording: "no token"
		// Recording: "bogus token"
		WriteJSON(w, http.StatusUnauthorized, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`,
			"WWW-Authenticate", fmt.Sprintf("Keystone uri=%q", c.URL()+"/v3"))
		return
	}
	if legacy {
		// Recording: "legacy /v2/os-keypairs (no microversions)"; with the
		// caller's project id in the path it is the same API (not
		// recorded; tools/devcloud/FACTS.md).
		rest = strings.TrimPrefix(rest, u.projectID+"/")
	}

	mv := v2_1
	if !legacy {
		var ok bool
		if mv, ok = negotiate(w, r, maxV); !ok {
			return
		}
	}

	switch {
	case rest == "os-keypairs" && r.Method == http.MethodPost:
		c.createKeypair(w, r, mv, u)
	case rest == "os-keypairs" && r.Method == http.MethodGet:
		c.listKeypairs(w, r, mv, u)
	case rest == "os-keypairs/":
		// Not recorded: what a real Nova answered to /os-keypairs/ (and to
		// /os-keypairs/., which is the same path) in issue 15: a 404 of
		// the router, not of a keypair look-up.
		NovaError(w, http.StatusNotFound, "itemNotFound", "The resource could not be found.")
	case strings.HasPrefix(rest, "os-keypairs/") && r.Method == http.MethodGet:
		c.showKeypair(w, r, mv, u, strings.TrimPrefix(rest, "os-keypairs/"))
	case strings.HasPrefix(rest, "os-keypairs/") && r.Method == http.MethodDelete:
		c.deleteKeypair(w, r, mv, u, strings.TrimPrefix(rest, "os-keypairs/"))
	default:
		// Not recorded: Nova's answer to a path it does not route.
		NovaError(w, http.StatusNotFound, "itemNotFound", "The resource could not be found.")
	}
}

// setMicroversionHeaders sets the headers Nova answers every microversioned
// request with (Recording: "show @2.2").
func setMicroversionHeaders(w http.ResponseWriter, mv version) {
	w.Header().Set("OpenStack-API-Version", "compute "+mv.String())
	w.Header().Set("X-OpenStack-Nova-API-Version", mv.String())
	w.Header().Set("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version")
}

// negotiate reads the microversion a request asks for and sets the
// response headers, or answers the error Nova gives and returns false.
func negotiate(w http.ResponseWriter, r *http.Request, maxV version) (version, bool) {
	var asked string
	if h := r.Header.Get("OpenStack-API-Version"); h != "" {
		asked = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(h), "compute"))
	} else {
		// Recording: "legacy header 2.2"
		asked = strings.TrimSpace(r.Header.Get("X-OpenStack-Nova-API-Version"))
	}
	var mv version
	switch asked {
	case "":
		// Recording: "delete (no microversion header)"
		mv = v2_1
	case "latest":
		// Recording: "microversion latest"
		mv = maxV
	default:
		v, ok := parseVersion(asked)
		if !ok {
			// Recording: "microversion malformed"
			NovaError(w, http.StatusBadRequest, "badRequest", fmt.Sprintf("API Version String %s is of invalid format. Must be of format MajorNum.MinorNum.", asked))
			return version{}, false
		}
		mv = v
	}
	setMicroversionHeaders(w, mv)
	if mv.less(v2_1) || maxV.less(mv) {
		// Recording: "microversion too new"
		NovaError(w, http.StatusNotAcceptable, "computeFault", fmt.Sprintf("Version %s is not supported by the API. Minimum is 2.1 and maximum is %s.", mv, maxV))
		return version{}, false
	}
	return mv, true
}
