package provider_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
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
					statecheck.ExpectKnownValue("nova_keypair.deployer", tfjsonpath.New("fingerprint"),
						knownvalue.StringExact("70:82:84:6d:6d:6d:1d:6e:ac:33:55:0f:e9:21:11:da")),
					statecheck.ExpectKnownOutputValue("deployer_fingerprint",
						knownvalue.StringExact("70:82:84:6d:6d:6d:1d:6e:ac:33:55:0f:e9:21:11:da")),
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
