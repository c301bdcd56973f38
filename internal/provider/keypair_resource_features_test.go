package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/provider"
)

// Generation with each algorithm: the private key works with OpenSSH
// (`ssh-keygen -y` derives exactly the registered public key).
func TestAccKeypair_generatedAlgorithms(t *testing.T) {
	for alg, keyType := range map[string]string{"rsa": "ssh-rsa", "ecdsa": "ecdsa-sha2-nistp256", "ed25519": "ssh-ed25519"} {
		t.Run(alg, func(t *testing.T) {
			name := acctest.RandomName()
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				CheckDestroy:             acctest.CheckKeypairDestroyed(""),
				Steps: []resource.TestStep{
					{
						Config: acctest.ProviderBlock() + fmt.Sprintf("resource \"nova_keypair\" \"test\" {\n  name          = %q\n  key_algorithm = %q\n}\n", name, alg),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("key_algorithm"), knownvalue.StringExact(alg)),
							statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("type"), knownvalue.StringExact("ssh")),
							statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("public_key"), knownvalue.StringRegexp(regexp.MustCompile("^"+keyType+" "))),
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							checkGeneratedKeyPair(t, keypairAddr),
							checkKeypairExists("", keypairAddr),
						),
					},
				},
			})
		})
	}
}

func TestAccKeypair_ed25519(t *testing.T) { testAccKeypairImportKeyType(t, "ed25519") }
func TestAccKeypair_ecdsa(t *testing.T)   { testAccKeypairImportKeyType(t, "ecdsa") }
func TestAccKeypair_rsa(t *testing.T)     { testAccKeypairImportKeyType(t, "rsa") }

// testAccKeypairImportKeyType registers a key made by ssh-keygen and
// checks Nova's fingerprint against ssh-keygen's.
func testAccKeypairImportKeyType(t *testing.T, keyType string) {
	acctest.SkipWithoutTFAcc(t)
	name := acctest.RandomName()
	publicKey, fingerprint := sshKeygen(t, keyType)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config: testAccKeypairConfigImported(name, publicKey),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("fingerprint"), knownvalue.StringExact(fingerprint)),
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("type"), knownvalue.StringExact("ssh")),
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("key_algorithm"), knownvalue.StringExact(keyType)),
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("user_id"), knownvalue.StringExact(acctest.UserID(t, acctest.AdminCloud))),
				},
				Check: checkKeypairExists("", keypairAddr),
			},
		},
	})
}

// TestAccKeypair_x509 registers a certificate made in the test; Nova's
// fingerprint is `openssl x509 -fingerprint -sha1`, lowercased.
func TestAccKeypair_x509(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	name := acctest.RandomName()
	cert := provider.SelfSignedCertificate(t)
	certFile := filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(certFile, []byte(cert), 0o600); err != nil {
		t.Fatal(err)
	}
	out := run(t, "openssl", "x509", "-noout", "-fingerprint", "-sha1", "-in", certFile)
	fingerprint := strings.ToLower(strings.TrimSpace(strings.SplitN(out, "=", 2)[1]))

	config := acctest.ProviderBlock() + fmt.Sprintf(`
resource "nova_keypair" "test" {
  name       = %q
  type       = "x509"
  public_key = %q
}
`, name, cert)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("fingerprint"), knownvalue.StringExact(fingerprint)),
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("type"), knownvalue.StringExact("x509")),
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("private_key"), knownvalue.Null()),
				},
				Check: checkKeypairExists("", keypairAddr),
			},
			{
				// Nova holds the certificate as sent: trimmed (the
				// configuration's trailing newline is not a change).
				ResourceName:            keypairAddr,
				ImportState:             true,
				ImportStateId:           name,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"public_key"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if got := states[0].Attributes["public_key"]; got != strings.TrimSpace(cert) {
						return fmt.Errorf("imported public_key %q, want the certificate trimmed", got)
					}
					return nil
				},
			},
		},
	})
}

// TestAccKeypair_otherUser: the admin manages a keypair of the non-admin
// user (user_id, microversion 2.10). That user sees it with its own
// credentials; the admin has no keypair of that name; it imports by
// user_id/name.
func TestAccKeypair_otherUser(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheckDemoCloud(t)
	name := acctest.RandomName()
	demoID := acctest.UserID(t, acctest.DemoCloud)
	publicKey, fingerprint := sshKeygen(t, "ed25519")
	config := acctest.ProviderBlock() + fmt.Sprintf(`
resource "nova_keypair" "test" {
  name       = %q
  user_id    = %q
  public_key = %q
}
`, name, demoID, publicKey)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("id"), knownvalue.StringExact(demoID+"/"+name)),
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("user_id"), knownvalue.StringExact(demoID)),
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("fingerprint"), knownvalue.StringExact(fingerprint)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkOwnKeypair(acctest.DemoCloud, name, true),
					checkOwnKeypair(acctest.AdminCloud, name, false),
				),
			},
			{
				ResourceName:      keypairAddr,
				ImportState:       true,
				ImportStateId:     demoID + "/" + name,
				ImportStateVerify: true,
			},
			{
				ResourceName:    keypairAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   demoID + "/" + name,
			},
		},
	})
}

