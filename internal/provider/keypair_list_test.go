package provider_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

// TestAccKeypairList_query: `terraform query` lists the keypairs made out
// of band, the admin's own and another user's, with their identities.
func TestAccKeypairList_query(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheckDemoCloud(t)
	prefix := acctest.RandomName()
	publicKey, _ := sshKeygen(t, "ed25519")
	demoID := acctest.UserID(t, acctest.DemoCloud)
	for i := range 3 {
		preCreate(t, nova.CreateKeypairOpts{Name: fmt.Sprintf("%s-%d", prefix, i), PublicKey: publicKey})
	}
	preCreate(t, nova.CreateKeypairOpts{Name: prefix + "-demo", PublicKey: publicKey, UserID: demoID})

	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ListResources},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			// The query step keeps this step's .tf file, whose terraform block
			// (not allowed in a .tfquery.hcl) names the provider's source.
			{Config: acctest.ProviderBlock()},
			{
				Query: true,
				Config: fmt.Sprintf(`
list "nova_keypair" "mine" {
  provider = nova
  config {
    name_regex = "^%[1]s-[0-9]$"
  }
}

list "nova_keypair" "demo" {
  provider = nova
  config {
    user_id    = %[2]q
    name_regex = "^%[1]s-"
  }
}
`, prefix, demoID),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("nova_keypair.mine", 3),
					querycheck.ExpectIdentity("nova_keypair.mine", map[string]knownvalue.Check{
						"name": knownvalue.StringExact(prefix + "-1"), "user_id": knownvalue.NotNull(), "region": knownvalue.StringExact("RegionOne"),
					}),
					querycheck.ExpectLength("nova_keypair.demo", 1),
					querycheck.ExpectIdentity("nova_keypair.demo", map[string]knownvalue.Check{
						"name": knownvalue.StringExact(prefix + "-demo"), "user_id": knownvalue.StringExact(demoID), "region": knownvalue.StringExact("RegionOne"),
					}),
				},
			},
		},
	})
}

// TestAccKeypairList_generateConfig: the list resource example, run with
// `terraform query -generate-config-out`, writes what `terraform apply`
// needs to adopt 50 keypairs made out of band (10 of them another
// user's); the plan after that shows no change, and destroy removes them.
// The CLI is run directly: plugin-testing has no step for
// -generate-config-out.
func TestAccKeypairList_generateConfig(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheckDemoCloud(t)
	skipWithout(t, acctest.ListResources)
	prefix := acctest.RandomName()
	publicKey, _ := sshKeygen(t, "ed25519")
	demoID := acctest.UserID(t, acctest.DemoCloud)
	for i := range 40 {
		preCreate(t, nova.CreateKeypairOpts{Name: fmt.Sprintf("%s-%02d", prefix, i), PublicKey: publicKey})
	}
	for i := range 10 {
		preCreate(t, nova.CreateKeypairOpts{Name: fmt.Sprintf("%s-demo-%02d", prefix, i), PublicKey: publicKey, UserID: demoID})
	}

	dir := t.TempDir()
	query := example(t, map[string]string{"99f09abef34647e094da0ffded5b0d62": demoID, `"^ci-"`: fmt.Sprintf("%q", "^"+prefix+"-")},
		"list-resources/nova_keypair/list-resource.tfquery.hcl")
	writeFile(t, filepath.Join(dir, "main.tf"), acctest.ProviderBlock())
	writeFile(t, filepath.Join(dir, "keypairs.tfquery.hcl"), query)
	env := append(os.Environ(), "TF_REATTACH_PROVIDERS="+acctest.ServeProvider(t), "TF_IN_AUTOMATION=1")
	tf := func(args ...string) (string, error) {
		cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	mustTF := func(args ...string) string {
		t.Helper()
		out, err := tf(args...)
		if err != nil {
			t.Fatalf("terraform %s: %s\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	mustTF("init", "-no-color")
	mustTF("query", "-no-color", "-generate-config-out=generated.tf")
	generated, err := os.ReadFile(filepath.Join(dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(generated), "\nimport {"); n != 50 && strings.Count(string(generated), "import {") != 50 {
		t.Errorf("generated.tf has %d import blocks, want 50:\n%s", n, generated)
	}
	t.Cleanup(func() { _, _ = tf("destroy", "-auto-approve", "-no-color") })
	out := mustTF("apply", "-auto-approve", "-no-color")
	if !strings.Contains(out, "50 imported, 0 added, 0 changed, 0 destroyed") {
		t.Errorf("apply did not import exactly the 50 keypairs:\n%s", out)
	}
	if out, err := tf("plan", "-detailed-exitcode", "-no-color"); err != nil {
		t.Errorf("the plan after adopting them is not empty (%s):\n%s", err, out)
	}
	out = mustTF("destroy", "-auto-approve", "-no-color")
	if !strings.Contains(out, "50 destroyed") {
		t.Errorf("destroy did not remove the 50 keypairs:\n%s", out)
	}
}

// skipWithout skips t on a CLI without the capability, as a test case's
// TerraformVersionChecks would.
func skipWithout(t *testing.T, c acctest.Capability) {
	t.Helper()
	out, err := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "version", "-json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	resp := &tfversion.CheckTerraformVersionResponse{}
	c.CheckTerraformVersion(t.Context(), tfversion.CheckTerraformVersionRequest{TerraformVersion: version.Must(version.NewVersion(v.Version))}, resp)
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	if resp.Skip != "" {
		t.Skip(resp.Skip)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
