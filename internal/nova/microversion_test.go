package nova

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

func TestParseMicroversion(t *testing.T) {
	for in, want := range map[string]Microversion{
		"2.1":    {2, 1},
		"2.10":   {2, 10},
		"2.93":   {2, 93},
		" 2.35 ": {2, 35},
		"3.0":    {3, 0},
	} {
		got, err := ParseMicroversion(in)
		if err != nil || got != want {
			t.Errorf("ParseMicroversion(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2", "latest", "2.x", "x.1", "2.1.3", "-2.1", "2.-1", "v2.1", "2."} {
		if got, err := ParseMicroversion(in); err == nil {
			t.Errorf("ParseMicroversion(%q) = %v, want an error", in, got)
		}
	}
	if (Microversion{2, 9}).String() != "2.9" || !(Microversion{2, 9}).Less(V2_10) || V2_10.Less(Microversion{2, 9}) {
		t.Error("2.9 does not come before 2.10 (minor versions compare as numbers, not strings)")
	}
}

func TestVersionRangeChoose(t *testing.T) {
	nova26 := versionRange{min: V2_1, max: Microversion{2, 93}}
	capped21 := versionRange{min: V2_1, max: V2_1, capped: true}
	old := versionRange{min: V2_1, max: Microversion{2, 5}}
	legacy := versionRange{min: V2_1, max: V2_1, legacy: true}
	minAbove := versionRange{min: Microversion{2, 3}, max: Microversion{2, 93}}

	for _, c := range []struct {
		name    string
		r       versionRange
		n       need
		want    string
		wantErr bool
	}{
		{"plain read wants 2.2", nova26, need{wanted: []Feature{FeatureKeypairType}}, "2.2", false},
		{"no want is the minimum", nova26, need{}, "2.1", false},
		{"min above want", nova26, need{required: []Feature{FeatureOtherUser}, wanted: []Feature{FeatureKeypairType}}, "2.10", false},
		{"list wants 2.35", nova26, need{wanted: []Feature{FeatureListPaging}}, "2.35", false},
		{"want above max falls to max", old, need{wanted: []Feature{FeatureListPaging}}, "2.5", false},
		{"capped", capped21, need{wanted: []Feature{FeatureKeypairType}}, "2.1", false},
		{"capped below min", capped21, need{required: []Feature{FeatureKeypairType}}, "", true},
		{"endpoint below min", old, need{required: []Feature{FeatureOtherUser}}, "", true},
		{"legacy sends no header", legacy, need{wanted: []Feature{FeatureListPaging}}, "", false},
		{"legacy below min", legacy, need{required: []Feature{FeatureKeypairType}}, "", true},
		{"endpoint minimum wins", minAbove, need{wanted: []Feature{FeatureKeypairType}}, "2.3", false},
	} {
		got, err := c.r.choose(c.n)
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("%s: choose = %q, %v; want %q, error %v", c.name, got, err, c.want, c.wantErr)
		}
		var mvErr *MicroversionError
		if c.wantErr && !errors.As(err, &mvErr) {
			t.Errorf("%s: error %T, want *MicroversionError", c.name, err)
		}
	}
}

// mvCase runs one client call and names the microversion header and query
// its (last) keypair request must carry.
type mvCase struct {
	name      string
	call      func(*Client) error
	want      string // OpenStack-API-Version, "" for none
	wantLimit string // the list's limit query, "" for none
}

func keypairCalls(limit string, mvs map[string]string) []mvCase {
	return []mvCase{
		{"create", func(c *Client) error {
			_, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "kp-create", PublicKey: novatest.PublicKey})
			return err
		}, mvs["create"], ""},
		{"get", func(c *Client) error { _, err := c.GetKeypair(bg(), "", "kp-create", ""); return err }, mvs["get"], ""},
		{"list", func(c *Client) error { _, err := c.ListKeypairs(bg(), "", ""); return err }, mvs["list"], limit},
		{"delete", func(c *Client) error { return c.DeleteKeypair(bg(), "", "kp-create", "") }, mvs["delete"], ""},
	}
}

func runMicroversionCases(t *testing.T, c *Client, rt *novatest.RecordingTransport, cases []mvCase) {
	t.Helper()
	for _, tc := range cases {
		if err := tc.call(c); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		got := rt.Last(t)
		if got.Microversion != tc.want {
			t.Errorf("%s sent OpenStack-API-Version %q, want %q", tc.name, got.Microversion, tc.want)
		}
		wantNova := strings.TrimPrefix(tc.want, "compute ")
		if got.NovaVersion != wantNova {
			t.Errorf("%s sent X-OpenStack-Nova-API-Version %q, want %q", tc.name, got.NovaVersion, wantNova)
		}
		if l := strings.Join(got.Query["limit"], ","); l != tc.wantLimit {
			t.Errorf("%s sent limit=%q, want %q", tc.name, l, tc.wantLimit)
		}
	}
}

