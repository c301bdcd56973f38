package provider_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
)

// What a new user hits in the first hour, against the dev cloud.

// TestAccProvider_tokenOnly: OS_AUTH_URL and OS_TOKEN alone, with a real
// token: the token's own scope is used, with no re-authentication; the
// region comes from the catalog, so the keypair has it and the list data
// source's id names the region and the user.
func TestAccProvider_tokenOnly(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheck(t)
	ao, eo := acctest.AdminAuth(t)
	region := eo.Region
	if region == "" {
		region = "RegionOne"
	}
	adminID := acctest.UserID(t, acctest.AdminCloud)
	token := acctest.NewToken(t)
	clearCloudEnv(t)
	for _, v := range os.Environ() { // no other setting (OS_CLIENT_CONFIG_FILE only tells the test's own checks where clouds.yaml is)
		if name, _, _ := strings.Cut(v, "="); strings.HasPrefix(name, "OS_") && name != "OS_CLIENT_CONFIG_FILE" {
			t.Setenv(name, "")
		}
	}
	t.Setenv("OS_AUTH_URL", ao.IdentityEndpoint)
	t.Setenv("OS_TOKEN", token)
	name := acctest.RandomName()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(acctest.AdminCloud),
		Steps: []resource.TestStep{{
			Config: acctest.ProviderBlock() + fmt.Sprintf(`
resource "nova_keypair" "test" {
  name = %q
}

data "nova_keypairs" "all" {
  depends_on = [nova_keypair.test]
}
`, name),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("region"), knownvalue.StringExact(region)),
				statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("user_id"), knownvalue.StringExact(adminID)),
				statecheck.ExpectKnownValue("data.nova_keypairs.all", tfjsonpath.New("id"), knownvalue.StringExact(region+"/"+adminID)),
			},
			Check: checkKeypairExists(acctest.AdminCloud, keypairAddr),
		}},
	})
}

// TestAccKeypair_whitespace: a public key with whitespace around it, in
// every form (spaces, tabs, CR, LF, in any mix, leading and trailing), is
// created (Nova refuses leading whitespace: the key is sent trimmed),
// plans no change afterwards, and has the fingerprint the function
// computes.
func TestAccKeypair_whitespace(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	key := ed25519PublicKey(t)
	fingerprint, err := keys.FingerprintSSH(key)
	if err != nil {
		t.Fatal(err)
	}
	forms := []string{" ", "\t", "\n", "\r\n", " \t\r\n "}
	prefix := acctest.RandomName()
	var config strings.Builder
	config.WriteString(acctest.ProviderBlock())
	var checks []statecheck.StateCheck
	for i, ws := range forms {
		for j, k := range []string{ws + key, key + ws, ws + key + ws} {
			addr := fmt.Sprintf("nova_keypair.w%d_%d", i, j)
			fmt.Fprintf(&config, "\nresource \"nova_keypair\" \"w%d_%d\" {\n  name       = \"%s-%d-%d\"\n  public_key = %q\n}\n", i, j, prefix, i, j, k)
			fmt.Fprintf(&config, "\noutput \"w%d_%d\" {\n  value = provider::nova::fingerprint(%q) == %s.fingerprint\n}\n", i, j, k, addr)
			checks = append(checks,
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("fingerprint"), knownvalue.StringExact(fingerprint)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("public_key"), knownvalue.StringExact(k)),
				statecheck.ExpectKnownOutputValue(fmt.Sprintf("w%d_%d", i, j), knownvalue.Bool(true)))
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ProviderFunctions},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{Config: config.String(), ConfigStateChecks: checks},
			{Config: config.String(), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// TestAccKeypair_mistypedRegion: a resource's or data source's region the
// catalog has no compute endpoint for fails the plan, on that attribute,
// listing the regions the catalog has; nothing is created.
func TestAccKeypair_mistypedRegion(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	_, eo := acctest.AdminAuth(t)
	region := eo.Region
	if region == "" {
		region = "RegionOne"
	}
	want := regexp.MustCompile(`(?s)No compute endpoint.*region = "` + region + `e".*region\s+"` + region + `e".*compute endpoints in\s+"` + region + `".*Check this\s+` + "`region`")
	var steps []resource.TestStep
	for _, block := range []string{
		fmt.Sprintf("resource \"nova_keypair\" \"test\" {\n  name   = %q\n  region = \"%se\"\n}\n", acctest.RandomName(), region),
		fmt.Sprintf("data \"nova_keypairs\" \"test\" {\n  region = \"%se\"\n}\n", region),
		fmt.Sprintf("data \"nova_keypair\" \"test\" {\n  name   = \"x\"\n  region = \"%se\"\n}\n", region),
	} {
		steps = append(steps, resource.TestStep{Config: acctest.ProviderBlock() + block, PlanOnly: true, ExpectError: want})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    steps,
	})
}
