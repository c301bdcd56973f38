package provider_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
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
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

const keypairAddr = "nova_keypair.test"

func TestAccKeypair_basic(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	name := acctest.RandomName()
	publicKey, fingerprint := sshKeygen(t, "ed25519")

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ImportBlocks}, // its last step imports by import block
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config: testAccKeypairConfigImported(name, publicKey),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("id"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("public_key"), knownvalue.StringExact(publicKey)),
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("fingerprint"), knownvalue.StringExact(fingerprint)),
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("private_key"), knownvalue.Null()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrWith(keypairAddr, "region", isDefaultRegion),
					checkKeypairExists("", keypairAddr),
				),
			},
			{
				// terraform import by name reads back what was created.
				ResourceName:      keypairAddr,
				ImportState:       true,
				ImportStateId:     name,
				ImportStateVerify: true,
			},
			{
				// An import block with the same configuration plans a no-op
				// import: nothing to change, nothing to replace.
				ResourceName:    keypairAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   name,
			},
		},
	})
}

func TestAccKeypair_generated(t *testing.T) {
	name := acctest.RandomName()

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config: testAccKeypairConfigGenerated(name),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectSensitiveValue(keypairAddr, tfjsonpath.New("private_key")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestMatchResourceAttr(keypairAddr, "public_key", regexpMust(`^ssh-rsa AAAA[0-9A-Za-z+/=]+ \S+$`)),
					resource.TestMatchResourceAttr(keypairAddr, "private_key", regexpMust(`^-----BEGIN OPENSSH PRIVATE KEY-----\n`)),
					checkGeneratedKeyPair(t, keypairAddr),
				),
			},
			{
				// The plan after create is empty: nothing generated is regenerated.
				Config: testAccKeypairConfigGenerated(name),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ResourceName:      keypairAddr,
				ImportState:       true,
				ImportStateId:     name,
				ImportStateVerify: true,
				// Nova never returns a private key after create, and does not
				// know which algorithm made it.
				ImportStateVerifyIgnore: []string{"private_key", "key_algorithm"},
			},
			{
				// Imported without its private key, the keypair still plans a
				// no-op: the private key is not regenerated.
				ResourceName:    keypairAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   name,
			},
		},
	})
}

func TestAccKeypair_disappears(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	name := acctest.RandomName()
	publicKey, _ := sshKeygen(t, "ed25519")

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config:             testAccKeypairConfigImported(name, publicKey),
				Check:              deleteKeypairOutOfBand(""),
				ExpectNonEmptyPlan: true,
			},
			{
				// The next plan creates it again.
				Config: testAccKeypairConfigImported(name, publicKey),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(keypairAddr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
				},
				Check: checkKeypairExists("", keypairAddr),
			},
		},
	})
}

// TestAccKeypair_nonAdmin manages a keypair as the dev cloud's non-admin
// user, through clouds.yaml; keypairs belong to a user, so the admin user
// does not see it.
func TestAccKeypair_nonAdmin(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	name := acctest.RandomName()
	publicKey, fingerprint := sshKeygen(t, "ed25519")

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheckDemoCloud(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(acctest.DemoCloud),
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderBlock(fmt.Sprintf("  cloud = %q", acctest.DemoCloud)) + fmt.Sprintf(`
resource "nova_keypair" "test" {
  name       = %q
  public_key = %q
}
`, name, publicKey),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("fingerprint"), knownvalue.StringExact(fingerprint)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkKeypairExists(acctest.DemoCloud, keypairAddr),
					checkKeypairAbsent(acctest.AdminCloud, keypairAddr),
				),
			},
		},
	})
}

func testAccKeypairConfigImported(name, publicKey string) string {
	return acctest.ProviderBlock() + fmt.Sprintf(`
resource "nova_keypair" "test" {
  name       = %q
  public_key = %q
}
`, name, publicKey)
}

func testAccKeypairConfigGenerated(name string) string {
	return acctest.ProviderBlock() + fmt.Sprintf(`
resource "nova_keypair" "test" {
  name = %q
}
`, name)
}

// sshKeygen makes a key with ssh-keygen and returns its public key line and
// the fingerprint `ssh-keygen -l -E md5` gives for it (without "MD5:"), the
// reference Nova's fingerprint must match.
func sshKeygen(t *testing.T, keyType string) (publicKey, fingerprint string) {
	t.Helper()
	dir := t.TempDir()
	key := filepath.Join(dir, "id")
	run(t, "ssh-keygen", "-q", "-t", keyType, "-N", "", "-C", "acctest@nova", "-f", key)
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(pub)), sshKeygenMD5(t, key+".pub")
}

