package provider

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// The requests a walk sends: refresh by list, no request before one is
// needed (issue 11). Each protocol server is one provider instance, as
// each Terraform walk is.

const (
	tokenRequest   = "POST /v3/auth/tokens"
	versionRequest = "GET /v2.1/"
	listRequest    = "GET /v2.1/os-keypairs?limit=1000"
)

// seedNumbered gives the fake's admin n keypairs kp-000, kp-001, ... and
// returns the state each has after a create.
func seedNumbered(cloud *novatest.Cloud, n int) []attrs {
	states := make([]attrs, n)
	for i := range states {
		name := fmt.Sprintf("kp-%03d", i)
		cloud.Seed(novatest.UserID, name, novatest.PublicKey)
		states[i] = attrs{
			"id": name, "name": name, "public_key": novatest.PublicKey, "type": "ssh", "user_id": novatest.UserID,
			"key_algorithm": "ed25519", "region": "RegionOne", "fingerprint": novatest.PublicKeyFingerprint,
		}
	}
	return states
}

// readConcurrently refreshes every state at once, as Terraform does with
// -parallelism, and returns the responses in order.
func readConcurrently(t *testing.T, p *protocolServer, states []attrs) []*tfprotov6.ReadResourceResponse {
	t.Helper()
	out := make([]*tfprotov6.ReadResourceResponse, len(states))
	var wg sync.WaitGroup
	for i, s := range states {
		wg.Go(func() {
			resp, err := p.server.ReadResource(t.Context(), &tfprotov6.ReadResourceRequest{
				TypeName:     keypairTypeName,
				CurrentState: p.dynamic(p.keypair(s)),
			})
			if err != nil {
				t.Errorf("ReadResource %s: %s", s["name"], err)
				return
			}
			out[i] = resp
		})
	}
	wg.Wait()
	return out
}

// TestRefresh_oneListForEveryKeypair: refreshing 30 keypairs at once
// costs one token, one version document and one list, not 30 GETs; a
// keypair absent from the list is removed from state; one whose key
// differs shows Nova's key.
func TestRefresh_oneListForEveryKeypair(t *testing.T) {
	cloud := novatest.NewCloud(t)
	states := seedNumbered(cloud, 30)
	states = append(states, states[0].with(attrs{"id": "gone", "name": "gone"}))
	cloud.Seed(novatest.UserID, "kp-007", novatest.OtherPublicKey) // replaced out of band
	p := configuredServer(t, cloud, nil)

	for i, resp := range readConcurrently(t, p, states) {
		if resp == nil {
			continue
		}
		requireNoDiagnostics(t, "ReadResource", resp.Diagnostics)
		got := p.decode(p.keypairSchema().ValueType(), resp.NewState)
		want := p.keypair(states[i])
		switch states[i]["name"] {
		case "gone":
			want = p.nullKeypair()
		case "kp-007":
			want = p.keypair(states[i].with(attrs{"public_key": novatest.OtherPublicKey, "fingerprint": novatest.OtherPublicKeyFingerprint}))
		}
		if !got.Equal(want) {
			t.Errorf("%s refreshed to\n%s\nwant\n%s", states[i]["name"], got, want)
		}
	}
	requireRequests(t, cloud.Requests(), tokenRequest, versionRequest, listRequest)
}