// Against Nova 26 (max 2.93) each request asks for the lowest microversion
// that carries what it needs.
func TestMicroversion_perRequest(t *testing.T) {
	f := novatest.NewCloud(t)
	c, rt := newTestClient(t, f, nil)

	runMicroversionCases(t, c, rt, keypairCalls("1000", map[string]string{
		// Creating (an ssh key) and deleting one's own keypair need nothing
		// beyond 2.1: no header, so no version document either.
		"create": "", "get": "compute 2.2", "list": "compute 2.35", "delete": "",
	}))

	// Another user's keypair: 2.10 for every call.
	runMicroversionCases(t, c, rt, []mvCase{
		{"create for user", func(c *Client) error {
			_, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "for-demo", PublicKey: novatest.PublicKey, UserID: novatest.OtherUserID})
			return err
		}, "compute 2.10", ""},
		{"get for user", func(c *Client) error { _, err := c.GetKeypair(bg(), "", "for-demo", novatest.OtherUserID); return err }, "compute 2.10", ""},
		{"delete for user", func(c *Client) error { return c.DeleteKeypair(bg(), "", "for-demo", novatest.OtherUserID) }, "compute 2.10", ""},
		// `@` and `.` in a name: 2.92.
		{"create a@b.c", func(c *Client) error {
			_, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "a@b.c", PublicKey: novatest.PublicKey})
			return err
		}, "compute 2.92", ""},
		{"create x509", func(c *Client) error {
			_, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "imp-x509", PublicKey: novatest.Certificate, Type: "x509"})
			return err
		}, "compute 2.2", ""},
	})
	if _, ok := f.Has(novatest.OtherUserID, "for-demo"); ok {
		t.Error("the other user's keypair was not deleted")
	}
	for _, r := range rt.KeypairRequests("GET") {
		if strings.HasSuffix(r.Path, "/os-keypairs") && r.Query.Get("user_id") != "" {
			t.Errorf("list for the caller sent user_id=%s", r.Query.Get("user_id"))
		}
	}
}

func TestMicroversion_capped(t *testing.T) {
	f := novatest.NewCloud(t)
	c, rt := newTestClient(t, f, func(cfg *Config) { cfg.MaxMicroversion = "2.1" })

	runMicroversionCases(t, c, rt, keypairCalls("", map[string]string{
		"create": "", "get": "compute 2.1", "list": "compute 2.1", "delete": "",
	}))

	for _, tc := range []struct {
		opts                    CreateKeypairOpts
		feature, required, caps string
	}{
		{CreateKeypairOpts{Name: "x", PublicKey: novatest.Certificate, Type: "x509"}, "keypair type (x509)", "2.2", "2.1"},
		{CreateKeypairOpts{Name: "y", PublicKey: novatest.PublicKey, UserID: novatest.OtherUserID}, "another user's keypair (user_id)", "2.10", "2.1"},
	} {
		posts := len(rt.KeypairRequests("POST"))
		_, err := c.CreateKeypair(bg(), "", tc.opts)
		var mvErr *MicroversionError
		if !errors.As(err, &mvErr) {
			t.Fatalf("create %+v: got %v, want a *MicroversionError", tc.opts, err)
		}
		if n := len(rt.KeypairRequests("POST")); n != posts {
			t.Errorf("create %+v: %d POST sent after the microversion check failed, want none", tc.opts, n-posts)
		}
		msg := err.Error()
		for _, want := range []string{tc.feature, tc.required, "configured maximum microversion", "OS_COMPUTE_API_VERSION", tc.caps} {
			if !strings.Contains(msg, want) {
				t.Errorf("%q does not name %s", msg, want)
			}
		}
	}
	for _, r := range rt.All() {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "/os-keypairs") && r.Microversion != "compute 2.1" && r.Microversion != "" {
			t.Errorf("a POST went out at %q despite the 2.1 cap", r.Microversion)
		}
	}
}

