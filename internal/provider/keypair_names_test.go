package provider_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
)

// TestAccKeypair_oddNames: a handful of names Nova accepts at 2.92 that a
// URL could alter (the dot segments, '@' and '.', an inner space, 255
// characters) go through the resource's whole life: create, a refresh
// with no change, import by name with the same state, and destroy.
// (acctest.KeypairNames goes through the nova layer in TestAccNames_catalogue.)
func TestAccKeypair_oddNames(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	names := []string{".", "..", "...", "a b@c.d", "@", "." + strings.Repeat("x", 253) + "."}
	publicKey := ed25519PublicKey(t)
	var blocks strings.Builder
	for i, name := range names {
		fmt.Fprintf(&blocks, "\nresource \"nova_keypair\" \"n%d\" {\n  name       = %q\n  public_key = %q\n}\n", i, name, publicKey)
	}
	config := acctest.ProviderBlock() + blocks.String()
	steps := []resource.TestStep{{
		Config: config,
		ConfigStateChecks: func() []statecheck.StateCheck {
			var checks []statecheck.StateCheck
			for i, name := range names {
				checks = append(checks, statecheck.ExpectKnownValue(fmt.Sprintf("nova_keypair.n%d", i), tfjsonpath.New("id"), knownvalue.StringExact(name)))
			}
			return checks
		}(),
		Check: func(s *terraform.State) error {
			for i := range names {
				if err := checkKeypairExists("", fmt.Sprintf("nova_keypair.n%d", i))(s); err != nil {
					return err
				}
			}
			return nil
		},
	}, {
		// The refresh finds every keypair: nothing to do.
		Config:           config,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
	}}
	for i, name := range names {
		steps = append(steps, resource.TestStep{
			Config:            config,
			ResourceName:      fmt.Sprintf("nova_keypair.n%d", i),
			ImportState:       true,
			ImportStateId:     name,
			ImportStateVerify: true,
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps:                    steps,
	})
}

// TestAccKeypair_namesAt291: with max_microversion = "2.91", the plan
// refuses exactly the names of acctest.KeypairNames that Nova refuses at
// 2.91 (asked with a raw request for each), and takes every other. One
// `terraform plan -json` of one resource per name, through the real CLI;
// each error is matched to its name by the line it points at.
func TestAccKeypair_namesAt291(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheck(t)
	u := acctest.NewUser(t)
	publicKey := ed25519PublicKey(t)
	names := acctest.KeypairNames()

	tf := newTerraformCLI(t)
	var main strings.Builder
	main.WriteString("terraform {\n  required_providers {\n    nova = { source = \"terraform-provider-nova/nova\" }\n  }\n}\n\nprovider \"nova\" {\n  max_microversion = \"2.91\"\n}\n")
	lineOf := map[int]string{} // line of each name = ... to the name
	line := strings.Count(main.String(), "\n")
	for i, name := range names {
		fmt.Fprintf(&main, "\nresource \"nova_keypair\" \"n%d\" {\n  name       = %q\n  public_key = %q\n}\n", i, name, publicKey)
		lineOf[line+3] = name
		line += 5
	}
	if err := os.WriteFile(filepath.Join(tf.dir, "main.tf"), []byte(main.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out := tf.runAllowingFailure("plan", "-json", "-input=false")

	refusedAtPlan := map[string]bool{}
	scanner := bufio.NewScanner(strings.NewReader(out))
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		var msg struct {
			Type       string `json:"type"`
			Diagnostic struct {
				Severity, Summary, Detail string
				Range                     *struct {
					Start struct{ Line int } `json:"start"`
				} `json:"range"`
			} `json:"diagnostic"`
		}
		if json.Unmarshal(scanner.Bytes(), &msg) != nil || msg.Type != "diagnostic" || msg.Diagnostic.Severity != "error" {
			continue
		}
		name, ok := "", msg.Diagnostic.Range != nil
		if ok {
			name, ok = lineOf[msg.Diagnostic.Range.Start.Line]
		}
		if !ok || msg.Diagnostic.Summary != "Above the provider's max_microversion" {
			t.Errorf("an error not on a name: %s: %s", msg.Diagnostic.Summary, msg.Diagnostic.Detail)
			continue
		}
		refusedAtPlan[name] = true
	}
	var refused int
	accepted := acctest.NovaAcceptsNames(t, u.ID, "2.91", publicKey, names)
	for _, name := range names {
		acceptedByNova := accepted[name]
		if acceptedByNova == refusedAtPlan[name] {
			t.Errorf("%q: Nova at 2.91 accepts it: %v; the plan refuses it: %v", name, acceptedByNova, refusedAtPlan[name])
		}
		if !acceptedByNova {
			refused++
		}
	}
	t.Logf("%d names: Nova at 2.91 and the plan both refuse %d, both take %d", len(names), refused, len(names)-refused)
	if held, err := novaKeypairs(""); err == nil {
		for _, name := range names {
			if _, ok := held[name]; ok {
				t.Errorf("the plan created %q", name)
			}
		}
	}
}
