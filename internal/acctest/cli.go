package acctest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Capabilities of the CLIs that tests need, with the first Terraform and
// OpenTofu versions that have them ("" for OpenTofu: it has none yet).
// The README's support table lists the same.
var (
	ProviderFunctions = Capability{Name: "provider functions", Terraform: "1.8.0", OpenTofu: "1.7.0"}
	ImportBlocks      = Capability{Name: "import blocks", Terraform: "1.5.0", OpenTofu: "1.6.0"} // OpenTofu's first release has them
	ResourceIdentity  = Capability{Name: "resource identities", Terraform: "1.12.0", OpenTofu: "1.12.0"}
	MovedAcrossTypes  = Capability{Name: "moved blocks across resource types", Terraform: "1.8.0", OpenTofu: "1.10.0"}
	ListResources     = Capability{Name: "list resources (terraform query)", Terraform: "1.14.0"} // not in OpenTofu
	// WriteOnlyArguments come with ephemeral values (Terraform 1.10,
	// OpenTofu 1.11), so a test that has them has both.
	WriteOnlyArguments = Capability{Name: "write-only arguments", Terraform: "1.11.0", OpenTofu: "1.11.0"}
)

// Capability is something a Terraform or OpenTofu CLI offers providers
// from some version on.
type Capability struct {
	Name      string
	Terraform string
	// OpenTofu is the first OpenTofu version with the capability; "" when
	// OpenTofu has none (a Terraform-only capability such as terraform
	// query).
	OpenTofu string
}

var _ tfversion.TerraformVersionCheck = Capability{}

// CheckTerraformVersion skips the test, saying why, on a CLI without the
// capability. OpenTofu reports a Terraform-style version number, so the
// CLI at TF_ACC_TERRAFORM_PATH is asked what it is first; plugin-testing's
// own tfversion checks cannot tell OpenTofu 1.10 from Terraform 1.10.
func (c Capability) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	name, err := CLIName(os.Getenv("TF_ACC_TERRAFORM_PATH"))
	if err != nil {
		resp.Error = err
		return
	}
	cli, minimum := "Terraform", c.Terraform
	if strings.HasPrefix(name, "tofu-") {
		cli, minimum = "OpenTofu", c.OpenTofu
	}
	if minimum == "" {
		resp.Skip = fmt.Sprintf("%s v%s: %s are a Terraform-only capability", cli, req.TerraformVersion, c.Name)
		return
	}
	if req.TerraformVersion.LessThan(version.Must(version.NewVersion(minimum))) {
		resp.Skip = fmt.Sprintf("%s v%s: %s need %s %s or later", cli, req.TerraformVersion, c.Name, cli, minimum)
	}
}

// In reports whether the CLI at TF_ACC_TERRAFORM_PATH has the capability,
// for a test that checks what a CLI without it does instead of skipping.
func (c Capability) In(t testing.TB) bool {
	t.Helper()
	name, err := CLIName(os.Getenv("TF_ACC_TERRAFORM_PATH"))
	if err != nil {
		t.Fatal(err)
	}
	cli, v, _ := strings.Cut(name, "-")
	minimum := c.Terraform
	if cli == "tofu" {
		minimum = c.OpenTofu
	}
	return minimum != "" && !version.Must(version.NewVersion(v)).LessThan(version.Must(version.NewVersion(minimum)))
}

// CLIName is what the CLI at path is, as the test matrix names it:
// "terraform-1.15.0" or "tofu-1.12.6". It asks the CLI (`version`).
func CLIName(path string) (string, error) {
	if path == "" {
		return "", fmt.Errorf("TF_ACC_TERRAFORM_PATH is not set; make test sets it")
	}
	cmd := exec.Command(path, "version")
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null", "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s version: %w", path, err)
	}
	m := cliVersion.FindStringSubmatch(strings.TrimSpace(string(out)))
	if m == nil {
		return "", fmt.Errorf("%s version printed %q", path, out)
	}
	if m[1] == "OpenTofu" {
		return "tofu-" + m[2], nil
	}
	return "terraform-" + m[2], nil
}

var cliVersion = regexp.MustCompile(`^(Terraform|OpenTofu) v(\S+)`)
