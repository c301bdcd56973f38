package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

// The examples are applied and destroyed as they are, so none can rot.
// Where an example names something of the reader's (another user's ID, a
// cloud in clouds.yaml), the test puts the dev cloud's in its place.

// example reads example files (relative to examples/), joined, with each
// replacement made and required to apply.
func example(t *testing.T, replacements map[string]string, files ...string) string {
	t.Helper()
	var sb strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", f))
		if err != nil {
			t.Fatal(err)
		}
		sb.Write(b)
		sb.WriteString("\n")
	}
	out := sb.String()
	for from, to := range replacements {
		if !strings.Contains(out, from) {
			t.Fatalf("the examples %v no longer contain %q", files, from)
		}
		out = strings.ReplaceAll(out, from, to)
	}
	return out
}

func examplePath(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "examples", rel))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// preCreate registers a keypair outside Terraform, as the cloud had it
// before, and removes it when the test ends if Terraform did not.
func preCreate(t *testing.T, opts nova.CreateKeypairOpts) {
	t.Helper()
	c, err := acctest.Client("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateKeypair(context.Background(), "", opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.DeleteKeypair(context.Background(), "", opts.Name, opts.UserID) })
}

// TestAccExamples_resourceKeypair applies every nova_keypair example
// together: the keypairs of resource.tf and resource-other-user.tf exist
// already and are adopted by import-by-string-id.tf (no change), the
// generated and the x509 ones are created.
func TestAccExamples_resourceKeypair(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheckDemoCloud(t)
	demoID := acctest.UserID(t, acctest.DemoCloud)
	const exampleUser = "99f09abef34647e094da0ffded5b0d62"
	deployerKey := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct deployer@example.com"
	preCreate(t, nova.CreateKeypairOpts{Name: "example-deployer", PublicKey: deployerKey})
	preCreate(t, nova.CreateKeypairOpts{Name: "example-alice-laptop", UserID: demoID,
		PublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct alice@laptop"})
	certFile := examplePath(t, "resources/nova_keypair/deployer-cert.pem")
	certFingerprint := strings.ToLower(strings.TrimSpace(strings.SplitN(run(t, "openssl", "x509", "-noout", "-fingerprint", "-sha1", "-in", certFile), "=", 2)[1]))

	config := example(t, map[string]string{
		exampleUser: demoID,
		`file("${path.module}/deployer-cert.pem")`: fmt.Sprintf("file(%q)", certFile),
	}, "resources/nova_keypair/providers.tf", "resources/nova_keypair/resource.tf", "resources/nova_keypair/resource-other-user.tf",
		"resources/nova_keypair/resource-x509.tf", "resources/nova_keypair/import-by-string-id.tf")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("nova_keypair.deployer", plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction("nova_keypair.alice", plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction("nova_keypair.generated", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("nova_keypair.certificate", plancheck.ResourceActionCreate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("nova_keypair.deployer", tfjsonpath.New("fingerprint"), knownvalue.StringExact(recordedFingerprint)),
					statecheck.ExpectKnownOutputValue("deployer_fingerprint", knownvalue.StringExact(recordedFingerprint)),
					statecheck.ExpectKnownValue("nova_keypair.alice", tfjsonpath.New("id"), knownvalue.StringExact(demoID+"/example-alice-laptop")),
					statecheck.ExpectSensitiveValue("nova_keypair.generated", tfjsonpath.New("private_key")),
					statecheck.ExpectKnownValue("nova_keypair.certificate", tfjsonpath.New("fingerprint"), knownvalue.StringExact(certFingerprint)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkKeypairExists("", "nova_keypair.generated"),
					checkKeypairExists("", "nova_keypair.certificate"),
					checkOwnKeypair(acctest.DemoCloud, "example-alice-laptop", true),
				),
			},
		},
	})
}

// TestAccExamples_importByIdentity adopts the keypairs of resource.tf and
// resource-other-user.tf with import-by-identity.tf: no change planned.
func TestAccExamples_importByIdentity(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheckDemoCloud(t)
	demoID := acctest.UserID(t, acctest.DemoCloud)
	preCreate(t, nova.CreateKeypairOpts{Name: "example-deployer",
		PublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct deployer@example.com"})
	preCreate(t, nova.CreateKeypairOpts{Name: "example-alice-laptop", UserID: demoID,
		PublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct alice@laptop"})
	config := example(t, map[string]string{"99f09abef34647e094da0ffded5b0d62": demoID},
		"resources/nova_keypair/providers.tf", "resources/nova_keypair/resource.tf", "resources/nova_keypair/resource-other-user.tf",
		"resources/nova_keypair/import-by-identity.tf")

	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ResourceIdentity},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("nova_keypair.deployer", plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction("nova_keypair.alice", plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("nova_keypair.alice", tfjsonpath.New("id"), knownvalue.StringExact(demoID+"/example-alice-laptop")),
					statecheck.ExpectIdentity("nova_keypair.alice", map[string]knownvalue.Check{
						"name": knownvalue.StringExact("example-alice-laptop"), "user_id": knownvalue.StringExact(demoID), "region": knownvalue.StringExact("RegionOne"),
					}),
				},
			},
		},
	})
}

// TestAccExamples_provider applies the provider example with the dev
// cloud in place of "mycloud"; its other provider blocks, unused, are not
// configured.
func TestAccExamples_provider(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	cfg := example(t, map[string]string{`cloud = "mycloud"`: fmt.Sprintf("cloud = %q", acctest.AdminCloud)},
		"resources/nova_keypair/providers.tf", "provider/provider.tf") +
		fmt.Sprintf("resource \"nova_keypair\" \"test\" {\n  name = %q\n  key_algorithm = \"ed25519\"\n}\n", acctest.RandomName())
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigVariables: config.Variables{
					"openstack_password":            config.StringVariable("unused"),
					"application_credential_secret": config.StringVariable("unused"),
				},
				Check: checkKeypairExists("", keypairAddr),
			},
		},
	})
}

