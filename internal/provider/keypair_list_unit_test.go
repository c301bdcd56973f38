package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// list is the ListResource call of `terraform query` for nova_keypair
// with the list block's configuration a; it returns every result.
func (p *protocolServer) list(a attrs, includeResource bool, limit int64) []tfprotov6.ListResourceResult {
	p.t.Helper()
	s := p.schema.ListResourceSchemas[keypairTypeName]
	if s == nil {
		p.t.Fatal("nova_keypair has no list resource schema")
	}
	lister, ok := p.server.(tfprotov6.ListResourceServer)
	if !ok {
		p.t.Fatalf("the provider server (%T) serves no list resources", p.server)
	}
	stream, err := lister.ListResource(p.t.Context(), &tfprotov6.ListResourceRequest{
		TypeName: keypairTypeName, Config: p.dynamic(p.object(s, a)), IncludeResource: includeResource, Limit: limit,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	var out []tfprotov6.ListResourceResult
	for r := range stream.Results {
		out = append(out, r)
	}
	return out
}

func listRequests(cloud *novatest.Cloud) (n int) {
	for _, r := range cloud.Requests() {
		if strings.HasPrefix(r, "GET /v2.1/os-keypairs?") {
			n++
		}
	}
	return n
}

// TestKeypairList: results carry each keypair's identity and, asked for,
// the resource object a refresh after import stores (without
// key_algorithm, which a configuration with public_key must not set);
// filters apply; pages are read only as far as the limit needs.
func TestKeypairList(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.SetMaxLimit(2)
	states := seedNumbered(cloud, 5)
	p := configuredServer(t, cloud, nil)

	results := p.list(attrs{"name_regex": "^kp-00[13]$"}, true, 100)
	if len(results) != 2 {
		t.Fatalf("%d results, want 2", len(results))
	}
	for i, name := range []string{"kp-001", "kp-003"} {
		r := results[i]
		requireNoDiagnostics(t, "ListResource result", r.Diagnostics)
		if r.DisplayName != name {
			t.Errorf("result %d: display name %q, want %q", i, r.DisplayName, name)
		}
		want := states[0].with(attrs{"id": name, "name": name, "key_algorithm": nil})
		requireAttributes(t, p.decode(p.keypairSchema().ValueType(), r.Resource), p.keypair(want))
		if got, want := p.decodeIdentity(r.Identity), p.decodeIdentity(p.identity(name, novatest.UserID, "RegionOne")); !got.Equal(want) {
			t.Errorf("identity %s, want %s", got, want)
		}
	}

	p = configuredServer(t, cloud, nil)
	before := listRequests(cloud)
	results = p.list(attrs{}, false, 2)
	if len(results) != 2 || results[0].Resource != nil && !p.decode(p.keypairSchema().ValueType(), results[0].Resource).IsNull() {
		t.Errorf("%d results (resource %v); want 2 without resource objects", len(results), results[0].Resource)
	}
	if n := listRequests(cloud) - before; n != 1 {
		t.Errorf("%d list pages read for a limit of 2 (pages of 2); want 1", n)
	}
}

// TestKeypairList_otherUserAndErrors: an admin lists another user's
// keypairs (their identity names the user); a user Nova's policy refuses
// gets the error as a result, not an empty list.
func TestKeypairList_otherUserAndErrors(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.Seed(novatest.OtherUserID, "laptop", novatest.PublicKey)
	p := configuredServer(t, cloud, nil)
	results := p.list(attrs{"user_id": novatest.OtherUserID}, true, 100)
	if len(results) != 1 {
		t.Fatalf("%d results, want 1; requests %v", len(results), cloud.Requests())
	}
	requireAttributes(t, p.decode(p.keypairSchema().ValueType(), results[0].Resource),
		p.keypair(attrs{"id": novatest.OtherUserID + "/laptop", "name": "laptop", "public_key": novatest.PublicKey, "type": "ssh",
			"user_id": novatest.OtherUserID, "region": "RegionOne", "fingerprint": novatest.PublicKeyFingerprint}))

	demo := configuredServer(t, cloud, attrs{"user_name": novatest.OtherUserName, "password": novatest.OtherPassword, "tenant_name": novatest.OtherProjectName})
	results = demo.list(attrs{"user_id": novatest.UserID}, false, 100)
	if len(results) != 1 {
		t.Fatalf("%d results, want 1 (the error)", len(results))
	}
	requireError(t, results[0].Diagnostics, "", "Unable to list keypairs", "Policy doesn't allow os_compute_api:os-keypairs:index to be performed.")
}
