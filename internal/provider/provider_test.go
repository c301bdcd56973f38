package provider_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
)

// TestAccProvider_passwordFromEnvironment configures the provider from the
// OS_* variables alone, as a sourced openrc file does, with no clouds.yaml.
func TestAccProvider_passwordFromEnvironment(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheck(t)
	// The admin user's settings, read from the dev cloud's clouds.yaml.
	ao, eo, _, err := clouds.Parse(clouds.WithCloudName(acctest.AdminCloud))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("OS_CLOUD", "")
	t.Setenv("OS_AUTH_URL", ao.IdentityEndpoint)
	t.Setenv("OS_USERNAME", ao.Username)
	t.Setenv("OS_PASSWORD", ao.Password)
	t.Setenv("OS_PROJECT_NAME", ao.TenantName)
	t.Setenv("OS_USER_DOMAIN_NAME", "Default")
	t.Setenv("OS_PROJECT_DOMAIN_NAME", "Default")
	t.Setenv("OS_REGION_NAME", eo.Region)
	name := acctest.RandomName()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(acctest.AdminCloud),
		Steps: []resource.TestStep{
			{
				Config: testAccKeypairConfigGenerated(name),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keypairAddr, tfjsonpath.New("region"), knownvalue.StringExact(eo.Region)),
				},
				Check: checkKeypairExists(acctest.AdminCloud, keypairAddr),
			},
		},
	})
}

// TestAccProvider_wrongPassword: Keystone's 401 becomes one diagnostic that
// names the settings to check and the URL tried; the password is not shown.
func TestAccProvider_wrongPassword(t *testing.T) {
	const wrong = "not-the-password-0123456789"
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderBlock(fmt.Sprintf("  cloud = %q\n  password = %q", acctest.AdminCloud, wrong)) + `
resource "nova_keypair" "test" {
  name = "never-created"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Unable to authenticate with OpenStack.*authenticating at\s+https?://\S+/v3\s+as\s+user.*Keystone\s+rejected\s+the\s+credentials.*` + "`password`" + `.*requires\s+authentication`),
			},
		},
	})
}

// TestAccProvider_missingSettings: with nothing configured anywhere, the
// error names the settings and their variables, before any request.
func TestAccProvider_missingSettings(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	for _, v := range []string{"OS_CLOUD", "OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME", "OS_TENANT_NAME"} {
		t.Setenv(v, "")
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccKeypairConfigGenerated("never-created"),
				ExpectError: regexp.MustCompile(`(?s)Incomplete provider configuration.*` +
					"`auth_url`" + `.*OS_AUTH_URL.*` + "`user_name`" + `.*OS_USERNAME`),
			},
		},
	})
}

// clearCloudEnv makes the provider see none of the dev cloud's settings
// from the environment, so that a test's provider block is all it has.
func clearCloudEnv(t *testing.T) {
	t.Helper()
	for _, v := range []string{"OS_CLOUD", "OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME", "OS_TENANT_NAME", "OS_TOKEN"} {
		t.Setenv(v, "")
	}
}

// TestAccProvider_token authenticates with an existing Keystone token.
func TestAccProvider_token(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheck(t)
	ao, _ := acctest.AdminAuth(t)
	token := acctest.NewToken(t)
	clearCloudEnv(t)
	name := acctest.RandomName()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(acctest.AdminCloud),
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderBlock(fmt.Sprintf("  auth_url = %q\n  token = %q\n  tenant_name = %q", ao.IdentityEndpoint, token, ao.TenantName)) +
					fmt.Sprintf("resource \"nova_keypair\" \"test\" {\n  name = %q\n}\n", name),
				Check: checkKeypairExists(acctest.AdminCloud, keypairAddr),
			},
		},
	})
}

// TestAccProvider_applicationCredential authenticates with an application
// credential created for the test.
func TestAccProvider_applicationCredential(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheck(t)
	ao, _ := acctest.AdminAuth(t)
	id, secret := acctest.NewApplicationCredential(t)
	clearCloudEnv(t)
	name := acctest.RandomName()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(acctest.AdminCloud),
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderBlock(fmt.Sprintf("  auth_url = %q\n  application_credential_id = %q\n  application_credential_secret = %q", ao.IdentityEndpoint, id, secret)) +
					fmt.Sprintf("resource \"nova_keypair\" \"test\" {\n  name = %q\n}\n", name),
				// The keypair belongs to the credential's user: the admin.
				Check: checkKeypairExists(acctest.AdminCloud, keypairAddr),
			},
		},
	})
}

