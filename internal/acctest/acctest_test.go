package acctest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
)

// TestCloudHelpersSkipWithoutTFAcc: without TF_ACC, every helper that
// reaches the cloud skips the test (as resource.Test does) instead of
// failing it or making a request, even with a cloud named in the
// environment. Tests call them while building their TestCase.
func TestCloudHelpersSkipWithoutTFAcc(t *testing.T) {
	t.Setenv("TF_ACC", "")
	t.Setenv("OS_CLOUD", "no-such-cloud")
	t.Setenv("OS_CLIENT_CONFIG_FILE", "/nonexistent/clouds.yaml")
	helpers := map[string]func(*testing.T){
		"PreCheck":       acctest.PreCheck,
		"UserID":         func(t *testing.T) { acctest.UserID(t, acctest.AdminCloud) },
		"AdminAuth":      func(t *testing.T) { acctest.AdminAuth(t) },
		"NewToken":       func(t *testing.T) { acctest.NewToken(t) },
		"ComputeBaseURL": func(t *testing.T) { acctest.ComputeBaseURL(t) },
		"NewUser":        func(t *testing.T) { acctest.NewUser(t) },
		"FillKeypairs":   func(t *testing.T) { acctest.FillKeypairs(t, "", "", "x", 1) },
	}
	for name, helper := range helpers {
		var skipped bool
		t.Run(name, func(t *testing.T) {
			defer func() { skipped = t.Skipped() }()
			helper(t)
		})
		if !skipped {
			t.Errorf("%s did not skip without TF_ACC", name)
		}
	}
}

// TestCapability: a capability's gate asks the CLI what it is, because
// OpenTofu reports Terraform-style version numbers.
func TestCapability(t *testing.T) {
	terraformOnly := acctest.Capability{Name: "list resources", Terraform: "1.14.0"}
	for _, tc := range []struct {
		printed    string // first line of `version`
		version    string // what plugin-testing read
		capability acctest.Capability
		skip       string // "" to run
	}{
		{"Terraform v1.15.0", "1.15.0", acctest.ProviderFunctions, ""},
		{"Terraform v1.5.7", "1.5.7", acctest.ProviderFunctions, "Terraform v1.5.7: provider functions need Terraform 1.8.0 or later"},
		{"OpenTofu v1.10.10", "1.10.10", acctest.ProviderFunctions, ""},
		{"OpenTofu v1.6.2", "1.6.2", acctest.ProviderFunctions, "OpenTofu v1.6.2: provider functions need OpenTofu 1.7.0 or later"},
		{"Terraform v1.15.0", "1.15.0", terraformOnly, ""},
		{"OpenTofu v1.15.0", "1.15.0", terraformOnly, "OpenTofu v1.15.0: list resources are a Terraform-only capability"},
	} {
		cli := filepath.Join(t.TempDir(), "cli")
		if err := os.WriteFile(cli, []byte("#!/bin/sh\necho '"+tc.printed+"'\necho 'on linux_amd64'\n"), 0o700); err != nil {
			t.Fatal(err)
		}
		t.Setenv("TF_ACC_TERRAFORM_PATH", cli)
		var resp tfversion.CheckTerraformVersionResponse
		tc.capability.CheckTerraformVersion(t.Context(), tfversion.CheckTerraformVersionRequest{TerraformVersion: version.Must(version.NewVersion(tc.version))}, &resp)
		if resp.Error != nil || resp.Skip != tc.skip {
			t.Errorf("%s, %s: skip %q, error %v; want skip %q", tc.printed, tc.capability.Name, resp.Skip, resp.Error, tc.skip)
		}
	}
}
