package provider_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

// TestAccKeypairsDataSource_1050: a user with 1,050 keypairs, more than
// one page of Nova's 1000; every filter narrows as expected, and a cloud
// capped below 2.35 (no paging) lists the same set.
func TestAccKeypairsDataSource_1050(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheckDemoCloud(t)
	const total = 1050
	u := acctest.NewUser(t)
	prefix := acctest.RandomName()
	names := acctest.FillKeypairs(t, "", u.ID, prefix, total-1)

	// One keypair with a key of its own, for the key filters.
	c, err := acctest.Client("")
	if err != nil {
		t.Fatal(err)
	}
	odd, err := keys.Generate(keys.ECDSA)
	if err != nil {
		t.Fatal(err)
	}
	oddName := prefix + "-odd"
	oddKP, err := c.CreateKeypair(context.Background(), "", nova.CreateKeypairOpts{Name: oddName, PublicKey: odd.PublicKey, UserID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.DeleteKeypair(context.Background(), "", oddName, u.ID) })

	config := acctest.ProviderBlock() + fmt.Sprintf(`
provider "nova" {
  alias            = "before_paging"
  max_microversion = "2.34"
}

locals {
  user = %[1]q
}

data "nova_keypairs" "all" {
  user_id = local.user
}

data "nova_keypairs" "unpaged" {
  provider = nova.before_paging
  user_id  = local.user
}

data "nova_keypairs" "regex" {
  user_id    = local.user
  name_regex = "-10[0-4][0-9]$"
}

data "nova_keypairs" "ssh" {
  user_id = local.user
  type    = "ssh"
}

data "nova_keypairs" "x509" {
  user_id = local.user
  type    = "x509"
}

data "nova_keypairs" "fingerprint" {
  user_id     = local.user
  fingerprint = upper(%[2]q)
}

data "nova_keypairs" "public_key" {
  user_id    = local.user
  public_key = "  %[3]s\n"
}
`, u.ID, oddKP.Fingerprint, odd.PublicKey)

	size := func(addr string, n int) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(addr, tfjsonpath.New("names"), knownvalue.ListSizeExact(n))
	}
	only := func(addr, name string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(addr, tfjsonpath.New("names"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(name)}))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					size("data.nova_keypairs.all", total),
					statecheck.ExpectKnownValue("data.nova_keypairs.all", tfjsonpath.New("names").AtSliceIndex(0), knownvalue.StringExact(names[0])),
					statecheck.ExpectKnownValue("data.nova_keypairs.all", tfjsonpath.New("names").AtSliceIndex(total-2), knownvalue.StringExact(names[total-2])),
					statecheck.ExpectKnownValue("data.nova_keypairs.all", tfjsonpath.New("names").AtSliceIndex(total-1), knownvalue.StringExact(oddName)),
					statecheck.ExpectKnownValue("data.nova_keypairs.all", tfjsonpath.New("keypairs").AtSliceIndex(total-1),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"name":        knownvalue.StringExact(oddName),
							"public_key":  knownvalue.StringExact(odd.PublicKey),
							"fingerprint": knownvalue.StringExact(oddKP.Fingerprint),
							"type":        knownvalue.StringExact("ssh"),
						})),
					size("data.nova_keypairs.unpaged", total),
					size("data.nova_keypairs.regex", 49), // -1000 ... -1048
					size("data.nova_keypairs.ssh", total),
					size("data.nova_keypairs.x509", 0),
					only("data.nova_keypairs.fingerprint", oddName),
					only("data.nova_keypairs.public_key", oddName),
				},
			},
		},
	})
}