// TestAccProvider_unknownRegion: a region the catalog lacks is one error
// that names the region and the settings to fix.
func TestAccProvider_unknownRegion(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderBlock(`  region = "Atlantis"`) + "resource \"nova_keypair\" \"test\" {\n  name = \"never-created\"\n}\n",
				ExpectError: regexp.MustCompile(`(?s)No compute endpoint.*region\s+"Atlantis".*interface\s+"public".*` +
					"`region`" + `.*OS_REGION_NAME.*` + "`endpoint_overrides"),
			},
		},
	})
}

// TestAccProvider_legacyEndpoints manages a keypair through the legacy
// endpoint shapes old clouds have in their catalogs, /v2/{project_id} and
// /v1.1/{project_id}: no microversions, so 2.1 behaviour. Generation works
// there too.
func TestAccProvider_legacyEndpoints(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	for _, shape := range []string{"/v2/%(project_id)s", "/v1.1/$(project_id)s"} {
		t.Run(strings.SplitN(shape, "/", 3)[1], func(t *testing.T) {
			acctest.PreCheck(t)
			base := acctest.ComputeBaseURL(t)
			name := acctest.RandomName()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				CheckDestroy:             acctest.CheckKeypairDestroyed(""),
				Steps: []resource.TestStep{
					{
						Config: acctest.ProviderBlock(fmt.Sprintf("  endpoint_overrides = {\n    compute = %q\n  }", base+shape)) +
							fmt.Sprintf("resource \"nova_keypair\" \"test\" {\n  name = %q\n}\n", name),
						Check: resource.ComposeAggregateTestCheckFunc(
							checkKeypairExists("", keypairAddr),
							checkGeneratedKeyPair(t, keypairAddr),
						),
					},
					{
						ResourceName:            keypairAddr,
						ImportState:             true,
						ImportStateId:           name,
						ImportStateVerify:       true,
						ImportStateVerifyIgnore: []string{"private_key", "key_algorithm"},
					},
				},
			})
		})
	}
}

// TestAccProvider_traceLogHasNoSecrets runs real applies at TF_LOG=TRACE,
// one authenticating with a password and generating a key, one with a
// token, and proves that the log (Terraform CLI and provider) shows the
// API requests but neither the password, the token nor the private key.
func TestAccProvider_traceLogHasNoSecrets(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheck(t)
	ao, eo := acctest.AdminAuth(t)
	token := acctest.NewToken(t)
	logFile := filepath.Join(t.TempDir(), "trace.log")
	if p := os.Getenv("NOVA_TEST_KEEP_TRACE"); p != "" {
		logFile = p
	}
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	t.Setenv("TF_LOG_CORE", "")
	t.Setenv("TF_LOG_PROVIDER", "")
	clearCloudEnv(t)
	// Secrets reach Terraform as users pass them, through sensitive
	// variables set in the environment (a literal in the test's
	// configuration would be logged by the test harness itself).
	t.Setenv("TF_VAR_password", ao.Password)
	t.Setenv("TF_VAR_token", token)
	name := acctest.RandomName()
	var privateKey string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(acctest.AdminCloud),
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderBlock(fmt.Sprintf("  auth_url = %q\n  user_name = %q\n  password = var.password\n  tenant_name = %q\n  region = %q",
					ao.IdentityEndpoint, ao.Username, ao.TenantName, eo.Region)) + secretVariables +
					fmt.Sprintf("resource \"nova_keypair\" \"test\" {\n  name = %q\n}\n", name),
				Check: func(s *terraform.State) error {
					privateKey = s.RootModule().Resources[keypairAddr].Primary.Attributes["private_key"]
					if privateKey == "" {
						return fmt.Errorf("no private key was generated")
					}
					return nil
				},
			},
			{
				Config: acctest.ProviderBlock(fmt.Sprintf("  auth_url = %q\n  token = var.token\n  tenant_name = %q", ao.IdentityEndpoint, ao.TenantName)) + secretVariables +
					fmt.Sprintf("resource \"nova_keypair\" \"test\" {\n  name = %q\n}\n", name),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})

	raw, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	log := string(raw)
	// The log is real: Terraform's and the provider's TRACE output, with
	// every API request.
	for _, want := range []string{"[TRACE]", "OpenStack API request", "OpenStack API exchange", "/os-keypairs", "/auth/tokens", "status=201"} {
		if !strings.Contains(log, want) {
			t.Errorf("the TRACE log (%d bytes) does not contain %q", len(log), want)
		}
	}
	pemBody := strings.Split(strings.TrimSpace(privateKey), "\n")[1] // first base64 line of the key
	for what, secret := range map[string]string{
		"the password":                     ao.Password,
		"the token":                        token,
		"the private key":                  privateKey,
		"a line of the private key":        pemBody,
		"the private key with escaped \\n": strings.ReplaceAll(privateKey, "\n", `\n`),
	} {
		if secret == "" {
			t.Fatalf("%s is empty: the test would prove nothing", what)
		}
		if strings.Contains(log, secret) {
			t.Errorf("the TRACE log contains %s", what)
		}
	}
	if strings.Contains(log, "PRIVATE KEY-----") {
		t.Error("the TRACE log contains a PEM private key")
	}
}

