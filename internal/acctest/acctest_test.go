package acctest_test

import (
	"testing"

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