// A cloud whose compute API stops at 2.5 lists at 2.5, in one request
// without limit (paging starts at 2.35).
func TestMicroversion_oldCloudDoesNotPage(t *testing.T) {
	f := novatest.NewCloud(t)
	f.SetMaxVersion("2.5")
	f.SetMaxLimit(2)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		f.Seed(novatest.UserID, n, novatest.PublicKey)
	}
	c, rt := newTestClient(t, f, nil)

	kps, err := c.ListKeypairs(bg(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(kps) != 5 {
		t.Errorf("listed %d keypairs, want 5", len(kps))
	}
	lists := rt.KeypairRequests("GET")
	if len(lists) != 1 {
		t.Fatalf("%d list requests, want 1", len(lists))
	}
	if lists[0].Microversion != "compute 2.5" || lists[0].Query.Has("limit") || lists[0].Query.Has("marker") {
		t.Errorf("list sent %q with query %v; want compute 2.5 and no limit or marker", lists[0].Microversion, lists[0].Query)
	}

	_, err = c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "for-demo", PublicKey: novatest.PublicKey, UserID: novatest.OtherUserID})
	var mvErr *MicroversionError
	if !errors.As(err, &mvErr) || !strings.Contains(err.Error(), "at most 2.5") {
		t.Errorf("create for another user at max 2.5: got %v, want a *MicroversionError naming 2.5", err)
	}
}

// From 2.35 a list follows keypairs_links to the end, one request a page.
func TestMicroversion_listPages(t *testing.T) {
	f := novatest.NewCloud(t)
	f.SetMaxLimit(2) // Nova's [api] max_limit, so that 5 keypairs take 3 pages
	names := []string{"gen21", "gen22", "imp-ecdsa", "imp-rsa", "imp21-rsa"}
	for _, n := range names {
		f.Seed(novatest.OtherUserID, n, novatest.PublicKey)
	}
	c, rt := newTestClient(t, f, nil)

	kps, err := c.ListKeypairs(bg(), "", novatest.OtherUserID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, kp := range kps {
		got = append(got, kp.Name)
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("listed %v, want %v", got, names)
	}
	lists := rt.KeypairRequests("GET")
	if len(lists) != 3 {
		t.Fatalf("%d list requests, want 3 (pages of 2, 2 and 1)", len(lists))
	}
	for i, wantMarker := range []string{"", "gen22", "imp-rsa"} {
		r := lists[i]
		if r.Microversion != "compute 2.35" || r.Query.Get("limit") != "1000" || r.Query.Get("marker") != wantMarker || r.Query.Get("user_id") != novatest.OtherUserID {
			t.Errorf("page %d: %s %v, want compute 2.35, limit=1000, marker=%q, user_id", i+1, r.Microversion, r.Query, wantMarker)
		}
	}
}

// A legacy endpoint (/v2/<project>, whose version document has no
// microversions) is sent no microversion header at all.
func TestMicroversion_legacyEndpoint(t *testing.T) {
	f := novatest.NewCloud(t)
	c, rt := newTestClient(t, f, func(cfg *Config) {
		cfg.EndpointOverrides = map[string]string{"compute": f.URL() + "/v2/%(project_id)s"}
	})

	runMicroversionCases(t, c, rt, keypairCalls("", map[string]string{}))

	_, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "x", PublicKey: novatest.Certificate, Type: "x509"})
	var mvErr *MicroversionError
	if !errors.As(err, &mvErr) || !strings.Contains(err.Error(), "legacy") {
		t.Errorf("x509 on a legacy endpoint: got %v, want a *MicroversionError saying legacy", err)
	}

	reqs := rt.KeypairRequests("")
	if len(reqs) != 4 {
		t.Errorf("%d keypair requests, want 4", len(reqs))
	}
	for _, r := range reqs {
		if !strings.HasPrefix(r.Path, "/v2/"+novatest.ProjectID+"/os-keypairs") {
			t.Errorf("%s %s: the project id was not filled into the endpoint override", r.Method, r.Path)
		}
	}
	for _, r := range rt.All() {
		if r.Microversion != "" || r.NovaVersion != "" {
			t.Errorf("%s %s sent a microversion (%q, %q) to a legacy endpoint", r.Method, r.Path, r.Microversion, r.NovaVersion)
		}
	}
}