// TestRefresh_pages: the index reads a page only when a keypair is not in
// the pages read so far, and a keypair is gone only once the list has
// ended. (The fake's max_limit is 10 here, so a page holds 10.)
func TestRefresh_pages(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.SetMaxLimit(10)
	states := seedNumbered(cloud, 25)
	p := configuredServer(t, cloud, nil)

	read := func(s attrs) tftypes.Value {
		t.Helper()
		resp, state := p.read(p.keypair(s))
		requireNoDiagnostics(t, "ReadResource", resp.Diagnostics)
		return state
	}
	lists := func() (n int) {
		for _, r := range cloud.Requests() {
			if strings.HasPrefix(r, "GET /v2.1/os-keypairs?") {
				n++
			}
		}
		return n
	}
	for _, step := range []struct {
		state attrs
		lists int
	}{
		{states[3], 1},  // first page
		{states[9], 1},  // same page: no request
		{states[24], 3}, // pages 2 and 3
		{states[12], 3}, // already read
	} {
		if got := read(step.state); !got.Equal(p.keypair(step.state)) {
			t.Errorf("%s refreshed to %s", step.state["name"], got)
		}
		if n := lists(); n != step.lists {
			t.Errorf("after reading %s: %d list requests, want %d", step.state["name"], n, step.lists)
		}
	}
	// The last page was short: the list has ended, and "gone" is gone
	// without another request.
	if got := read(states[0].with(attrs{"id": "gone", "name": "gone"})); !got.IsNull() {
		t.Errorf("gone refreshed to %s, want null", got)
	}
	if n := lists(); n != 3 {
		t.Errorf("%d list requests, want 3", n)
	}
}

// TestWalk_noRequestBeforeOneIsNeeded: configuring the provider sends
// nothing; neither does planning an unchanged keypair or a change of
// timeouts; a plan that creates authenticates (one token) and reads the
// version document only when the create needs a microversion; a destroy
// of one's own keypair is a token and a DELETE.
func TestWalk_noRequestBeforeOneIsNeeded(t *testing.T) {
	cloud := novatest.NewCloud(t)
	state := seedNumbered(cloud, 1)[0]
	config := attrs{"name": state["name"], "public_key": novatest.PublicKey}

	p := configuredServer(t, cloud, nil)
	p.plan(p.keypair(state), p.keypair(config))
	p.plan(p.keypair(state), p.keypair(config.with(attrs{"timeouts": p.timeouts(attrs{"create": "1m"})})))
	requireRequests(t, cloud.Requests())

	p = configuredServer(t, cloud, nil)
	p.plan(p.nullKeypair(), p.keypair(attrs{"name": "new"}))
	requireRequests(t, cloud.Requests(), tokenRequest)

	p = configuredServer(t, cloud, nil)
	p.plan(p.nullKeypair(), p.keypair(attrs{"name": "cert", "type": "x509", "public_key": novatest.Certificate}))
	requireRequests(t, cloud.Requests()[1:], tokenRequest, versionRequest)

	// The replacement of a keypair is checked like a create: before the
	// apply, and at plan time.
	p = configuredServer(t, cloud, attrs{"max_microversion": "2.91"})
	resp := p.planResponse(p.keypair(state), p.keypair(config.with(attrs{"name": "a@b"})))
	requireError(t, resp.Diagnostics, "name", "Above the provider's max_microversion", `the keypair name "a@b"`, "needs compute API microversion 2.92 or later")

	before := len(cloud.Requests())
	p = configuredServer(t, cloud, nil)
	requireNoDiagnostics(t, "destroy", p.destroy(p.keypair(state)).Diagnostics)
	requireRequests(t, cloud.Requests()[before:], tokenRequest, "DELETE /v2.1/os-keypairs/kp-000")
}

