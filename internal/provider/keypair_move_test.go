package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
)

// TestAccKeypair_movedFromIncumbent: keypairs managed as
// openstack_compute_keypair_v2 (by a stand-in of the openstack provider
// inside the test binary: an imported key with a trailing newline, a
// generated one, another user's) move to nova_keypair with `moved` blocks,
// and the plan shows the moves and no other change.
func TestAccKeypair_movedFromIncumbent(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheckDemoCloud(t)
	prefix := acctest.RandomName()
	publicKey, _ := sshKeygen(t, "ed25519")
	demoID := acctest.UserID(t, acctest.DemoCloud)
	factories := map[string]func() (tfprotov6.ProviderServer, error){"openstack": acctest.OpenStackStandIn}
	for name, f := range acctest.ProtoV6ProviderFactories {
		factories[name] = f
	}
	incumbent := fmt.Sprintf(`
terraform {
  required_providers {
    openstack = { source = "terraform-provider-nova/openstack" }
  }
}

provider "openstack" {}

resource "openstack_compute_keypair_v2" "imported" {
  name       = "%[1]s-imported"
  public_key = "%[2]s\n"
}

resource "openstack_compute_keypair_v2" "generated" {
  name = "%[1]s-generated"
}

resource "openstack_compute_keypair_v2" "other" {
  name       = "%[1]s-other"
  public_key = %[2]q
  user_id    = %[3]q
}
`, prefix, publicKey, demoID)
	moved := fmt.Sprintf(`
terraform {
  required_providers {
    nova      = { source = "terraform-provider-nova/nova" }
    openstack = { source = "terraform-provider-nova/openstack" }
  }
}

provider "nova" {}

provider "openstack" {}

resource "nova_keypair" "imported" {
  name       = "%[1]s-imported"
  public_key = "%[2]s\n"
}

resource "nova_keypair" "generated" {
  name = "%[1]s-generated"
}

resource "nova_keypair" "other" {
  name       = "%[1]s-other"
  public_key = %[2]q
  user_id    = %[3]q
}

moved {
  from = openstack_compute_keypair_v2.imported
  to   = nova_keypair.imported
}

moved {
  from = openstack_compute_keypair_v2.generated
  to   = nova_keypair.generated
}

moved {
  from = openstack_compute_keypair_v2.other
  to   = nova_keypair.other
}
`, prefix, publicKey, demoID)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.MovedAcrossTypes},
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{Config: incumbent},
			{
				Config: moved,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("nova_keypair.imported", plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction("nova_keypair.generated", plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction("nova_keypair.other", plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectSensitiveValue("nova_keypair.generated", tfjsonpath.New("private_key")),
					statecheck.ExpectKnownValue("nova_keypair.other", tfjsonpath.New("id"), knownvalue.StringExact(demoID+"/"+prefix+"-other")),
				},
			},
		},
	})
}