// The version document is read once per client, however many requests run
// and however concurrently.
func TestMicroversion_discoveredOnce(t *testing.T) {
	f := novatest.NewCloud(t)
	f.Seed(novatest.UserID, "kp", novatest.PublicKey)
	c, rt := newTestClient(t, f, nil)
	if n := f.VersionDocumentGETs(); n != 0 {
		t.Fatalf("NewClient read the version document %d times; discovery should wait for the first compute request", n)
	}

	var wg sync.WaitGroup
	for range 25 {
		wg.Go(func() {
			if _, err := c.GetKeypair(bg(), "", "kp", ""); err != nil {
				t.Error(err)
			}
			if _, err := c.ListKeypairs(bg(), "", ""); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if _, err := c.GetKeypair(bg(), "RegionOne", "kp", ""); err != nil {
		t.Fatal(err)
	}
	if n := f.VersionDocumentGETs(); n != 1 {
		t.Errorf("the version document was read %d times, want 1", n)
	}
	// 26 GETs, and one list for the 25 concurrent ListKeypairs: the
	// keypair index reads it once.
	if n := len(rt.KeypairRequests("")); n != 27 {
		t.Errorf("%d keypair requests, want 27", n)
	}
}

// A version document that cannot be read fails the call, and is not
// remembered: once Nova answers, the next call discovers its microversions
// (it is not taken for a legacy endpoint without them).
func TestMicroversion_discoveryFailureIsNotRemembered(t *testing.T) {
	f := novatest.NewCloud(t)
	f.On("GET", "/v2.1/", func(w http.ResponseWriter, _ *http.Request, n int) bool {
		if n == 1 {
			novatest.NovaError(w, http.StatusServiceUnavailable, "computeFault", "Service Unavailable")
			return true
		}
		return false
	})
	c, rt := newTestClient(t, f, func(cfg *Config) { cfg.MaxRetries = ptrTo(0) })

	_, err := c.ListKeypairs(bg(), "", "")
	if err == nil || !strings.Contains(err.Error(), "version document") {
		t.Fatalf("list with the version document unavailable: got %v, want an error naming the version document", err)
	}
	if n := len(rt.KeypairRequests("")); n != 0 {
		t.Errorf("%d keypair requests were sent without knowing the microversions", n)
	}

	if _, err := c.ListKeypairs(bg(), "", ""); err != nil {
		t.Fatal(err)
	}
	if got := rt.Last(t).Microversion; got != "compute 2.35" {
		t.Errorf("after Nova recovered the list sent %q, want compute 2.35", got)
	}
	if n := f.VersionDocumentGETs(); n != 2 {
		t.Errorf("the version document was read %d times, want 2", n)
	}
}

func TestExpandProjectID(t *testing.T) {
	const p = "ffec877ad56e4a1a91599445d2aefd69"
	for in, want := range map[string]string{
		"https://nova:8774/v2/%(project_id)s":   "https://nova:8774/v2/" + p,
		"https://nova:8774/v2/$(project_id)s":   "https://nova:8774/v2/" + p,
		"https://nova:8774/v2/{project_id}":     "https://nova:8774/v2/" + p,
		"https://nova:8774/v2/%(tenant_id)s":    "https://nova:8774/v2/" + p,
		"https://nova:8774/v1.1/$(tenant_id)s/": "https://nova:8774/v1.1/" + p + "/",
		"https://nova:8774/v2/{tenant_id}":      "https://nova:8774/v2/" + p,
		"https://nova:8774/v2.1":                "https://nova:8774/v2.1",
	} {
		if got := expandProjectID(in, p); got != want {
			t.Errorf("expandProjectID(%q) = %q, want %q", in, got, want)
		}
	}
}

// 1,050 keypairs at Nova's default max_limit of 1000: exactly two page
// requests, limit=1000 and then marker=<the 1000th name>, and nothing
// else.
func TestListKeypairs_1050InTwoPages(t *testing.T) {
	f := novatest.NewCloud(t)
	want := make([]string, 1050)
	for i := range want {
		want[i] = fmt.Sprintf("kp-%04d", i)
		f.Seed(novatest.UserID, want[i], novatest.PublicKey)
	}
	c, rt := newTestClient(t, f, nil)
	before := len(rt.All())

	kps, err := c.ListKeypairs(bg(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(kps) != len(want) || kps[0].Name != want[0] || kps[len(kps)-1].Name != want[len(want)-1] {
		t.Fatalf("listed %d keypairs, want all %d in order", len(kps), len(want))
	}
	sent := rt.All()[before:]
	var pages []novatest.Request
	for _, r := range sent {
		if strings.HasSuffix(r.Path, "/os-keypairs") {
			pages = append(pages, r)
		}
	}
	if len(pages) != 2 || len(sent) != 3 { // the version document, then two pages
		t.Fatalf("sent %d requests, %d of them list pages; want the version document and 2 pages: %+v", len(sent), len(pages), sent)
	}
	if q := pages[0].Query; q.Get("limit") != "1000" || q.Get("marker") != "" {
		t.Errorf("page 1 query %v, want limit=1000 and no marker", q)
	}
	if q := pages[1].Query; q.Get("limit") != "1000" || q.Get("marker") != "kp-0999" {
		t.Errorf("page 2 query %v, want limit=1000&marker=kp-0999", q)
	}
}
