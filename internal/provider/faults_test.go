package provider_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"golang.org/x/crypto/ssh"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
)

// faultKeypairs is how many keypairs each fault test creates in one apply.
const faultKeypairs = 50

// TestAccKeypair_faultsLostResponses: one POST, GET and DELETE in ten
// reaches Nova, which acts on it, but its answer is lost: the proxy resets
// the connection. The provider reads a keypair whose create answer was
// lost back instead of failing or creating it twice, and retries the
// rest.
func TestAccKeypair_faultsLostResponses(t *testing.T) {
	testAccKeypairFaults(t, acctest.FaultPlan{
		Seed: 1,
		Rules: []acctest.FaultRule{
			{Method: "POST", Fault: acctest.DropResponse, Every: 10},
			{Method: "GET", Fault: acctest.DropResponse, Every: 10},
			{Method: acctest.ListKeypairs, Fault: acctest.DropResponse, Every: 2},
			{Method: "DELETE", Fault: acctest.DropResponse, Every: 10},
		},
	}, func(p *acctest.FaultProxy) error {
		return expectFaults(p, "POST", acctest.DropResponse, true)
	}, func(p *acctest.FaultProxy) error {
		return errors.Join(
			expectFaults(p, "DELETE", acctest.DropResponse, true),
			expectListFaults(p, acctest.DropResponse),
		)
	})
}

// TestAccKeypair_faultsServiceUnavailable: one request in ten of every
// method is answered 503 without reaching Nova, and one POST in ten
// reaches Nova, which creates the keypair, but is answered 503.
func TestAccKeypair_faultsServiceUnavailable(t *testing.T) {
	testAccKeypairFaults(t, acctest.FaultPlan{
		Seed: 2,
		Rules: []acctest.FaultRule{
			{Method: "POST", Fault: acctest.Commit503, Every: 10},
			{Method: "POST", Fault: acctest.Reply503, Every: 10},
			{Method: "GET", Fault: acctest.Reply503, Every: 10},
			{Method: acctest.ListKeypairs, Fault: acctest.Reply503, Every: 2},
			{Method: "DELETE", Fault: acctest.Reply503, Every: 10},
		},
	}, func(p *acctest.FaultProxy) error {
		return errors.Join(
			expectFaults(p, "POST", acctest.Commit503, true),
			expectFaults(p, "POST", acctest.Reply503, false),
		)
	}, func(p *acctest.FaultProxy) error {
		return errors.Join(
			expectFaults(p, "DELETE", acctest.Reply503, false),
			expectListFaults(p, acctest.Reply503),
		)
	})
}

// TestAccKeypair_faultsRateLimited: the proxy allows 10 requests a second
// and answers the rest 429 with Retry-After: 1, as a rate-limiting API
// gateway does; every second keypair list is answered 429 too.
func TestAccKeypair_faultsRateLimited(t *testing.T) {
	testAccKeypairFaults(t, acctest.FaultPlan{
		RateLimit: 10,
		// A walk sends one list, which seldom meets an empty bucket: half
		// of them are answered 429 as well.
		Rules: []acctest.FaultRule{{Method: acctest.ListKeypairs, Fault: acctest.Reply429, Every: 2}},
	}, func(p *acctest.FaultProxy) error {
		return expectFaults(p, "POST", acctest.RateLimited, false)
	}, func(p *acctest.FaultProxy) error {
		return errors.Join(
			expectFaults(p, "DELETE", acctest.RateLimited, false),
			expectListFaults(p, acctest.Reply429),
		)
	})
}

// expectListFaults requires the proxy to have injected fault on keypair
// list requests: there is one list per walk, not one GET per keypair, so
// at least one.
func expectListFaults(p *acctest.FaultProxy, fault acctest.Fault) error {
	if c := p.Counts(acctest.ListKeypairs); c.Faults[fault] < 1 {
		return fmt.Errorf("the proxy injected %d %s faults on %d keypair list requests; want at least 1", c.Faults[fault], fault, c.Requests)
	}
	return nil
}

// minFaults is how many faults of a kind a test requires the proxy to have
// injected, so that it cannot pass by luck.
const minFaults = 3

// expectFaults requires at least minFaults faults of that kind on method;
// committed: on requests Nova had carried out (answered 2xx).
func expectFaults(p *acctest.FaultProxy, method string, fault acctest.Fault, committed bool) error {
	c := p.Counts(method)
	if c.Faults[fault] < minFaults {
		return fmt.Errorf("the proxy injected %d %s faults on %s requests; want at least %d", c.Faults[fault], fault, method, minFaults)
	}
	if committed && c.Committed < minFaults {
		return fmt.Errorf("the proxy lost the answer of %d %s requests Nova carried out; want at least %d", c.Committed, method, minFaults)
	}
	return nil
}

