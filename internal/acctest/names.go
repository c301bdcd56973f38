package acctest

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

// KeypairNames is a catalogue of keypair names Nova accepts at
// microversion 2.92 (its name rules: 1 to 255 characters of letters,
// digits, space, '_', '-', '@' and '.', no whitespace at either end):
// every allowed character alone, the dot segments and other names that
// URL rules could alter, '@' and '.' leading, inner and trailing, inner
// spaces, and the 255-character limit. Names with '@' or '.' are refused
// before 2.92. The names are fixed (a "." cannot be made unique), so a
// test that creates them does so as a user of its own (NewUser).
func KeypairNames() []string {
	var names []string
	for _, r := range "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-@." {
		names = append(names, string(r))
	}
	return append(names,
		// Dot segments, and names that are not quite.
		"..", "...", "....", ".a", "a.", "..a", "a..", ".a.", "a.b", "a..b", ".-.", "._.",
		// '@' and '.' leading, inner, trailing, together.
		"@a", "a@", "@@", "a@b", "@.", ".@", "a@b.c", "deploy@example.com", "@example.com", ".@.",
		// Inner spaces.
		"a b", "a  b", "a b c", "a . b", "a @ b", ". .", "@ @", "- -",
		// Other characters together.
		"--", "__", "-_-", "a_b-c@d.e f", "Az09 _-@.",
		// The limit.
		strings.Repeat("k", 255), strings.Repeat(".", 255), strings.Repeat("@", 254)+"z",
		strings.Repeat("a ", 127)+"b", "."+strings.Repeat("x", 253)+".",
	)
}

// Client is a client of the dev cloud authenticated as u.
func (u TestUser) Client(t *testing.T) *nova.Client {
	t.Helper()
	ao, _ := AdminAuth(t)
	c, err := nova.NewClient(context.Background(), nova.Config{
		AuthURL: ao.IdentityEndpoint, UserName: u.Name, Password: u.Password, UserDomainName: "Default",
		ProjectID: u.Project, UserAgent: "terraform-provider-nova-acctest",
	})
	if err != nil {
		t.Fatalf("authenticating as %s: %s", u.Name, err)
	}
	return c
}

// NovaAcceptsNames asks the dev cloud's Nova, with a raw request per name
// at microversion mv (not through the nova layer, which checks names
// itself), whether it takes the name for a keypair of userID (created as
// the admin, then deleted). It fails the test on an answer other than 200
// or 400.
func NovaAcceptsNames(t *testing.T, userID, mv, publicKey string, names []string) map[string]bool {
	t.Helper()
	pc, eo := adminProviderClient(t)
	sc, err := openstack.NewComputeV2(pc, eo)
	if err != nil {
		t.Fatal(err)
	}
	sc.Microversion = mv
	c, err := Client("")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	accepted := map[string]bool{}
	for _, name := range names {
		_, err := keypairs.Create(ctx, sc, keypairs.CreateOpts{Name: name, PublicKey: publicKey, UserID: userID}).Extract()
		switch {
		case err == nil:
			accepted[name] = true
			if err := c.DeleteKeypair(ctx, "", name, userID); err != nil {
				t.Errorf("deleting %q: %s", name, err)
			}
		case !gophercloud.ResponseCodeIs(err, http.StatusBadRequest):
			t.Fatalf("creating %q at %s: %s", name, mv, err)
		}
	}
	return accepted
}
