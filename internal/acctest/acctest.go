// Package acctest holds what every acceptance test needs: the provider
// factories, the pre-check, a Nova client for out-of-band changes and
// CheckDestroy functions. Tests run against the dev cloud
// (tools/devcloud) or any cloud the OS_* variables or OS_CLOUD name.
package acctest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/quotasets"
	"github.com/gophercloud/gophercloud/v2/openstack/config"
	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/provider"
)

// ProviderNamespace is the namespace of the provider's registry address.
// Test configurations declare `source = "terraform-provider-nova/nova"`
// like users do, so plugin-testing must know it.
const ProviderNamespace = "terraform-provider-nova"

// Cloud names in the dev cloud's clouds.yaml.
const (
	AdminCloud = "devcloud-admin"
	DemoCloud  = "devcloud-demo"
)

func init() {
	// plugin-testing's variable for the provider namespace under test.
	if os.Getenv("TF_ACC_PROVIDER_NAMESPACE") == "" {
		_ = os.Setenv("TF_ACC_PROVIDER_NAMESPACE", ProviderNamespace)
	}
}

// ProtoV6ProviderFactories serves the provider in-process, through the
// same server as the released binary (provider.NewProtocol6Server).
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"nova": func() (tfprotov6.ProviderServer, error) { return provider.NewProtocol6Server("test")(), nil },
}

// SkipWithoutTFAcc skips an acceptance test when TF_ACC is unset, as
// resource.Test would. Every helper here that reaches the cloud calls it
// first, so that a test which prepares something (a user ID, a key made
// with ssh-keygen) while building its TestCase skips cleanly instead of
// failing or reaching the network. `make test` always sets TF_ACC.
func SkipWithoutTFAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
}

// PreCheck fails the test (never skips it) when no cloud is configured:
// with TF_ACC set, an acceptance test that cannot reach a cloud is broken,
// not optional.
func PreCheck(t *testing.T) {
	t.Helper()
	SkipWithoutTFAcc(t)
	if os.Getenv("OS_CLOUD") == "" && os.Getenv("OS_AUTH_URL") == "" {
		t.Fatal("acceptance tests need a cloud: set OS_CLOUD (with OS_CLIENT_CONFIG_FILE) or the OS_* variables; `make test` starts the dev cloud and sets them")
	}
	if _, err := Client(""); err != nil {
		t.Fatalf("acceptance tests cannot reach the cloud: %s", err)
	}
}

// PreCheckDemoCloud also requires the non-admin cloud of the dev cloud.
func PreCheckDemoCloud(t *testing.T) {
	t.Helper()
	PreCheck(t)
	if _, err := Client(DemoCloud); err != nil {
		t.Fatalf("acceptance tests need the %q cloud of the dev cloud's clouds.yaml (OS_CLIENT_CONFIG_FILE): %s", DemoCloud, err)
	}
}

// Client is a new Nova client for out-of-band changes and checks, through
// the same layer the provider uses. cloud "" means the environment's cloud
// (OS_CLOUD or the OS_* variables). Each call is a new client, as each
// Terraform walk is a new provider instance: a client reads each user's
// keypair list once (nova.Client.FindKeypair), so a shared one would
// not see what happened since.
func Client(cloud string) (*nova.Client, error) {
	return nova.NewClient(context.Background(), nova.Config{Cloud: cloud, UserAgent: "terraform-provider-nova-acctest"})
}

// RandomName is a keypair name unique to one test run.
func RandomName() string {
	return acctest.RandomWithPrefix("tf-acc")
}

// CheckKeypairDestroyed is a CheckDestroy that requires Nova to answer 404
// for every nova_keypair left in state, as seen by the cloud's user.
func CheckKeypairDestroyed(cloud string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		c, err := Client(cloud)
		if err != nil {
			return err
		}
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "nova_keypair" {
				continue
			}
			region, name, userID := KeypairRef(rs)
			_, err := c.GetKeypair(context.Background(), region, name, userID)
			if err == nil {
				return fmt.Errorf("keypair %q still exists", rs.Primary.ID)
			}
			if !nova.IsNotFound(err) {
				return fmt.Errorf("checking that keypair %q is gone: expected 404, got: %w", rs.Primary.ID, err)
			}
		}
		return nil
	}
}

