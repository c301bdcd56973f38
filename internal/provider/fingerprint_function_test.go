package provider_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/provider"
)

// TestAccFingerprintFunction: provider::nova::fingerprint(file(...))
// equals the fingerprint Nova computed, for rsa, ecdsa, ed25519 and x509
// keys registered from the same files.
func TestAccFingerprintFunction(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	dir := t.TempDir()
	files := map[string]string{}
	for _, kt := range []string{"rsa", "ecdsa", "ed25519"} {
		pub, _ := sshKeygen(t, kt)
		files[kt] = filepath.Join(dir, kt+".pub")
		if err := os.WriteFile(files[kt], []byte(pub+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	files["x509"] = filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(files["x509"], []byte(provider.SelfSignedCertificate(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	prefix := acctest.RandomName()

	config := acctest.ProviderBlock()
	var checks []statecheck.StateCheck
	for kt, file := range files {
		typ := "ssh"
		if kt == "x509" {
			typ = "x509"
		}
		config += fmt.Sprintf(`
resource "nova_keypair" %[1]q {
  name       = "%[2]s-%[1]s"
  type       = %[3]q
  public_key = file(%[4]q)

  lifecycle {
    postcondition {
      condition     = provider::nova::fingerprint(self.public_key) == self.fingerprint
      error_message = "Nova registered another key than the configuration's."
    }
  }
}

output "%[1]s_matches" {
  value = provider::nova::fingerprint(file(%[4]q)) == nova_keypair.%[1]s.fingerprint
}
`, kt, prefix, typ, file)
		checks = append(checks, statecheck.ExpectKnownOutputValue(kt+"_matches", knownvalue.Bool(true)))
	}

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ProviderFunctions},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: checks,
			},
		},
	})
}

// TestAccFingerprintFunction_invalid: input Nova could not fingerprint is
// a function error that says why.
func TestAccFingerprintFunction_invalid(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ProviderFunctions},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      acctest.ProviderBlock() + "output \"fp\" {\n  value = provider::nova::fingerprint(\"ssh-rsa not-base64 x\")\n}\n",
				ExpectError: diagnostic("public_key is not a key Nova can fingerprint", "not an OpenSSH public key line"),
			},
			{
				Config:      acctest.ProviderBlock() + "output \"fp\" {\n  value = provider::nova::fingerprint(\"-----BEGIN OPENSSH PRIVATE KEY-----\\nAAAA\\n-----END OPENSSH PRIVATE KEY-----\\n\")\n}\n",
				ExpectError: diagnostic("public_key is not a key Nova can fingerprint", "this is a private key"),
			},
		},
	})
}
