package provider

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// The nova_keypair and nova_keypairs data sources on a configured
// provider, against the fake cloud.

// TestKeypairDataSource: one keypair, as Nova shows it.
func TestKeypairDataSource(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.Seed(novatest.UserID, "deployer", novatest.PublicKey)
	cloud.SeedKeypair(novatest.Keypair{UserID: novatest.OtherUserID, Name: "cert", Type: "x509", PublicKey: novatest.Certificate})
	p := configuredServer(t, cloud, nil)
	schema := p.dataSourceSchema("nova_keypair")

	got := p.dataSourceState("nova_keypair", p.readDataSource("nova_keypair", attrs{"name": "deployer"}))
	want := p.object(schema, attrs{
		"id": "deployer", "name": "deployer", "user_id": novatest.UserID, "region": "RegionOne", "public_key": novatest.PublicKey,
		"fingerprint": novatest.PublicKeyFingerprint, "type": "ssh", "created_at": "2026-11-22T19:20:57.892728Z",
	})
	if !got.Equal(want) {
		t.Errorf("nova_keypair\n%s\nwant\n%s", got, want)
	}

	// Another user's, as the admin.
	got = p.dataSourceState("nova_keypair", p.readDataSource("nova_keypair", attrs{"name": "cert", "user_id": novatest.OtherUserID, "region": "RegionOne"}))
	want = p.object(schema, attrs{
		"id": novatest.OtherUserID + "/cert", "name": "cert", "user_id": novatest.OtherUserID, "region": "RegionOne", "public_key": novatest.Certificate,
		"fingerprint": novatest.CertificateFingerprint, "type": "x509", "created_at": "2026-11-22T19:20:57.892728Z",
	})
	if !got.Equal(want) {
		t.Errorf("nova_keypair of the other user\n%s\nwant\n%s", got, want)
	}
}

// TestKeypairDataSource_missing: a keypair the user does not have is an
// error, which says whose keypair was looked for.
func TestKeypairDataSource_missing(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.Seed(novatest.OtherUserID, "deployer", novatest.PublicKey)
	p := configuredServer(t, cloud, nil)
	requireError(t, p.readDataSource("nova_keypair", attrs{"name": "deployer"}).Diagnostics, "", "Keypair not found",
		`Nova has no keypair "deployer" for the authenticated user in region "RegionOne". Keypairs belong to a user: check the name, `+"`user_id` and `region`.",
		"\n\nNova said: Keypair deployer not found for user "+novatest.UserID)
	requireError(t, p.readDataSource("nova_keypair", attrs{"name": "nope", "user_id": novatest.OtherUserID}).Diagnostics, "", "Keypair not found",
		`Nova has no keypair "nope" for user "`+novatest.OtherUserID+`" in region "RegionOne".`,
		"Nova said: Keypair nope not found for user "+novatest.OtherUserID)
}

// TestKeypairDataSource_forbidden: a non-admin may not read another
// user's keypair.
func TestKeypairDataSource_forbidden(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.Seed(novatest.UserID, "deployer", novatest.PublicKey)
	p := configuredServer(t, cloud, attrs{"user_name": novatest.OtherUserName, "password": novatest.OtherPassword, "tenant_name": novatest.OtherProjectName})
	requireError(t, p.readDataSource("nova_keypair", attrs{"name": "deployer", "user_id": novatest.UserID}).Diagnostics, "", `Unable to read keypair "deployer"`,
		`Reading keypair "deployer" of user "`+novatest.UserID+`" in region "RegionOne" failed: Policy doesn't allow os_compute_api:os-keypairs:show to be performed.`)
	requireError(t, p.readDataSource("nova_keypairs", attrs{"user_id": novatest.UserID}).Diagnostics, "", "Unable to list keypairs",
		`Listing the keypairs of user "`+novatest.UserID+`" in region "RegionOne" failed: Policy doesn't allow os_compute_api:os-keypairs:index to be performed.`)
}

// seedKeypairs gives the admin five keypairs (one x509) and the other
// user one.
func seedKeypairs(cloud *novatest.Cloud) {
	cloud.Seed(novatest.UserID, "web-1", novatest.PublicKey)
	cloud.Seed(novatest.UserID, "web-2", novatest.OtherPublicKey)
	cloud.Seed(novatest.UserID, "db-1", novatest.GeneratedPublicKey)
	cloud.Seed(novatest.UserID, "db-2", novatest.PublicKey)
	cloud.SeedKeypair(novatest.Keypair{UserID: novatest.UserID, Name: "web-cert", Type: "x509", PublicKey: novatest.Certificate})
	cloud.Seed(novatest.OtherUserID, "demo", novatest.OtherPublicKey)
}