// checkOwnKeypair checks whether the cloud's user has, among its own
// keypairs, one of that name.
func checkOwnKeypair(cloud, name string, want bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, err := acctest.Client(cloud)
		if err != nil {
			return err
		}
		_, err = c.GetKeypair(context.Background(), "", name, "")
		switch {
		case want && err != nil:
			return fmt.Errorf("%s does not see its keypair %q: %w", cloud, name, err)
		case !want && err == nil:
			return fmt.Errorf("%s has a keypair %q of its own", cloud, name)
		case !want && !nova.IsNotFound(err):
			return fmt.Errorf("%s reading keypair %q: want 404, got %w", cloud, name, err)
		}
		return nil
	}
}

// TestAccKeypair_nonAdminForbidden: a non-admin naming another user gets
// an error that says why and what to do.
func TestAccKeypair_nonAdminForbidden(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheckDemoCloud(t)
	adminID := acctest.UserID(t, acctest.AdminCloud)
	publicKey, _ := sshKeygen(t, "ed25519")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderBlock(fmt.Sprintf("  cloud = %q", acctest.DemoCloud)) + fmt.Sprintf(`
resource "nova_keypair" "test" {
  name       = "never-created"
  user_id    = %q
  public_key = %q
}
`, adminID, publicKey),
				ExpectError: diagnostic(`Unable to create keypair "never-created"`, `policy does not let the authenticated user manage keypairs of user "`+adminID+`"`, "needs an admin", "Remove user_id", "Policy doesn't allow os_compute_api:os-keypairs:create"),
			},
		},
	})
}

// TestAccKeypair_duplicateName: a name the user already has is a 409 whose
// error shows the import block that adopts the existing keypair.
func TestAccKeypair_duplicateName(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheck(t)
	name := acctest.RandomName()
	publicKey, _ := sshKeygen(t, "ed25519")
	c, err := acctest.Client("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateKeypair(context.Background(), "", nova.CreateKeypairOpts{Name: name, PublicKey: publicKey}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.DeleteKeypair(context.Background(), "", name, "") })

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config: testAccKeypairConfigGenerated(name),
				ExpectError: diagnostic(`Unable to create keypair "`+name+`"`, "already exists for the authenticated user",
					"import {", "to = nova_keypair.<resource name>", `id = "`+name+`"`, "}",
					"terraform import nova_keypair.<resource name> "+name, "Nova said: Key pair '"+name+"' already exists."),
			},
		},
	})
}

// TestAccKeypair_trailingNewline: Nova stores the key verbatim, with the
// newline file() keeps; adding or removing surrounding whitespace is no
// change.
func TestAccKeypair_trailingNewline(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	name := acctest.RandomName()
	publicKey, _ := sshKeygen(t, "ed25519")
	empty := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config: testAccKeypairConfigImported(name, publicKey+"\n"),
				Check:  checkKeypairExists("", keypairAddr),
			},
			{Config: testAccKeypairConfigImported(name, publicKey), ConfigPlanChecks: empty},
			{Config: testAccKeypairConfigImported(name, "  "+publicKey+"\n\n"), ConfigPlanChecks: empty},
			{
				// Imported, Nova's verbatim key (with its newline) against a
				// configuration without it: still no change.
				ResourceName:    keypairAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   name,
				Config:          testAccKeypairConfigImported(name, publicKey),
			},
		},
	})
}

// TestAccKeypair_replacedOutOfBand: someone deletes the keypair and makes
// another under the same name with another key. The next plan replaces it,
// whether Terraform imported the key or generated it.
func TestAccKeypair_replacedOutOfBand(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	imported, _ := sshKeygen(t, "ed25519")
	intruder, _ := sshKeygen(t, "ed25519")
	for kind, config := range map[string]func(string) string{
		"imported":  func(name string) string { return testAccKeypairConfigImported(name, imported) },
		"generated": testAccKeypairConfigGenerated,
	} {
		t.Run(kind, func(t *testing.T) {
			name := acctest.RandomName()
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				CheckDestroy:             acctest.CheckKeypairDestroyed(""),
				Steps: []resource.TestStep{
					{
						Config:             config(name),
						Check:              replaceKeypairOutOfBand(name, intruder),
						ExpectNonEmptyPlan: true,
					},
					{
						Config: config(name),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(keypairAddr, plancheck.ResourceActionDestroyBeforeCreate)},
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							checkKeypairExists("", keypairAddr),
							checkNovaKeyIsNot(name, intruder),
						),
					},
				},
			})
		})
	}
}

