package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
)

// TestAccKeypair_interrupt: Ctrl-C during an apply never loses a
// keypair. The real CLI applies 50 keypairs (half generated, half
// imported) through the fault proxy with a 200 ms round trip, and gets
// SIGINT (what Ctrl-C sends) once the first POSTs have reached Nova.
// Terraform stops the provider and waits for the creates in flight; then
// the state and a direct list of Nova must name the same keypairs, each
// generated one with the private key of the key Nova holds; and the next
// apply converges with no error.
func TestAccKeypair_interrupt(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheck(t)
	proxy, computeURL := acctest.StartNovaFaultProxy(t, acctest.FaultPlan{Delay: 200 * time.Millisecond})
	prefix := acctest.RandomName()
	t.Cleanup(func() { deleteNovaKeypairs(t, prefix) }) // whatever a failure left

	tf := newTerraformCLI(t)
	main := fmt.Sprintf(`
terraform {
  required_providers {
    nova = { source = "terraform-provider-nova/nova" }
  }
}

provider "nova" {
  endpoint_overrides = { compute = %q }
}

resource "nova_keypair" "k" {
  count         = 50
  name          = "%s-${count.index}"
  key_algorithm = count.index %% 2 == 0 ? "ed25519" : null
  public_key    = count.index %% 2 == 0 ? null : %q
}
`, computeURL, prefix, ed25519PublicKey(t))
	if err := os.WriteFile(filepath.Join(tf.dir, "main.tf"), []byte(main), 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "-chdir="+tf.dir, "apply", "-auto-approve", "-input=false")
	cmd.Env = tf.env
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(2 * time.Minute)
	for proxy.Counts("POST").Forwarded == 0 {
		select {
		case err := <-exited:
			t.Fatalf("terraform apply ended (%v) before a POST reached Nova:\n%s", err, out.String())
		case <-deadline:
			t.Fatalf("no POST reached Nova in 2 minutes:\n%s", out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	t.Logf("interrupted apply (%v); proxy: %s", err, proxy)
	if !strings.Contains(out.String(), "Interrupt received") {
		t.Fatalf("terraform did not see the interrupt:\n%s", out.String())
	}
	posts := proxy.Counts("POST").Requests
	if posts == 0 || posts >= 50 {
		t.Fatalf("%d POSTs: the interrupt did not cut the apply short", posts)
	}
	// Nothing was sent again: the creates cut short were only read back.
	posted := proxy.Posted()
	if compacted := slices.Compact(slices.Sorted(slices.Values(posted))); len(compacted) != len(posted) {
		t.Errorf("a keypair was POSTed twice: %q", posted)
	}

	// State and Nova agree, keypair by keypair.
	state := stateKeypairs(t, tf)
	held, err := novaKeypairs(prefix)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sortedKeys(state), sortedKeys(held); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("after the interrupt the state holds %d keypairs %v, Nova %d %v", len(got), got, len(want), want)
	}
	for name, kp := range state {
		if kp.PrivateKey == "" {
			continue
		}
		derived, err := keys.PublicKeyOf(kp.PrivateKey)
		if err != nil || strings.Join(strings.Fields(derived)[:2], " ") != strings.Join(strings.Fields(held[name])[:2], " ") {
			t.Errorf("%s: the state's private key (%v) is not that of the key in Nova", name, err)
		}
	}
	t.Logf("the interrupt left %d of 50 keypairs, in state and Nova alike", len(state))

	// The next apply converges.
	tf.run("apply", "-auto-approve", "-input=false")
	if out := tf.run("plan", "-input=false", "-detailed-exitcode"); !strings.Contains(out, "No changes.") {
		t.Errorf("the plan after the second apply is not empty:\n%s", out)
	}
	if held, err := novaKeypairs(prefix); err != nil || len(held) != 50 {
		t.Errorf("Nova holds %d keypairs (%v), want 50", len(held), err)
	}
	tf.run("destroy", "-auto-approve", "-input=false")
	if held, err := novaKeypairs(prefix); err != nil || len(held) != 0 {
		t.Errorf("after destroy Nova holds %d keypairs (%v)", len(held), err)
	}
}

type stateKeypair struct {
	PrivateKey string
}

// stateKeypairs is the nova_keypair objects of tf's state, by name.
func stateKeypairs(t *testing.T, tf *terraformCLI) map[string]stateKeypair {
	t.Helper()
	var s struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Type   string `json:"type"`
					Values struct {
						Name       string `json:"name"`
						PrivateKey string `json:"private_key"`
					} `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(tf.run("show", "-json")), &s); err != nil {
		t.Fatal(err)
	}
	out := map[string]stateKeypair{}
	for _, r := range s.Values.RootModule.Resources {
		if r.Type == "nova_keypair" {
			out[r.Values.Name] = stateKeypair{PrivateKey: r.Values.PrivateKey}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// deleteNovaKeypairs deletes the caller's keypairs named prefix*,
// directly.
func deleteNovaKeypairs(t *testing.T, prefix string) {
	held, err := novaKeypairs(prefix)
	if err != nil {
		t.Error(err)
		return
	}
	c, err := acctest.Client("")
	if err != nil {
		t.Error(err)
		return
	}
	for name := range held {
		if err := c.DeleteKeypair(context.Background(), "", name, ""); err != nil {
			t.Errorf("cleanup: %s", err)
		}
	}
}