// keypairList is a nova_keypairs state's keypairs, "name type fingerprint"
// each, and checks that names lists the same names.
func keypairList(t *testing.T, state tftypes.Value) []string {
	t.Helper()
	a := attributes(t, state)
	var entries, names []tftypes.Value
	if err := a["keypairs"].As(&entries); err != nil {
		t.Fatal(err)
	}
	if err := a["names"].As(&names); err != nil {
		t.Fatal(err)
	}
	var out, entryNames, nameList []string
	for _, e := range entries {
		var name, typ, fp, key string
		ea := attributes(t, e)
		for attr, dst := range map[string]*string{"name": &name, "type": &typ, "fingerprint": &fp, "public_key": &key} {
			if err := ea[attr].As(dst); err != nil {
				t.Fatal(err)
			}
		}
		if key == "" {
			t.Errorf("keypair %s has no public_key", name)
		}
		out = append(out, name+" "+typ+" "+fp)
		entryNames = append(entryNames, name)
	}
	for _, n := range names {
		var s string
		if err := n.As(&s); err != nil {
			t.Fatal(err)
		}
		nameList = append(nameList, s)
	}
	if strings.Join(entryNames, ",") != strings.Join(nameList, ",") {
		t.Errorf("names %v, keypairs %v", nameList, entryNames)
	}
	return out
}

// TestKeypairsDataSource: the user's keypairs in Nova's order (by name),
// filtered.
func TestKeypairsDataSource(t *testing.T) {
	cloud := novatest.NewCloud(t)
	seedKeypairs(cloud)
	p := configuredServer(t, cloud, nil)
	var (
		db1     = "db-1 ssh " + novatest.GeneratedPublicKeyFingerprint
		db2     = "db-2 ssh " + novatest.PublicKeyFingerprint
		web1    = "web-1 ssh " + novatest.PublicKeyFingerprint
		web2    = "web-2 ssh " + novatest.OtherPublicKeyFingerprint
		webCert = "web-cert x509 " + novatest.CertificateFingerprint
	)
	for _, tc := range []struct {
		what   string
		config attrs
		want   []string
	}{
		{"all", attrs{}, []string{db1, db2, web1, web2, webCert}},
		{"name_regex", attrs{"name_regex": `^web-\d$`}, []string{web1, web2}},
		{"name_regex unanchored", attrs{"name_regex": `-\d`}, []string{db1, db2, web1, web2}},
		{"type ssh", attrs{"type": "ssh"}, []string{db1, db2, web1, web2}},
		{"type x509", attrs{"type": "x509"}, []string{webCert}},
		{"name_regex and type", attrs{"name_regex": "^web", "type": "ssh"}, []string{web1, web2}},
		{"fingerprint, any case", attrs{"fingerprint": strings.ToUpper(novatest.PublicKeyFingerprint)}, []string{db2, web1}},
		{"public_key with a newline", attrs{"public_key": novatest.OtherPublicKey + "\n"}, []string{web2}},
		{"nothing matches", attrs{"name_regex": "^nope$"}, nil},
		{"another user's", attrs{"user_id": novatest.OtherUserID}, []string{"demo ssh " + novatest.OtherPublicKeyFingerprint}},
	} {
		t.Run(tc.what, func(t *testing.T) {
			p := p.in(t)
			state := p.dataSourceState("nova_keypairs", p.readDataSource("nova_keypairs", tc.config))
			if got := keypairList(t, state); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("keypairs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			user := novatest.UserID
			if tc.config["user_id"] != nil {
				user = novatest.OtherUserID
			}
			requireAttributes(t, state, p.object(p.dataSourceSchema("nova_keypairs"), tc.config.with(attrs{
				"id": "RegionOne/" + user, "region": "RegionOne", "keypairs": attributes(t, state)["keypairs"], "names": attributes(t, state)["names"],
			})))
		})
	}
}

// TestKeypairsDataSource_paging: a cloud that pages its lists by two
// (max_limit 2) still lists every keypair, one request per page.
func TestKeypairsDataSource_paging(t *testing.T) {
	cloud := novatest.NewCloud(t)
	seedKeypairs(cloud)
	cloud.SetMaxLimit(2)
	var requests []string
	cloud.On(http.MethodGet, "/os-keypairs", func(_ http.ResponseWriter, r *http.Request, _ int) bool {
		requests = append(requests, r.URL.Query().Get("marker"))
		return false
	})
	p := configuredServer(t, cloud, nil)
	state := p.dataSourceState("nova_keypairs", p.readDataSource("nova_keypairs", attrs{}))
	var names []string
	for _, kp := range keypairList(t, state) {
		names = append(names, strings.Fields(kp)[0])
	}
	if got, want := strings.Join(names, ","), "db-1,db-2,web-1,web-2,web-cert"; got != want {
		t.Errorf("names %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(requests), "[ db-2 web-2]"; got != want {
		t.Errorf("list requests with the markers %s, want %s", got, want)
	}
}