// TestAccExamples_team applies the module example: a team's keys from a
// map, and their fingerprints out. plugin-testing does not support child
// modules, so this test drives the Terraform CLI itself, as a user would,
// with the provider built from this tree through dev_overrides.
func TestAccExamples_team(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheck(t)
	main := example(t, map[string]string{`"./modules/team_keys"`: fmt.Sprintf("%q", examplePath(t, "team/modules/team_keys"))}, "team/main.tf")
	bob := regexp.MustCompile(`bob\s+= "([^"]+)"`).FindStringSubmatch(main)[1]
	bobFile := filepath.Join(t.TempDir(), "bob.pub")
	if err := os.WriteFile(bobFile, []byte(bob+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	tf := newTerraformCLI(t)
	if err := os.WriteFile(filepath.Join(tf.dir, "main.tf"), []byte(main), 0o600); err != nil {
		t.Fatal(err)
	}
	tf.run("get") // installs the module; dev_overrides needs no init
	t.Cleanup(func() { tf.run("destroy", "-auto-approve", "-input=false") })
	tf.run("apply", "-auto-approve", "-input=false")

	var outputs struct {
		Fingerprints struct {
			Value map[string]string `json:"value"`
		} `json:"fingerprints"`
	}
	if err := json.Unmarshal([]byte(tf.run("output", "-json")), &outputs); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"alice": recordedFingerprint, "bob": sshKeygenMD5(t, bobFile)}
	if fmt.Sprint(outputs.Fingerprints.Value) != fmt.Sprint(want) {
		t.Errorf("fingerprints output %v, want %v", outputs.Fingerprints.Value, want)
	}
	for _, name := range []string{"example-platform-alice", "example-platform-bob"} {
		if err := checkOwnKeypair(acctest.AdminCloud, name, true)(nil); err != nil {
			t.Error(err)
		}
	}
	if out := tf.run("plan", "-input=false", "-detailed-exitcode"); !strings.Contains(out, "No changes.") {
		t.Errorf("the plan after apply is not empty:\n%s", out)
	}

	tf.run("destroy", "-auto-approve", "-input=false")
	for _, name := range []string{"example-platform-alice", "example-platform-bob"} {
		if err := checkOwnKeypair(acctest.AdminCloud, name, false)(nil); err != nil {
			t.Error(err)
		}
	}
}

// terraformCLI runs the Terraform CLI that the acceptance tests use
// (TF_ACC_TERRAFORM_PATH) in a directory of its own, with this tree's
// provider through dev_overrides.
type terraformCLI struct {
	t   *testing.T
	dir string
	env []string
}

var (
	providerBuild    sync.Once
	providerBuildDir string
	providerBuildErr error
)

// TestMain removes the provider binary the example tests built, shared by
// every test of this binary, once they have all run.
func TestMain(m *testing.M) {
	code := m.Run()
	if providerBuildDir != "" {
		_ = os.RemoveAll(providerBuildDir)
	}
	os.Exit(code)
}

func newTerraformCLI(t *testing.T) *terraformCLI {
	t.Helper()
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set; make test sets it")
	}
	providerBuild.Do(func() {
		// Shared by every test of this binary, so not a t.TempDir().
		providerBuildDir, providerBuildErr = os.MkdirTemp("", "terraform-provider-nova-build") //nolint:usetesting
		if providerBuildErr == nil {
			out, err := exec.Command("go", "build", "-o", filepath.Join(providerBuildDir, "terraform-provider-nova"), "../..").CombinedOutput()
			if err != nil {
				providerBuildErr = fmt.Errorf("go build: %v: %s", err, out)
			}
		}
	})
	if providerBuildErr != nil {
		t.Fatal(providerBuildErr)
	}
	dir := t.TempDir()
	rc := filepath.Join(dir, ".terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("disable_checkpoint = true\nprovider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		"terraform-provider-nova/nova", providerBuildDir)), 0o600); err != nil {
		t.Fatal(err)
	}
	return &terraformCLI{t: t, dir: dir, env: append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")}
}

// runAllowingFailure is run for a command expected to fail (a plan with
// errors): it returns the output whatever the exit status.
func (tf *terraformCLI) runAllowingFailure(args ...string) string {
	tf.t.Helper()
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), append([]string{"-chdir=" + tf.dir}, args...)...)
	cmd.Env = tf.env
	out, _ := cmd.CombinedOutput()
	return string(out)
}

func (tf *terraformCLI) run(args ...string) string {
	tf.t.Helper()
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), append([]string{"-chdir=" + tf.dir}, args...)...)
	cmd.Env = tf.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		tf.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestAccExamples_migrate: a keypair made before (by
// openstack_compute_keypair_v2, say) is adopted by the migration example
// with no change, and destroyed with it.
func TestAccExamples_migrate(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheck(t)
	preCreate(t, nova.CreateKeypairOpts{Name: "example-migrated-deployer",
		PublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct deployer@example.com"})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				ConfigDirectory: config.StaticDirectory("../../examples/migrate"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("nova_keypair.deployer", plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("nova_keypair.deployer", tfjsonpath.New("fingerprint"), knownvalue.StringExact(recordedFingerprint)),
				},
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
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ProviderFunctions},
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
// (internal/nova/novatest/testdata/nova-26.2.2-keypairs.md, "import ed25519 @2.2").
const (
	recordedKey         = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct probe-ed25519"
	recordedFingerprint = "70:82:84:6d:6d:6d:1d:6e:ac:33:55:0f:e9:21:11:da"
)
