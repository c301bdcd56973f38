package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
)

// TestAccKeypair_writeOnly: a literal public_key_wo reaches Nova but
// neither the plan nor the state (which hold the public_key Nova stores);
// a new write-only value alone plans nothing; a new public_key_wo_version
// replaces the keypair with the new key. On a CLI without write-only
// arguments, the plan fails saying which versions have them.
func TestAccKeypair_writeOnly(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	name := acctest.RandomName()
	keyA, keyB := ed25519PublicKey(t), ed25519PublicKey(t)
	cfg := func(key string, version int) string {
		return acctest.ProviderBlock() + fmt.Sprintf(`
resource "nova_keypair" "test" {
  name                  = %q
  public_key_wo         = %q
  public_key_wo_version = %d
}
`, name, key, version)
	}
	if !acctest.WriteOnlyArguments.In(t) {
		resource.ParallelTest(t, resource.TestCase{
			PreCheck:                 func() { acctest.PreCheck(t) },
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      cfg(keyA, 1),
				PlanOnly:    true,
				ExpectError: diagnostic("Write-only argument not supported by this CLI", "public_key_wo =", "Terraform 1.11 and later and OpenTofu 1.11 and later"),
			}},
		})
		return
	}
	fingerprint := func(key string) string {
		fp, err := keys.FingerprintSSH(key)
		if err != nil {
			t.Fatal(err)
		}
		return fp
	}
	stateOf := func(key string, version int64) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("public_key_wo"), knownvalue.Null()),
			statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("public_key_wo_version"), knownvalue.Int64Exact(version)),
			statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("public_key"), knownvalue.StringExact(key)),
			statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("fingerprint"), knownvalue.StringExact(fingerprint(key))),
			statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("key_algorithm"), knownvalue.StringExact("ed25519")),
			statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("private_key"), knownvalue.Null()),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config: cfg(keyA, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(keypairAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(keypairAddr, tfjsonpath.New("public_key")),
					plancheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("public_key_wo"), knownvalue.Null()),
					expectNotInPlan(keyA),
				}},
				ConfigStateChecks: stateOf(keyA, 1),
				Check:             checkNovaKey(name, keyA),
			},
			{
				// Terraform cannot see the new write-only value.
				Config: cfg(keyB, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: stateOf(keyA, 1),
				Check:             checkNovaKey(name, keyA),
			},
			{
				Config: cfg(keyB, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(keypairAddr, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("public_key_wo"), knownvalue.Null()),
					expectNotInPlan(keyB),
				}},
				ConfigStateChecks: stateOf(keyB, 2),
				Check:             checkNovaKey(name, keyB),
			},
		},
	})
}

// expectNotInPlan requires the plan's changes and planned values not to
// hold the base64 data of key anywhere.
func expectNotInPlan(key string) plancheck.PlanCheck { return notInPlan{strings.Fields(key)[1]} }

type notInPlan struct{ secret string }

func (c notInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for what, v := range map[string]any{"resource_changes": req.Plan.ResourceChanges, "planned_values": req.Plan.PlannedValues} {
		b, err := json.Marshal(v)
		if err != nil {
			resp.Error = err
			return
		}
		if strings.Contains(string(b), c.secret) {
			resp.Error = fmt.Errorf("the plan's %s hold the write-only key", what)
			return
		}
	}
}

// checkNovaKey requires the caller's keypair name to hold key, read
// directly from Nova.
func checkNovaKey(name, key string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, err := acctest.Client("")
		if err != nil {
			return err
		}
		kp, err := c.GetKeypair(context.Background(), "", name, "")
		if err != nil {
			return fmt.Errorf("reading keypair %q from Nova: %w", name, err)
		}
		if !keys.SamePublicKey(kp.PublicKey, key) {
			return fmt.Errorf("Nova's keypair %q holds %q, want %q", name, kp.PublicKey, key)
		}
		return nil
	}
}

