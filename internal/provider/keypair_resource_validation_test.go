package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/provider"
)

// TestAccKeypair_badInput: through the real Terraform CLI, mistakes fail
// the plan with an error that names the attribute, and nothing reaches
// Nova. The whole catalogue (provider.BadInputs) is checked by the unit
// test TestKeypairBadInput; here one entry of each kind: a name, an
// OpenSSH key, an X.509 certificate and a cross-attribute rule.
func TestAccKeypair_badInput(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	representative := map[string]bool{
		"slash":                         true, // keypairNameValidator
		"authorized_keys options":       true, // ValidateConfig, type ssh
		"OpenSSH key as x509":           true, // ValidateConfig, type x509
		"key_algorithm with public_key": true, // ValidateConfig, two attributes
	}
	var steps []resource.TestStep
	for _, bad := range provider.BadInputs(t) {
		if !representative[bad.What] {
			continue
		}
		steps = append(steps, resource.TestStep{
			Config:      acctest.ProviderBlock() + bad.HCL(),
			PlanOnly:    true,
			ExpectError: diagnostic(bad.Message()...),
		})
	}
	if len(steps) != len(representative) {
		t.Fatalf("found %d of the %d representative bad inputs in the catalogue", len(steps), len(representative))
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    steps,
	})
}
