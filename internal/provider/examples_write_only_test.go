package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
)

// TestAccExamples_writeOnly applies the write-only recipe
// (resource-write-only.tf) with the stand-ins of tls, vault and openstack:
// the ephemeral key pair's private half reaches the secret store and
// nothing else, its public half is the keypair's in Nova, and the server
// boots with it. Bumping deploy_key_version rotates all of it, the new
// keypair made before the old one is deleted, and the server kept; a
// keypair made again after an out-of-band delete gets its private key
// stored too.
func TestAccExamples_writeOnly(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	const (
		prefix = "deploy-"
		server = "web-1"
	)
	cfg := example(t, map[string]string{
		`"hashicorp/tls"`:                          `"terraform-provider-nova/tls"`,
		`"hashicorp/vault"`:                        `"terraform-provider-nova/vault"`,
		`"terraform-provider-openstack/openstack"`: `"terraform-provider-nova/openstack"`,
	}, "resources/nova_keypair/resource-write-only.tf")
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		"tls": acctest.TLSStandIn, "vault": acctest.VaultStandIn, "openstack": acctest.OpenStackStandIn,
	}
	for name, f := range acctest.ProtoV6ProviderFactories {
		factories[name] = f
	}
	const addr = "nova_keypair.deploy"
	var names []string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.WriteOnlyArguments},
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkNoKeypairsNamed(prefix),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("public_key_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("private_key"), knownvalue.Null()),
					noPrivateKeyInState{},
				},
				Check: checkSecretIsKeypairs(addr, server, &names),
			},
			{
				Config:          cfg,
				ConfigVariables: config.Variables{"deploy_key_version": config.IntegerVariable(2)},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreateBeforeDestroy),
					plancheck.ExpectResourceAction("vault_kv_secret_v2.deploy_key", plancheck.ResourceActionDestroyBeforeCreate), // its name is the keypair's
					plancheck.ExpectResourceAction("openstack_compute_instance_v2.web", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{noPrivateKeyInState{}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSecretIsKeypairs(addr, "", &names),
					func(*terraform.State) error {
						held, err := novaKeypairs(prefix)
						if err != nil {
							return err
						}
						if len(held) != 1 || names[0] == names[1] {
							return fmt.Errorf("after the rotation Nova holds %v (names %q); want only the new keypair", held, names)
						}
						return nil
					},
				),
			},
			{
				// The keypair deleted outside Terraform is made again, from
				// a new ephemeral key pair: the secret store gets its
				// private key too, under the new keypair's name.
				PreConfig: func() {
					c, err := acctest.Client("")
					if err != nil {
						t.Fatal(err)
					}
					if err := c.DeleteKeypair(context.Background(), "", names[len(names)-1], ""); err != nil {
						t.Fatal(err)
					}
				},
				Config:          cfg,
				ConfigVariables: config.Variables{"deploy_key_version": config.IntegerVariable(2)},
				Check:           checkSecretIsKeypairs(addr, "", &names),
			},
		},
	})
}

// noPrivateKeyInState requires the whole state to hold no private key.
type noPrivateKeyInState struct{}

func (noPrivateKeyInState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	b, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	if strings.Contains(string(b), "PRIVATE KEY") {
		resp.Error = fmt.Errorf("the state holds a private key")
	}
}

// checkSecretIsKeypairs requires the private key the stand-in secret
// store holds under the keypair's name (secret/openstack/NAME), and no
// other deploy key, to be that of the keypair's public key in Nova (read
// out of band); and, when server is set, the server to have booted with
// that keypair. It appends the keypair's name to names.
func checkSecretIsKeypairs(addr, server string, names *[]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("no %s in state", addr)
		}
		name := rs.Primary.Attributes["name"]
		*names = append(*names, name)
		secret := "secret/openstack/" + name
		var stored []string
		acctest.Secrets.Range(func(k, _ any) bool {
			if path, _ := k.(string); strings.HasPrefix(path, "secret/openstack/deploy-") {
				stored = append(stored, path)
			}
			return true
		})
		if len(stored) != 1 || stored[0] != secret {
			return fmt.Errorf("the secret store holds %q, want only %s", stored, secret)
		}
		v, _ := acctest.Secrets.Load(secret)
		var data struct {
			PrivateKey string `json:"private_key"`
		}
		raw, _ := v.(string)
		if err := json.Unmarshal([]byte(raw), &data); err != nil {
			return fmt.Errorf("secret %s: %w", secret, err)
		}
		public, err := keys.PublicKeyOf(data.PrivateKey)
		if err != nil {
			return fmt.Errorf("secret %s holds no private key: %w", secret, err)
		}
		if err := checkNovaKey(name, public)(s); err != nil {
			return fmt.Errorf("the stored private key is not the keypair's: %w", err)
		}
		if server == "" {
			return nil
		}
		b, ok := acctest.Boots.Load(server)
		if boot, _ := b.(acctest.Boot); !ok || boot.KeyPair == nil || boot.KeyPair.Name != name {
			return fmt.Errorf("server %s did not boot with keypair %s: %+v", server, name, b)
		}
		return nil
	}
}

// TestAccExamples_rotation applies resource-rotation.tf with one key, then
// another: the second keypair (a new name) is made before the first is
// deleted, and only it is left.
func TestAccExamples_rotation(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	const prefix, addr = "example-ci-", "nova_keypair.ci"
	keyA, keyB := ed25519PublicKey(t), ed25519PublicKey(t)
	with := func(key string) string {
		return example(t, map[string]string{`file("${path.module}/ci.pub")`: fmt.Sprintf("%q", key)},
			"resources/nova_keypair/providers.tf", "resources/nova_keypair/resource-rotation.tf")
	}
	var first string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkNoKeypairsNamed(prefix),
		Steps: []resource.TestStep{
			{
				Config: with(keyA),
				Check: func(s *terraform.State) error {
					first = s.RootModule().Resources[addr].Primary.Attributes["name"]
					return checkNovaKey(first, keyA)(s)
				},
			},
			{
				Config: with(keyB),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreateBeforeDestroy),
				}},
				Check: func(s *terraform.State) error {
					name := s.RootModule().Resources[addr].Primary.Attributes["name"]
					held, err := novaKeypairs(prefix)
					if err != nil {
						return err
					}
					if name == first || len(held) != 1 || !keys.SamePublicKey(held[name], keyB) {
						return fmt.Errorf("after the rotation Nova holds %v; want only %s (not %s) with the new key", held, name, first)
					}
					return nil
				},
			},
		},
	})
}
