package nova_test

import (
	"context"
	"slices"
	"testing"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

// TestAccNames_catalogue: every name of acctest.KeypairNames (names Nova
// accepts at 2.92, the dot segments included) goes through create, read,
// list and delete in the nova layer against the dev cloud, each request
// addressing that keypair and no other.
func TestAccNames_catalogue(t *testing.T) {
	acctest.PreCheck(t)
	u := acctest.NewUser(t)
	c := u.Client(t)
	ctx := context.Background()
	pair, err := keys.Generate(keys.ED25519)
	if err != nil {
		t.Fatal(err)
	}
	names := acctest.KeypairNames()
	t.Cleanup(func() {
		for _, name := range names {
			_ = c.DeleteKeypair(ctx, "", name, "")
		}
	})
	for _, name := range names {
		kp, err := c.CreateKeypair(ctx, "", nova.CreateKeypairOpts{Name: name, PublicKey: pair.PublicKey})
		if err != nil {
			t.Errorf("create %q: %s", name, err)
			continue
		}
		if kp.Name != name {
			t.Errorf("create %q answered the keypair %q", name, kp.Name)
		}
		got, err := c.GetKeypair(ctx, "", name, "")
		if err != nil || got.Name != name || got.PublicKey != pair.PublicKey {
			t.Errorf("get %q: %+v, %v", name, got, err)
		}
	}
	// A fresh client reads the list from Nova: every name, once.
	listed, err := u.Client(t).ListKeypairs(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, kp := range listed {
		got = append(got, kp.Name)
	}
	for _, name := range names {
		if n := countOf(got, name); n != 1 {
			t.Errorf("the list has %q %d times", name, n)
		}
	}
	if len(got) != len(names) {
		t.Errorf("the list has %d keypairs, want the %d of the catalogue", len(got), len(names))
	}
	for _, name := range names {
		if err := c.DeleteKeypair(ctx, "", name, ""); err != nil {
			t.Errorf("delete %q: %s", name, err)
			continue
		}
		if _, err := c.GetKeypair(ctx, "", name, ""); !nova.IsNotFound(err) {
			t.Errorf("get %q after its delete: %v, want a 404", name, err)
		}
	}
	t.Logf("%d names through create, get, list and delete", len(names))
}

func countOf(s []string, v string) int {
	n := 0
	for i := slices.Index(s, v); i >= 0; i = slices.Index(s, v) {
		n++
		s = s[i+1:]
	}
	return n
}