// TestRefresh_listFaults: a list page Nova answers 503 is retried like a
// GET; a list that keeps failing fails every keypair waiting for it with
// its error, after the retries of one fetch, not one fetch per keypair.
func TestRefresh_listFaults(t *testing.T) {
	cloud := novatest.NewCloud(t)
	states := seedNumbered(cloud, 10)
	cloud.On(http.MethodGet, "/os-keypairs", novatest.FailFirst(1, func(w http.ResponseWriter) {
		novatest.NovaError(w, http.StatusServiceUnavailable, "serviceUnavailable", "Service Unavailable", "Retry-After", "0")
	}))
	p := configuredServer(t, cloud, nil)
	for _, resp := range readConcurrently(t, p, states) {
		if resp != nil {
			requireNoDiagnostics(t, "ReadResource", resp.Diagnostics)
		}
	}
	requireRequests(t, cloud.Requests(), tokenRequest, versionRequest, listRequest, listRequest)

	broken := novatest.NewCloud(t)
	states = seedNumbered(broken, 10)
	broken.On(http.MethodGet, "/os-keypairs", func(w http.ResponseWriter, _ *http.Request, _ int) bool {
		novatest.NovaError(w, http.StatusInternalServerError, "computeFault", "Unexpected API Error.")
		return true
	})
	p = configuredServer(t, broken, attrs{"max_retries": numberValue(1)})
	for i, resp := range readConcurrently(t, p, states) {
		if resp != nil {
			requireError(t, resp.Diagnostics, "", fmt.Sprintf("Unable to read keypair %q", states[i]["name"]), "Unexpected API Error.")
		}
	}
	lists := 0
	for _, r := range broken.Requests() {
		if r == listRequest {
			lists++
		}
	}
	// One fetch and its retry; a keypair that came late may start one
	// more. Without sharing it would be 20.
	if lists < 2 || lists > 4 {
		t.Errorf("%d list requests for 10 keypairs with max_retries = 1, want 2 (one shared fetch and its retry)", lists)
	}
}

// TestIndex_createAndDelete: a create or delete through the instance
// updates its keypair list, so a list read before them stays true
// without another request.
func TestIndex_createAndDelete(t *testing.T) {
	cloud := novatest.NewCloud(t)
	seedNumbered(cloud, 2)
	p := configuredServer(t, cloud, nil)
	names := func() string {
		t.Helper()
		var values []tftypes.Value
		if err := attributes(t, p.dataSourceState("nova_keypairs", p.readDataSource("nova_keypairs", attrs{})))["names"].As(&values); err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(values))
		for i, v := range values {
			if err := v.As(&out[i]); err != nil {
				t.Fatal(err)
			}
		}
		return strings.Join(out, " ")
	}
	if got := names(); got != "kp-000 kp-001" {
		t.Fatalf("names %q", got)
	}
	resp, state := p.create(attrs{"name": "kp-0005", "public_key": novatest.PublicKey})
	requireNoDiagnostics(t, "create", resp.Diagnostics)
	if got := names(); got != "kp-000 kp-0005 kp-001" {
		t.Errorf("after the create: names %q", got)
	}
	requireNoDiagnostics(t, "destroy", p.destroy(state).Diagnostics)
	if got := names(); got != "kp-000 kp-001" {
		t.Errorf("after the destroy: names %q", got)
	}
	lists := 0
	for _, r := range cloud.Requests() {
		if r == listRequest {
			lists++
		}
	}
	if lists != 1 {
		t.Errorf("%d list requests, want 1", lists)
	}
}

// TestKeypairUpgradeState_createdAt: a state written before created_at
// left the resource still loads, without it.
func TestKeypairUpgradeState_createdAt(t *testing.T) {
	p := newProtocolServer(t)
	raw := `{"id":"deployer","name":"deployer","public_key":"` + testPublicKey + `","type":"ssh","user_id":"7c6e2b0f5d0a","key_algorithm":"ed25519",` +
		`"region":"RegionOne","fingerprint":"` + testFingerprint + `","created_at":"2026-11-22T19:20:58.707318Z","private_key":null,"timeouts":null}`
	resp, err := p.server.UpgradeResourceState(t.Context(), &tfprotov6.UpgradeResourceStateRequest{
		TypeName: keypairTypeName,
		Version:  0,
		RawState: &tfprotov6.RawState{JSON: []byte(raw)},
	})
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiagnostics(t, "UpgradeResourceState", resp.Diagnostics)
	if got, want := p.decode(p.keypairSchema().ValueType(), resp.UpgradedState), p.keypair(recordedKeypair()); !got.Equal(want) {
		t.Errorf("upgraded state\n%s\nwant\n%s", got, want)
	}
}