// TestAccKeypair_rotation: a keypair named by name_prefix, with
// create_before_destroy, is rotated first by a new public_key, then
// (where the CLI has write-only arguments) by public_key_wo and a
// public_key_wo_version bump. Each time the new keypair is made under a
// new name before the old one is deleted: the stand-in server replaced in
// between, which reads Nova out of band when it boots, sees both; no 409;
// and only the newest keypair is left.
func TestAccKeypair_rotation(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	prefix := acctest.RandomName() + "-"
	server := prefix + "server"
	factories := map[string]func() (tfprotov6.ProviderServer, error){"openstack": acctest.OpenStackStandIn}
	for name, f := range acctest.ProtoV6ProviderFactories {
		factories[name] = f
	}
	cfg := func(keyArguments string) string {
		return fmt.Sprintf(`
terraform {
  required_providers {
    nova      = { source = "terraform-provider-nova/nova" }
    openstack = { source = "terraform-provider-nova/openstack" }
  }
}

provider "nova" {}

provider "openstack" {}

resource "nova_keypair" "test" {
  name_prefix = %q
%s
  lifecycle {
    create_before_destroy = true
  }
}

resource "openstack_compute_instance_v2" "test" {
  name     = %q
  key_pair = nova_keypair.test.name
}
`, prefix, keyArguments, server)
	}
	var names []string // the keypair's name after each step
	rotated := func() []statecheck.StateCheck {
		return []statecheck.StateCheck{statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("public_key_wo"), knownvalue.Null())}
	}
	// step is a rotation: every step but the first.
	step := func(keyArguments, key string) resource.TestStep {
		return resource.TestStep{
			Config: cfg(keyArguments),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(keypairAddr, plancheck.ResourceActionCreateBeforeDestroy),
			}},
			ConfigStateChecks: rotated(),
			Check:             checkRotated(prefix, server, key, &names),
		}
	}
	keyA, keyB, keyC, keyD := ed25519PublicKey(t), ed25519PublicKey(t), ed25519PublicKey(t), ed25519PublicKey(t)
	steps := []resource.TestStep{
		{Config: cfg(fmt.Sprintf("  public_key = %q", keyA)), ConfigStateChecks: rotated(), Check: checkRotated(prefix, server, keyA, &names)},
		step(fmt.Sprintf("  public_key = %q", keyB), keyB),
	}
	if acctest.WriteOnlyArguments.In(t) {
		steps = append(steps,
			step(fmt.Sprintf("  public_key_wo = %q\n  public_key_wo_version = 1", keyC), keyC),
			step(fmt.Sprintf("  public_key_wo = %q\n  public_key_wo_version = 2", keyD), keyD),
		)
	} else {
		t.Log("this CLI has no write-only arguments: rotation by public_key only")
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkNoKeypairsNamed(prefix),
		Steps:                    steps,
	})
	if want := len(steps); len(names) != want || len(slices.Compact(slices.Clone(names))) != want {
		t.Errorf("keypair names after each step %q: want %d different ones", names, want)
	}
}

// checkRotated records the keypair's name in names, and requires, out of
// band, that Nova holds exactly one keypair named prefix*, the state's,
// with key; and that the server booted in this step (the first, or the
// replacement) was booted with that keypair while the keypair it replaces
// still existed.
func checkRotated(prefix, server, key string, names *[]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[keypairAddr]
		if !ok {
			return fmt.Errorf("no %s in state", keypairAddr)
		}
		current := rs.Primary.Attributes["name"]
		*names = append(*names, current)
		held, err := novaKeypairs(prefix)
		if err != nil {
			return err
		}
		if len(held) != 1 || !keys.SamePublicKey(held[current], key) {
			return fmt.Errorf("Nova holds %v, want only %s with the new key", held, current)
		}
		v, ok := acctest.Boots.Load(server)
		if !ok {
			return fmt.Errorf("the server %s was never booted", server)
		}
		boot, _ := v.(acctest.Boot)
		if boot.KeyPair == nil || boot.KeyPair.Name != current || !keys.SamePublicKey(boot.KeyPair.PublicKey, key) {
			return fmt.Errorf("the server booted with %+v, want keypair %s with the new key", boot.KeyPair, current)
		}
		if len(*names) > 1 {
			previous := (*names)[len(*names)-2]
			if !slices.Contains(boot.Keypairs, previous) || !slices.Contains(boot.Keypairs, current) {
				return fmt.Errorf("when the server booted Nova held %q: want both the old keypair %s and the new %s", boot.Keypairs, previous, current)
			}
		}
		return nil
	}
}

// checkNoKeypairsNamed is a CheckDestroy: Nova holds no keypair named
// prefix*.
func checkNoKeypairsNamed(prefix string) func(*terraform.State) error {
	return func(*terraform.State) error {
		held, err := novaKeypairs(prefix)
		if err != nil {
			return err
		}
		if len(held) > 0 {
			return fmt.Errorf("keypairs left in Nova: %v", held)
		}
		return nil
	}
}
