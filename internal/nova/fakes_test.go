package nova

// Shared test helpers: a fake Keystone + Nova that answers the way the
// recordings of a real Nova 26.2.2 and Keystone 22 show
// (/work/shared/nova-keypairs-reference.md), and a recording transport
// that sits under the client's retrying transport and sees every attempt.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Identities as Keystone recorded them.
const (
	fakeUserName      = "admin"
	fakeUserID        = "042fcf6326b14dccadb5ad9b582c979a"
	fakeOtherUserID   = "99f09abef34647e094da0ffded5b0d62"
	fakeProjectID     = "ffec877ad56e4a1a91599445d2aefd69"
	fakePassword      = "pw-Zq81-FAKEPASSWORD"
	fakeAppCredID     = "6a9e0c5e7d1b4f0e9f8d7c6b5a4f3e2d"
	fakeAppCredSecret = "appcred-SECRET-9c1d4f"
	// fakeToken is what Keystone returns in X-Subject-Token: distinctive,
	// so that a test can look for it in logs.
	fakeToken = "gAAAAABfAKE-TOKEN-VALUE-e3b0c44298fc1c149afb"

	// Public keys from the recordings (Nova does not check them here).
	testPublicKey  = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct probe-ed25519"
	otherPublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherOtherOtherOtherOtherOtherOtherOther other"

	// fakePrivateKey is what Nova generates before 2.92 when no public key
	// is sent.
	fakePrivateKey = "-----BEGIN RSA PRIVATE KEY-----\nSECRETSECRETSECRETSECRETPRIVATEKEYMATERIAL\n-----END RSA PRIVATE KEY-----\n"
)

func ptrTo[T any](v T) *T { return &v }

func bg() context.Context { return context.Background() }

type fakeKeypair struct {
	Name, PublicKey, PrivateKey, Type, UserID string
	ID                                        int
}

// fakeHook sees a Nova request (the version document included) before the
// fake does; n counts the
// requests of that method and path so far (1 for the first). It returns
// true when it has answered (or reset the connection).
type fakeHook func(w http.ResponseWriter, r *http.Request, n int) bool

// fakeCloud is one Keystone + Nova.
type fakeCloud struct {
	srv *httptest.Server

	// Set before the first request.
	maxVersion string // the v2.1 document's "version"; 2.93 like Nova 26
	maxLimit   int    // Nova's [api] max_limit

	mu          sync.Mutex
	keypairs    map[string]map[string]*fakeKeypair // user id -> name -> keypair
	nextID      int
	versionGETs int
	counts      map[string]int // "METHOD path" -> requests so far
	hooks       map[string]fakeHook
}

func newFakeCloud(t *testing.T) *fakeCloud {
	t.Helper()
	f := newUnstartedFakeCloud(t)
	f.srv.Start()
	return f
}

// newUnstartedFakeCloud lets a test configure TLS before starting.
func newUnstartedFakeCloud(t *testing.T) *fakeCloud {
	t.Helper()
	f := &fakeCloud{
		maxVersion: "2.93",
		maxLimit:   1000,
		keypairs:   map[string]map[string]*fakeKeypair{},
		counts:     map[string]int{},
		hooks:      map[string]fakeHook{},
	}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeCloud) URL() string { return f.srv.URL }

// on installs a hook for requests of method whose path ends with suffix.
func (f *fakeCloud) on(method, suffix string, h fakeHook) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hooks[method+" "+suffix] = h
}

// seed stores a keypair as if created earlier.
func (f *fakeCloud) seed(userID, name, publicKey string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.storeLocked(&fakeKeypair{Name: name, PublicKey: publicKey, Type: "ssh", UserID: userID})
}

func (f *fakeCloud) storeLocked(kp *fakeKeypair) {
	if f.keypairs[kp.UserID] == nil {
		f.keypairs[kp.UserID] = map[string]*fakeKeypair{}
	}
	f.nextID++
	kp.ID = f.nextID
	f.keypairs[kp.UserID][kp.Name] = kp
}

func (f *fakeCloud) has(userID, name string) (*fakeKeypair, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	kp, ok := f.keypairs[userID][name]
	return kp, ok
}

func (f *fakeCloud) versionDocumentGETs() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.versionGETs
}

// resetConnection drops the connection without an answer: the client sees
// a connection reset or EOF after its request went out.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