// testAccKeypairFaults applies faultKeypairs keypairs through a fault
// proxy in front of the cloud's Nova. The single apply must succeed; Nova
// must then hold exactly the keypairs in state (checked directly, not
// through the proxy); the next plan, through the proxy, must be empty;
// destroy, through the proxy, must leave nothing. afterApply and
// afterDestroy prove the proxy did its part.
func testAccKeypairFaults(t *testing.T, plan acctest.FaultPlan, afterApply, afterDestroy func(*acctest.FaultProxy) error) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheck(t)
	proxy, computeURL := acctest.StartNovaFaultProxy(t, plan)
	prefix := acctest.RandomName() + "-"
	publicKey := ed25519PublicKey(t)
	config := testAccKeypairFaultsConfig(computeURL, prefix, publicKey)
	logProxy := func(when string) resource.TestCheckFunc {
		return func(*terraform.State) error { t.Logf("%s: %s", when, proxy); return nil }
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			acctest.CheckKeypairDestroyed(""),
			checkNoNovaKeypairs(prefix),
			func(*terraform.State) error { return afterDestroy(proxy) },
			// Every refresh read the keypair list: the GETs are the version
			// documents (one per walk), not one per keypair.
			func(*terraform.State) error {
				if c := proxy.Counts("GET"); c.Requests >= faultKeypairs {
					return fmt.Errorf("%d GETs other than lists reached the proxy for %d keypairs: refresh should read the list", c.Requests, faultKeypairs)
				}
				return nil
			},
		),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					logProxy("after apply"),
					checkNovaKeypairs(prefix, publicKey),
					func(*terraform.State) error { return afterApply(proxy) },
				),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func testAccKeypairFaultsConfig(computeURL, prefix, publicKey string) string {
	return acctest.ProviderBlock(fmt.Sprintf("  endpoint_overrides = { compute = %q }", computeURL)) + fmt.Sprintf(`
resource "nova_keypair" "test" {
  count      = %d
  name       = "%s${count.index}"
  public_key = %q
}
`, faultKeypairs, prefix, publicKey)
}

// checkNovaKeypairs requires the cloud's Nova, asked directly, to hold
// exactly the nova_keypair resources in state among the keypairs whose
// name starts with prefix: none missing, none more (no orphan), each with
// publicKey.
func checkNovaKeypairs(prefix, publicKey string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		inState := map[string]bool{}
		for _, rs := range s.RootModule().Resources {
			if rs.Type == "nova_keypair" {
				inState[rs.Primary.ID] = true
			}
		}
		if len(inState) != faultKeypairs {
			return fmt.Errorf("state holds %d keypairs, want %d", len(inState), faultKeypairs)
		}
		inNova, err := novaKeypairs(prefix)
		if err != nil {
			return err
		}
		var orphans, missing, wrongKey []string
		for name, key := range inNova {
			if !inState[name] {
				orphans = append(orphans, name)
			}
			if key != publicKey {
				wrongKey = append(wrongKey, name)
			}
		}
		for name := range inState {
			if _, ok := inNova[name]; !ok {
				missing = append(missing, name)
			}
		}
		if len(orphans)+len(missing)+len(wrongKey) > 0 {
			sort.Strings(orphans)
			sort.Strings(missing)
			sort.Strings(wrongKey)
			return fmt.Errorf("Nova holds %d keypairs named %s*, state %d: orphans (in Nova, not in state) %q; missing from Nova %q; with another public key %q",
				len(inNova), prefix, len(inState), orphans, missing, wrongKey)
		}
		return nil
	}
}

// checkNoNovaKeypairs requires that no keypair named prefix* is left.
func checkNoNovaKeypairs(prefix string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		inNova, err := novaKeypairs(prefix)
		if err != nil {
			return err
		}
		if len(inNova) > 0 {
			names := make([]string, 0, len(inNova))
			for name := range inNova {
				names = append(names, name)
			}
			sort.Strings(names)
			return fmt.Errorf("after destroy, Nova still holds %d keypairs named %s*: %q", len(names), prefix, names)
		}
		return nil
	}
}

// novaKeypairs lists the cloud user's keypairs named prefix*, directly
// (not through the fault proxy): name to public key.
func novaKeypairs(prefix string) (map[string]string, error) {
	c, err := acctest.Client("")
	if err != nil {
		return nil, err
	}
	all, err := c.ListKeypairs(context.Background(), "", "")
	if err != nil {
		return nil, fmt.Errorf("listing keypairs: %w", err)
	}
	out := map[string]string{}
	for _, kp := range all {
		if strings.HasPrefix(kp.Name, prefix) {
			out[kp.Name] = strings.TrimSpace(kp.PublicKey)
		}
	}
	return out, nil
}

// ed25519PublicKey is a fresh OpenSSH public key line, shared by every
// keypair of a test.
func ed25519PublicKey(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub))) + " acctest@faults"
}