const secretVariables = `
variable "password" {
  type      = string
  sensitive = true
}

variable "token" {
  type      = string
  sensitive = true
}
`

// TestAccProvider_unreachableAuthURL: nothing listens at auth_url. One
// error names the setting and the URL tried.
func TestAccProvider_unreachableAuthURL(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	clearCloudEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderBlock(`  auth_url = "http://127.0.0.1:9/v3"
  user_name = "someone"
  password = "irrelevant"
  tenant_name = "some-project"
  max_retries = 1`) + "resource \"nova_keypair\" \"test\" {\n  name = \"never-created\"\n}\n",
				ExpectError: regexp.MustCompile(`(?s)Unable to authenticate with OpenStack.*http://127\.0\.0\.1:9/v3.*check\s+` + "`auth_url`" + `.*connection\s+refused`),
			},
		},
	})
}

// TestAccProvider_unknownProject: Keystone refuses a project that does not
// exist; the error names the project settings.
func TestAccProvider_unknownProject(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderBlock(fmt.Sprintf("  cloud = %q\n  tenant_name = \"no-such-project\"", acctest.AdminCloud)) +
					"resource \"nova_keypair\" \"test\" {\n  name = \"never-created\"\n}\n",
				ExpectError: regexp.MustCompile(`(?s)Unable to authenticate with OpenStack.*in\s+project\s+"no-such-project".*` + "`tenant_name`"),
			},
		},
	})
}

// TestAccProvider_configUnknownAtPlan: a provider whose settings come from
// another resource is unknown while planning; plan and apply still work.
func TestAccProvider_configUnknownAtPlan(t *testing.T) {
	first, second := acctest.RandomName(), acctest.RandomName()
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderBlock() + fmt.Sprintf(`
resource "nova_keypair" "first" {
  name = %q
}

provider "nova" {
  alias  = "later"
  region = nova_keypair.first.region
}

resource "nova_keypair" "second" {
  provider = nova.later
  name     = %q
}
`, first, second),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkKeypairExists("", "nova_keypair.first"),
					checkKeypairExists("", "nova_keypair.second"),
				),
			},
		},
	})
}

// TestAccProvider_endpointType: the dev cloud's catalog has public and
// internal compute endpoints but no admin one.
func TestAccProvider_endpointType(t *testing.T) {
	name := acctest.RandomName()
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config:      acctest.ProviderBlock(`  endpoint_type = "admin"`) + "resource \"nova_keypair\" \"test\" {\n  name = \"never-created\"\n}\n",
				ExpectError: regexp.MustCompile(`(?s)No compute endpoint.*interface\s+"admin".*` + "`endpoint_type`"),
			},
			{
				Config: acctest.ProviderBlock(`  endpoint_type = "internal"`) + fmt.Sprintf("resource \"nova_keypair\" \"test\" {\n  name = %q\n}\n", name),
				Check:  checkKeypairExists("", keypairAddr),
			},
		},
	})
}