func replaceKeypairOutOfBand(name, publicKey string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, err := acctest.Client("")
		if err != nil {
			return err
		}
		ctx := context.Background()
		if err := c.DeleteKeypair(ctx, "", name, ""); err != nil {
			return err
		}
		_, err = c.CreateKeypair(ctx, "", nova.CreateKeypairOpts{Name: name, PublicKey: publicKey})
		return err
	}
}

func checkNovaKeyIsNot(name, publicKey string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c, err := acctest.Client("")
		if err != nil {
			return err
		}
		kp, err := c.GetKeypair(context.Background(), "", name, "")
		if err != nil {
			return err
		}
		if keys.SamePublicKey(kp.PublicKey, publicKey) {
			return fmt.Errorf("keypair %q still holds the key put there outside Terraform", name)
		}
		return nil
	}
}

// TestAccKeypair_quota: a user at its keypair quota gets an error that says
// so. The user is made for the test and filled to the quota first.
func TestAccKeypair_quota(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheckDemoCloud(t)
	ao, _ := acctest.AdminAuth(t)
	u := acctest.NewQuotaUser(t)
	t.Setenv("TF_VAR_quota_user_password", u.Password)
	name := acctest.RandomName()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			c, err := acctest.Client("")
			if err != nil {
				return err
			}
			if _, err := c.GetKeypair(context.Background(), "", name, u.ID); !nova.IsNotFound(err) {
				return fmt.Errorf("keypair %q of the quota user: want 404, got %v", name, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderBlock(fmt.Sprintf("  auth_url = %q\n  user_name = %q\n  password = var.quota_user_password\n  tenant_id = %q",
					ao.IdentityEndpoint, u.Name, u.Project)) + fmt.Sprintf(`
variable "quota_user_password" {
  type      = string
  sensitive = true
}

resource "nova_keypair" "test" {
  name          = %q
  key_algorithm = "ed25519"
}
`, name),
				ExpectError: diagnostic(fmt.Sprintf("Unable to create keypair %q", name), "The per-user keypair quota is reached",
					"raise its key_pairs quota", "Nova said: Quota exceeded, too many key pairs."),
			},
		},
	})
}

// TestAccKeypair_nameAtDot: `@` and `.` work in names where the cloud has
// microversion 2.92; capped below, the plan fails on the name.
func TestAccKeypair_nameAtDot(t *testing.T) {
	name := acctest.RandomName() + "@example.org"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config:      acctest.ProviderBlock(`  max_microversion = "2.91"`) + testAccKeypairResourceGenerated(name),
				PlanOnly:    true,
				ExpectError: diagnostic("Above the provider's max_microversion", `the keypair name "`+name+`" (with `+"`@` or `.`"+`) needs compute API microversion 2.92 or later`, "caps it at 2.91"),
			},
			{
				Config: acctest.ProviderBlock() + testAccKeypairResourceGenerated(name),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("id"), knownvalue.StringExact(name)),
				},
				Check: checkKeypairExists("", keypairAddr),
			},
			{
				ResourceName:    keypairAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   name,
			},
		},
	})
}

// TestAccKeypair_microversionCapped: features the (capped) cloud lacks fail
// the plan, on the attribute that needs them, before anything is created.
func TestAccKeypair_microversionCapped(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	cert := provider.SelfSignedCertificate(t)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderBlock(`  max_microversion = "2.1"`) + fmt.Sprintf(`
resource "nova_keypair" "test" {
  name       = "never-created"
  type       = "x509"
  public_key = %q
}
`, cert),
				PlanOnly:    true,
				ExpectError: diagnostic("Above the provider's max_microversion", `type = "x509" needs compute API microversion 2.2 or later`, "`max_microversion` caps it at 2.1"),
			},
			{
				Config: acctest.ProviderBlock(`  max_microversion = "2.9"`) + `
resource "nova_keypair" "test" {
  name    = "never-created"
  user_id = "0123456789abcdef"
}
`,
				PlanOnly:    true,
				ExpectError: diagnostic("Above the provider's max_microversion", "user_id (another user's keypair) needs compute API microversion 2.10 or later", "caps it at 2.9"),
			},
		},
	})
}

func testAccKeypairResourceGenerated(name string) string {
	return fmt.Sprintf("resource \"nova_keypair\" \"test\" {\n  name          = %q\n  key_algorithm = \"ed25519\"\n}\n", name)
}