// sshKeygenMD5 is `ssh-keygen -l -E md5 -f file`'s fingerprint without "MD5:".
func sshKeygenMD5(t *testing.T, file string) string {
	t.Helper()
	fields := strings.Fields(run(t, "ssh-keygen", "-l", "-E", "md5", "-f", file))
	if len(fields) < 2 || !strings.HasPrefix(fields[1], "MD5:") {
		t.Fatalf("unexpected ssh-keygen -l output: %q", fields)
	}
	return strings.TrimPrefix(fields[1], "MD5:")
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// checkGeneratedKeyPair proves the generated private key is usable by
// OpenSSH: `ssh-keygen -y` derives exactly the registered public key from
// it, and Nova's fingerprint is the one ssh-keygen computes.
func checkGeneratedKeyPair(t *testing.T, addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		dir := t.TempDir()
		keyFile := filepath.Join(dir, "id")
		if err := os.WriteFile(keyFile, []byte(rs.Primary.Attributes["private_key"]), 0o600); err != nil {
			return err
		}
		out, err := exec.Command("ssh-keygen", "-y", "-f", keyFile).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ssh-keygen -y rejected the private key: %v: %s", err, out)
		}
		derived := strings.Fields(string(out))
		registered := strings.Fields(rs.Primary.Attributes["public_key"])
		if len(derived) < 2 || len(registered) < 2 || derived[0] != registered[0] || derived[1] != registered[1] {
			return fmt.Errorf("ssh-keygen -y derived %q, but the registered public key is %q", out, rs.Primary.Attributes["public_key"])
		}
		pubFile := filepath.Join(dir, "id.pub")
		if err := os.WriteFile(pubFile, []byte(rs.Primary.Attributes["public_key"]+"\n"), 0o600); err != nil {
			return err
		}
		if want, got := sshKeygenMD5(t, pubFile), rs.Primary.Attributes["fingerprint"]; want != got {
			return fmt.Errorf("fingerprint %q, ssh-keygen says %q", got, want)
		}
		return nil
	}
}

func deleteKeypairOutOfBand(cloud string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[keypairAddr]
		if !ok {
			return fmt.Errorf("%s not in state", keypairAddr)
		}
		c, err := acctest.Client(cloud)
		if err != nil {
			return err
		}
		region, name, userID := acctest.KeypairRef(rs)
		return c.DeleteKeypair(context.Background(), region, name, userID)
	}
}

func checkKeypairExists(cloud, addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		c, err := acctest.Client(cloud)
		if err != nil {
			return err
		}
		region, name, userID := acctest.KeypairRef(rs)
		kp, err := c.GetKeypair(context.Background(), region, name, userID)
		if err != nil {
			return fmt.Errorf("reading keypair %q from Nova: %w", rs.Primary.ID, err)
		}
		if kp.Fingerprint != rs.Primary.Attributes["fingerprint"] {
			return fmt.Errorf("Nova has fingerprint %q, state %q", kp.Fingerprint, rs.Primary.Attributes["fingerprint"])
		}
		return nil
	}
}

func checkKeypairAbsent(cloud, addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		c, err := acctest.Client(cloud)
		if err != nil {
			return err
		}
		region, name, userID := acctest.KeypairRef(rs)
		_, err = c.GetKeypair(context.Background(), region, name, userID)
		if err == nil {
			return fmt.Errorf("keypair %q is visible to cloud %q too", rs.Primary.ID, cloud)
		}
		if !nova.IsNotFound(err) {
			return fmt.Errorf("expected 404 for keypair %q as %q, got: %w", rs.Primary.ID, cloud, err)
		}
		return nil
	}
}

// isDefaultRegion checks that a keypair without a region is in the
// provider's region.
func isDefaultRegion(region string) error {
	c, err := acctest.Client("")
	if err != nil {
		return err
	}
	want, err := c.Region(context.Background())
	if err != nil {
		return err
	}
	if region == "" || region != want {
		return fmt.Errorf("region %q, want the provider's region %q", region, want)
	}
	return nil
}

func regexpMust(s string) *regexp.Regexp {
	return regexp.MustCompile(s)
}

// diagnostic matches an error whose text holds each part in order, however
// Terraform wraps its lines.
func diagnostic(parts ...string) *regexp.Regexp {
	quoted := make([]string, len(parts))
	for i, p := range parts {
		quoted[i] = strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, `.*`))
}

// rfc3339 matches a timestamp as created_at carries it.
var rfc3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)
