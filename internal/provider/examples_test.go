package provider_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

// The examples are applied and destroyed as they are, so none can rot.

func TestAccExamples_resourceKeypair(t *testing.T) {
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				ConfigDirectory: config.StaticDirectory("../../examples/resources/nova_keypair"),
				ConfigStateChecks: []statecheck.StateCheck{
					// The key in the example is the one recorded from a real Nova
					// with this fingerprint (nova-keypairs-reference.md).
					statecheck.ExpectKnownValue("nova_keypair.deployer", tfjsonpath.New("fingerprint"), knownvalue.StringExact(recordedFingerprint)),
					statecheck.ExpectKnownOutputValue("deployer_fingerprint", knownvalue.StringExact(recordedFingerprint)),
					statecheck.ExpectSensitiveValue("nova_keypair.generated", tfjsonpath.New("private_key")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkKeypairExists("", "nova_keypair.deployer"),
					checkKeypairExists("", "nova_keypair.generated"),
				),
			},
		},
	})
}

// TestAccExamples_demo applies examples/demo, what `make demo` applies.
func TestAccExamples_demo(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	name := acctest.RandomName()
	publicKey, fingerprint := sshKeygen(t, "ed25519")
	keyFile := filepath.Join(t.TempDir(), "id.pub")
	if err := os.WriteFile(keyFile, []byte(publicKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				ConfigDirectory: config.StaticDirectory("../../examples/demo"),
				ConfigVariables: config.Variables{
					"public_key_file": config.StringVariable(keyFile),
					"name":            config.StringVariable(name),
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("name", knownvalue.StringExact(name)),
					statecheck.ExpectKnownOutputValue("fingerprint", knownvalue.StringExact(fingerprint)),
				},
				Check: checkKeypairExists("", "nova_keypair.demo"),
			},
		},
	})
}

// TestAccExamples_dataSources applies the data source examples as the
// non-admin user, whose keypairs no concurrent test changes, after
// registering the keypair they look up.
func TestAccExamples_dataSources(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheckDemoCloud(t)
	demo, err := acctest.Client(acctest.DemoCloud)
	if err != nil {
		t.Fatal(err)
	}
	const existing = "example-existing"
	kp, err := demo.CreateKeypair(context.Background(), "", nova.CreateKeypairOpts{Name: existing, PublicKey: recordedKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = demo.DeleteKeypair(context.Background(), "", existing, "") })
	t.Setenv("OS_CLOUD", acctest.DemoCloud)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				ConfigDirectory: config.StaticDirectory("../../examples/data-sources/nova_keypair"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("existing_fingerprint", knownvalue.StringExact(kp.Fingerprint)),
				},
			},
			{
				ConfigDirectory: config.StaticDirectory("../../examples/data-sources/nova_keypairs"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("keypair_names", knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.StringExact(existing)})),
					statecheck.ExpectKnownOutputValue("ops_fingerprints", knownvalue.MapPartial(map[string]knownvalue.Check{existing: knownvalue.StringExact(kp.Fingerprint)})),
				},
			},
		},
	})
}

// TestAccExamples_function applies the function example (Terraform 1.8+).
func TestAccExamples_function(t *testing.T) {
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				ConfigDirectory: config.StaticDirectory("../../examples/functions/fingerprint"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("deployer_fingerprint", knownvalue.StringExact(recordedFingerprint)),
				},
			},
		},
	})
}

// A key and the fingerprint a real Nova computed for it
// (nova-keypairs-reference.md, "import ed25519 @2.2").
const (
	recordedKey         = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct probe-ed25519"
	recordedFingerprint = "70:82:84:6d:6d:6d:1d:6e:ac:33:55:0f:e9:21:11:da"
)