func writeJSON(w http.ResponseWriter, status int, body string, headers ...string) {
	for i := 0; i+1 < len(headers); i += 2 {
		w.Header().Set(headers[i], headers[i+1])
	}
	if body != "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// novaError writes Nova's error body, e.g. {"itemNotFound": {"code": 404, ...}}.
func novaError(w http.ResponseWriter, status int, kind, message string, headers ...string) {
	b, _ := json.Marshal(map[string]any{kind: map[string]any{"code": status, "message": message}})
	writeJSON(w, status, string(b), append([]string{"Content-Type", "application/json; charset=UTF-8"}, headers...)...)
}

func (f *fakeCloud) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/v3/auth/tokens" && r.Method == http.MethodPost:
		f.serveToken(w, r)
		return
	}

	versionDocument := r.Method == http.MethodGet && (p == "/v2.1/" || p == "/v2.1" ||
		p == "/v2/" || p == "/v2" || p == "/v2/"+fakeProjectID || p == "/v2/"+fakeProjectID+"/")
	f.mu.Lock()
	key := r.Method + " " + p
	f.counts[key]++
	n := f.counts[key]
	if versionDocument {
		f.versionGETs++
	}
	var hook fakeHook
	for k, h := range f.hooks {
		method, suffix, _ := strings.Cut(k, " ")
		if method == r.Method && strings.HasSuffix(p, suffix) {
			hook = h
		}
	}
	f.mu.Unlock()
	if hook != nil && hook(w, r, n) {
		return
	}

	switch {
	case p == "/v2.1/" || p == "/v2.1":
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"version": {"id": "v2.1", "status": "CURRENT", "version": %q, "min_version": "2.1", "updated": "2013-07-23T11:33:21Z", "links": [{"rel": "self", "href": "%s/v2.1/"}, {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}], "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}]}}`, f.maxVersion, f.URL()),
			"OpenStack-API-Version", "compute 2.1", "X-OpenStack-Nova-API-Version", "2.1")
		return
	case versionDocument:
		// The legacy v2 entry of Nova's version list: no microversions.
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"version": {"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "", "updated": "2011-01-21T11:33:21Z", "links": [{"rel": "self", "href": "%s/v2/"}]}}`, f.URL()))
		return
	}

	var rest string
	legacy := false
	switch {
	case strings.HasPrefix(p, "/v2.1/"):
		rest = strings.TrimPrefix(p, "/v2.1/")
	case strings.HasPrefix(p, "/v2/"+fakeProjectID+"/"):
		rest, legacy = strings.TrimPrefix(p, "/v2/"+fakeProjectID+"/"), true
	case strings.HasPrefix(p, "/v2/"):
		rest, legacy = strings.TrimPrefix(p, "/v2/"), true
	default:
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("X-Auth-Token") != fakeToken {
		writeJSON(w, http.StatusUnauthorized, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`,
			"WWW-Authenticate", fmt.Sprintf("Keystone uri=%q", f.URL()+"/v3"))
		return
	}

	mv := Microversion{2, 1}
	if !legacy {
		if h := r.Header.Get("OpenStack-API-Version"); h != "" {
			v, err := ParseMicroversion(strings.TrimPrefix(h, "compute "))
			if err != nil {
				novaError(w, http.StatusBadRequest, "badRequest", fmt.Sprintf("API Version String %s is of invalid format. Must be of format MajorNum.MinorNum.", h))
				return
			}
			if maxV := mustParse(f.maxVersion); maxV.Less(v) {
				novaError(w, http.StatusNotAcceptable, "computeFault", fmt.Sprintf("Version %s is not supported by the API. Minimum is 2.1 and maximum is %s.", v, maxV))
				return
			}
			mv = v
			w.Header().Set("OpenStack-API-Version", "compute "+v.String())
			w.Header().Set("X-OpenStack-Nova-API-Version", v.String())
		} else {
			w.Header().Set("OpenStack-API-Version", "compute 2.1")
			w.Header().Set("X-OpenStack-Nova-API-Version", "2.1")
		}
	}

	switch {
	case rest == "os-keypairs" && r.Method == http.MethodPost:
		f.createKeypair(w, r, mv)
	case rest == "os-keypairs" && r.Method == http.MethodGet:
		f.listKeypairs(w, r, mv)
	case strings.HasPrefix(rest, "os-keypairs/") && r.Method == http.MethodGet:
		f.showKeypair(w, r, mv, strings.TrimPrefix(rest, "os-keypairs/"))
	case strings.HasPrefix(rest, "os-keypairs/") && r.Method == http.MethodDelete:
		f.deleteKeypair(w, r, mv, strings.TrimPrefix(rest, "os-keypairs/"))
	default:
		novaError(w, http.StatusNotFound, "itemNotFound", "The resource could not be found.")
	}
}

// userOf is the user a request acts for: ?user_id= from 2.10, else the
// token's user.
func userOf(r *http.Request, mv Microversion) string {
	if u := r.URL.Query().Get("user_id"); u != "" && !mv.Less(V2_10) {
		return u
	}
	return fakeUserID
}

func (f *fakeCloud) serveToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Auth struct {
			Identity struct {
				Methods  []string `json:"methods"`
				Password struct {
					User struct {
						Name     string `json:"name"`
						ID       string `json:"id"`
						Password string `json:"password"`
					} `json:"user"`
				} `json:"password"`
				ApplicationCredential struct {
					ID     string `json:"id"`
					Secret string `json:"secret"`
				} `json:"application_credential"`
			} `json:"identity"`
		} `json:"auth"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, `{"error": {"code": 400, "message": "Malformed request body", "title": "Bad Request"}}`)
		return
	}
	id := req.Auth.Identity
	ok := false
	switch {
	case slices.Contains(id.Methods, "password"):
		u := id.Password.User
		ok = (u.Name == fakeUserName || u.ID == fakeUserID) && u.Password == fakePassword
	case slices.Contains(id.Methods, "application_credential"):
		ok = id.ApplicationCredential.ID == fakeAppCredID && id.ApplicationCredential.Secret == fakeAppCredSecret
	}
	if !ok {
		writeJSON(w, http.StatusUnauthorized, `{"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}}`,
			"WWW-Authenticate", fmt.Sprintf("Keystone uri=%q", f.URL()+"/v3"))
		return
	}
	u := f.URL()
	writeJSON(w, http.StatusCreated, `{"token": {"methods": ["password"], "user": {"domain": {"id": "default", "name": "Default"}, "id": "`+fakeUserID+`", "name": "admin", "password_expires_at": null}, "expires_at": "2099-11-22T20:20:55.000000Z", "project": {"domain": {"id": "default", "name": "Default"}, "id": "`+fakeProjectID+`", "name": "admin"}, "roles": [{"id": "fa13f5ceaae2440fb323d41bc0e51328", "name": "reader"}, {"id": "07209e50542a48f08f45b1c11eedefda", "name": "admin"}, {"id": "64e1e1ad277e47078e0fc5dbb2be2041", "name": "member"}], "catalog": [{"endpoints": [{"id": "f9be078e70264f6f8482da61b7572af8", "interface": "public", "region_id": "RegionOne", "url": "`+u+`/v3", "region": "RegionOne"}, {"id": "e074b7b6db4941b8998e7579cca6ef84", "interface": "internal", "region_id": "RegionOne", "url": "`+u+`/v3", "region": "RegionOne"}], "id": "3b1081a239254c00a03111a75b8f120f", "type": "identity", "name": "keystone"}, {"endpoints": [{"id": "123708f9054b401d898737be06aec061", "interface": "public", "region_id": "RegionOne", "url": "`+u+`/v2.1", "region": "RegionOne"}, {"id": "bb16d94ea2774143ae828fd9a2b0accf", "interface": "internal", "region_id": "RegionOne", "url": "`+u+`/v2.1", "region": "RegionOne"}], "id": "2f5f00f3b00244deb871864b1720e892", "type": "compute", "name": "nova"}]}}`,
		"X-Subject-Token", fakeToken, "Vary", "X-Auth-Token")
}

func (kp *fakeKeypair) json(mv Microversion, full bool) map[string]any {
	m := map[string]any{
		"name":        kp.Name,
		"public_key":  kp.PublicKey,
		"fingerprint": "70:82:84:6d:6d:6d:1d:6e:ac:33:55:0f:e9:21:11:da",
	}
	if !mv.Less(V2_2) {
		m["type"] = kp.Type
	}
	if full {
		m["user_id"] = kp.UserID
		m["created_at"] = "2026-11-22T19:20:57.892728"
		m["deleted"] = false
		m["deleted_at"] = nil
		m["id"] = kp.ID
		m["updated_at"] = nil
	}
	return m
}

func (f *fakeCloud) createKeypair(w http.ResponseWriter, r *http.Request, mv Microversion) {
	var body struct {
		Keypair *struct {
			Name      string  `json:"name"`
			PublicKey *string `json:"public_key"`
			Type      *string `json:"type"`
			UserID    *string `json:"user_id"`
		} `json:"keypair"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Keypair == nil {
		novaError(w, http.StatusBadRequest, "badRequest", "'keypair' is a required property")
		return
	}
	in := body.Keypair
	switch {
	case in.UserID != nil && mv.Less(V2_10), in.Type != nil && mv.Less(V2_2):
		novaError(w, http.StatusBadRequest, "badRequest", "Invalid input for field/attribute keypair. Additional properties are not allowed")
		return
	case strings.ContainsAny(in.Name, "@.") && mv.Less(V2_92):
		novaError(w, http.StatusBadRequest, "badRequest", "An invalid 'name' value was provided. The name must be: Only expected characters: [a-zA-Z0-9_- ]")
		return
	case in.PublicKey == nil && !mv.Less(V2_92):
		novaError(w, http.StatusBadRequest, "badRequest", "Invalid input for field/attribute keypair. 'public_key' is a required property")
		return
	}
	kp := &fakeKeypair{Name: in.Name, Type: "ssh", UserID: fakeUserID}
	if in.Type != nil {
		kp.Type = *in.Type
	}
	if in.UserID != nil {
		kp.UserID = *in.UserID
	}
	if in.PublicKey != nil {
		kp.PublicKey = *in.PublicKey
	} else {
		kp.PublicKey = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDU04N1b6T6cW6uTTL8jZqJ Generated-by-Nova"
		kp.PrivateKey = fakePrivateKey
	}
	f.mu.Lock()
	if _, exists := f.keypairs[kp.UserID][kp.Name]; exists {
		f.mu.Unlock()
		novaError(w, http.StatusConflict, "conflictingRequest", fmt.Sprintf("Key pair '%s' already exists.", kp.Name))
		return
	}
	f.storeLocked(kp)
	f.mu.Unlock()

	out := kp.json(mv, false)
	out["user_id"] = kp.UserID
	if kp.PrivateKey != "" {
		out["private_key"] = kp.PrivateKey
	}
	b, _ := json.Marshal(map[string]any{"keypair": out})
	status := http.StatusCreated
	if mv.Less(V2_2) {
		status = http.StatusOK
	}
	writeJSON(w, status, string(b))
}

func (f *fakeCloud) showKeypair(w http.ResponseWriter, r *http.Request, mv Microversion, name string) {
	user := userOf(r, mv)
	kp, ok := f.has(user, name)
	if !ok {
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Keypair %s not found for user %s", name, user))
		return
	}
	b, _ := json.Marshal(map[string]any{"keypair": kp.json(mv, true)})
	writeJSON(w, http.StatusOK, string(b))
}

func (f *fakeCloud) deleteKeypair(w http.ResponseWriter, r *http.Request, mv Microversion, name string) {
	user := userOf(r, mv)
	f.mu.Lock()
	_, ok := f.keypairs[user][name]
	delete(f.keypairs[user], name)
	f.mu.Unlock()
	if !ok {
		novaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Keypair %s not found for user %s", name, user))
		return
	}
	status := http.StatusNoContent
	if mv.Less(V2_2) {
		status = http.StatusAccepted
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
}

// listKeypairs pages from 2.35 like Nova: at most min(limit, max_limit)
// entries after marker, and a next link when the page is full.
func (f *fakeCloud) listKeypairs(w http.ResponseWriter, r *http.Request, mv Microversion) {
	q := r.URL.Query()
	user := userOf(r, mv)
	f.mu.Lock()
	var kps []*fakeKeypair
	for _, kp := range f.keypairs[user] {
		kps = append(kps, kp)
	}
	f.mu.Unlock()
	slices.SortFunc(kps, func(a, b *fakeKeypair) int { return strings.Compare(a.Name, b.Name) })

	var links []map[string]string
	if !mv.Less(V2_35) {
		if m := q.Get("marker"); m != "" {
			i := slices.IndexFunc(kps, func(kp *fakeKeypair) bool { return kp.Name == m })
			if i < 0 {
				novaError(w, http.StatusBadRequest, "badRequest", fmt.Sprintf("Marker %s could not be found.", m))
				return
			}
			kps = kps[i+1:]
		}
		limit := f.maxLimit
		if l, err := strconv.Atoi(q.Get("limit")); err == nil && l < limit {
			limit = l
		}
		if len(kps) >= limit {
			kps = kps[:limit]
			next := r.URL.Query()
			next.Set("marker", kps[len(kps)-1].Name)
			links = append(links, map[string]string{"rel": "next", "href": f.URL() + r.URL.Path + "?" + next.Encode()})
		}
	}
	entries := []map[string]any{}
	for _, kp := range kps {
		entries = append(entries, map[string]any{"keypair": kp.json(mv, false)})
	}
	out := map[string]any{"keypairs": entries}
	if links != nil {
		out["keypairs_links"] = links
	}
	b, _ := json.Marshal(out)
	writeJSON(w, http.StatusOK, string(b))
}

// recordedRequest is one attempt as the client sent it.
type recordedRequest struct {
	Method, Path string
	Query        url.Values
	// Microversion is the OpenStack-API-Version header, e.g. "compute 2.2".
	Microversion string
	// NovaVersion is the X-OpenStack-Nova-API-Version header.
	NovaVersion string
	At          time.Time
	Status      int // 0 when the attempt failed without an answer
}

// recordingTransport is Config.HTTPTransport in tests: it records every
// attempt, then sends it without keep-alive, so that a connection the fake
// drops is never retried by net/http itself.
type recordingTransport struct {
	base *http.Transport
	mu   sync.Mutex
	reqs []recordedRequest
}

func newRecordingTransport(t *testing.T) *recordingTransport {
	rt := &recordingTransport{base: &http.Transport{DisableKeepAlives: true}}
	t.Cleanup(rt.base.CloseIdleConnections)
	return rt
}

func (rt *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := recordedRequest{
		Method:       req.Method,
		Path:         req.URL.Path,
		Query:        req.URL.Query(),
		Microversion: req.Header.Get("OpenStack-API-Version"),
		NovaVersion:  req.Header.Get("X-OpenStack-Nova-API-Version"),
		At:           time.Now(),
	}
	resp, err := rt.base.RoundTrip(req)
	if err == nil {
		rec.Status = resp.StatusCode
	}
	rt.mu.Lock()
	rt.reqs = append(rt.reqs, rec)
	rt.mu.Unlock()
	return resp, err
}

// all returns the attempts so far.
func (rt *recordingTransport) all() []recordedRequest {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return slices.Clone(rt.reqs)
}

// keypairRequests returns the attempts of method ("" for any) on the
// keypair API (paths containing os-keypairs).
func (rt *recordingTransport) keypairRequests(method string) []recordedRequest {
	var out []recordedRequest
	for _, r := range rt.all() {
		if strings.Contains(r.Path, "/os-keypairs") && (method == "" || r.Method == method) {
			out = append(out, r)
		}
	}
	return out
}

// last returns the last keypair API attempt.
func (rt *recordingTransport) last(t *testing.T) recordedRequest {
	t.Helper()
	reqs := rt.keypairRequests("")
	if len(reqs) == 0 {
		t.Fatal("no keypair API request was sent")
	}
	return reqs[len(reqs)-1]
}

// testConfig authenticates as the recorded admin against f, with nothing
// read from the environment.
func testConfig(f *fakeCloud) Config {
	return Config{
		AuthURL:     f.URL() + "/v3",
		UserName:    fakeUserName,
		Password:    fakePassword,
		ProjectName: "admin",
		Getenv:      func(string) string { return "" },
	}
}

// newTestClient authenticates against f through a recording transport;
// edit changes the Config first. Retries back off for a millisecond, not
// half a second, so that retry tests stay fast (Retry-After is still
// honoured).
func newTestClient(t *testing.T, f *fakeCloud, edit func(*Config)) (*Client, *recordingTransport) {
	t.Helper()
	rt := newRecordingTransport(t)
	cfg := testConfig(f)
	cfg.HTTPTransport = rt
	if edit != nil {
		edit(&cfg)
	}
	c, err := NewClient(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	c.transport.baseDelay = time.Millisecond
	c.transport.maxDelay = 5 * time.Millisecond
	return c, rt
}