// ProviderBlock is the terraform block every test configuration starts
// with, naming the provider by its registry address as users do.
func ProviderBlock(providerArgs ...string) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    nova = {
      source = "terraform-provider-nova/nova"
    }
  }
}

provider "nova" {
%s
}
`, strings.Join(providerArgs, "\n"))
}

// AdminAuth returns the dev cloud admin's settings from clouds.yaml, for
// tests that configure the provider another way (environment, token,
// application credential).
func AdminAuth(t *testing.T) (gophercloud.AuthOptions, gophercloud.EndpointOpts) {
	t.Helper()
	SkipWithoutTFAcc(t)
	ao, eo, _, err := clouds.Parse(clouds.WithCloudName(AdminCloud))
	if err != nil {
		t.Fatalf("reading cloud %q from clouds.yaml: %s", AdminCloud, err)
	}
	return ao, eo
}

// adminProviderClient authenticates as the dev cloud admin with
// gophercloud directly, outside the provider.
func adminProviderClient(t *testing.T) (*gophercloud.ProviderClient, gophercloud.EndpointOpts) {
	t.Helper()
	ao, eo := AdminAuth(t)
	pc, err := config.NewProviderClient(context.Background(), ao)
	if err != nil {
		t.Fatalf("authenticating as %q: %s", AdminCloud, err)
	}
	return pc, eo
}

// NewToken issues a fresh project-scoped token for the admin user.
func NewToken(t *testing.T) string {
	t.Helper()
	pc, _ := adminProviderClient(t)
	return pc.Token()
}

// NewApplicationCredential creates an application credential for the
// admin user (deleted when the test ends) and returns its ID and secret.
func NewApplicationCredential(t *testing.T) (id, secret string) {
	t.Helper()
	ctx := context.Background()
	pc, eo := adminProviderClient(t)
	identity, err := openstack.NewIdentityV3(pc, eo)
	if err != nil {
		t.Fatal(err)
	}
	auth, ok := pc.GetAuthResult().(tokens.CreateResult)
	if !ok {
		t.Fatalf("not a Keystone v3 token: %T", pc.GetAuthResult())
	}
	user, err := auth.ExtractUser()
	if err != nil {
		t.Fatal(err)
	}
	ac, err := applicationcredentials.Create(ctx, identity, user.ID, applicationcredentials.CreateOpts{
		Name: RandomName(),
	}).Extract()
	if err != nil {
		t.Fatalf("creating an application credential: %s", err)
	}
	t.Cleanup(func() {
		_ = applicationcredentials.Delete(ctx, identity, user.ID, ac.ID).ExtractErr()
	})
	return ac.ID, ac.Secret
}

// ComputeBaseURL is the dev cloud's compute service root (the catalog's
// compute endpoint without its /v2.1), e.g. http://127.0.0.1:8774.
func ComputeBaseURL(t *testing.T) string {
	t.Helper()
	SkipWithoutTFAcc(t)
	c, err := Client("")
	if err != nil {
		t.Fatal(err)
	}
	ep, err := c.ComputeEndpoint(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	ep = strings.TrimRight(ep, "/")
	i := strings.LastIndex(ep, "/")
	return ep[:i]
}

// KeypairRef is how Nova addresses a nova_keypair in state: its region,
// name and, for another user's keypair (ID user_id/name), that user.
func KeypairRef(rs *terraform.ResourceState) (region, name, userID string) {
	name = rs.Primary.ID
	if u, n, ok := strings.Cut(rs.Primary.ID, "/"); ok {
		userID, name = u, n
	}
	return rs.Primary.Attributes["region"], name, userID
}

// UserID is the ID of the user a cloud of the dev cloud's clouds.yaml
// authenticates as ("" means the environment's cloud).
func UserID(t *testing.T, cloud string) string {
	t.Helper()
	PreCheck(t) // a missing cloud gets PreCheck's message, not a client error
	c, err := Client(cloud)
	if err != nil {
		t.Fatal(err)
	}
	return c.UserID()
}

// TestUser is a user made for one test, a member of the demo project.
type TestUser struct {
	ID, Name, Password, Project string
	// Quota is the user's keypair quota (set by NewQuotaUser).
	Quota int
}

// NewUser creates a member of the demo project, deleted when the test ends.
func NewUser(t *testing.T) TestUser {
	t.Helper()
	SkipWithoutTFAcc(t)
	ctx := context.Background()
	pc, eo := adminProviderClient(t)
	identity, err := openstack.NewIdentityV3(pc, eo)
	if err != nil {
		t.Fatal(err)
	}
	demo, err := Client(DemoCloud)
	if err != nil {
		t.Fatal(err)
	}
	u := TestUser{Name: RandomName(), Password: acctest.RandString(24), Project: demo.ProjectID()}

	user, err := users.Create(ctx, identity, users.CreateOpts{Name: u.Name, Password: u.Password, DomainID: "default", DefaultProjectID: u.Project}).Extract()
	if err != nil {
		t.Fatalf("creating user %s: %s", u.Name, err)
	}
	u.ID = user.ID
	t.Cleanup(func() { _ = users.Delete(ctx, identity, u.ID).ExtractErr() })

	pages, err := roles.List(identity, roles.ListOpts{Name: "member"}).AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found, err := roles.ExtractRoles(pages)
	if err != nil || len(found) != 1 {
		t.Fatalf("looking up role member: %v (%d found)", err, len(found))
	}
	if err := roles.Assign(ctx, identity, found[0].ID, roles.AssignOpts{UserID: u.ID, ProjectID: u.Project}).ExtractErr(); err != nil {
		t.Fatalf("assigning role member: %s", err)
	}
	return u
}

// NewQuotaUser creates a user (NewUser) and fills its keypair quota (Nova's
// key_pairs quota applies per user, from the default quota class; it
// cannot be set for one user), so that its next keypair is over quota.
func NewQuotaUser(t *testing.T) TestUser {
	t.Helper()
	u := NewUser(t)
	pc, eo := adminProviderClient(t)
	compute, err := openstack.NewComputeV2(pc, eo)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := quotasets.Get(context.Background(), compute, u.Project+"?user_id="+u.ID).Extract()
	if err != nil {
		t.Fatalf("reading the keypair quota: %s", err)
	}
	u.Quota = qs.KeyPairs
	if u.Quota <= 0 || u.Quota > 5000 {
		t.Fatalf("keypair quota %d: this test fills it, so it needs a finite quota of at most 5000 (the dev cloud's is NOVA_DEVCLOUD_KEYPAIR_QUOTA)", u.Quota)
	}
	FillKeypairs(t, "", u.ID, RandomName(), u.Quota)
	return u
}

// FillKeypairs creates n keypairs named prefix-0000... for userID ("" is
// the environment cloud's user; another user needs an admin), four at a
// time, and deletes them when the test ends.
func FillKeypairs(t *testing.T, cloud, userID, prefix string, n int) []string {
	t.Helper()
	SkipWithoutTFAcc(t)
	c, err := Client(cloud)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := keys.Generate(keys.ED25519)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s-%04d", prefix, i)
	}
	t.Cleanup(func() {
		if err := forEach(names, func(name string) error {
			if err := c.DeleteKeypair(context.Background(), "", name, userID); err != nil && !nova.IsNotFound(err) {
				return err
			}
			return nil
		}); err != nil {
			t.Errorf("deleting the %d keypairs %s-*: %s", n, prefix, err)
		}
	})
	if err := forEach(names, func(name string) error {
		_, err := c.CreateKeypair(context.Background(), "", nova.CreateKeypairOpts{Name: name, PublicKey: pair.PublicKey, UserID: userID})
		return err
	}); err != nil {
		t.Fatalf("creating %d keypairs: %s", n, err)
	}
	return names
}

// forEach runs f for every name, four at a time, and returns the first
// error.
func forEach(names []string, f func(string) error) error {
	work := make(chan string)
	errs := make(chan error, len(names))
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range work {
				errs <- f(name)
			}
		}()
	}
	for _, n := range names {
		work <- n
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
