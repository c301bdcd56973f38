package nova

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
)

const testCloudsYAML = `clouds:
  yaml-cloud:
    auth:
      auth_url: http://yaml.example:5000/v3
      username: yaml-user
      password: yaml-password
      project_name: yaml-project
      user_domain_name: YamlUserDomain
      project_domain_name: YamlProjectDomain
    region_name: YamlRegion
  other-cloud:
    auth:
      auth_url: http://other.example:5000/v3
      username: other-user
      password: other-password
      project_name: other-project
`

func writeClouds(t *testing.T) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "clouds.yaml")
	if err := os.WriteFile(f, []byte(testCloudsYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestResolve_environmentOnly(t *testing.T) {
	r, err := Config{Getenv: envOf(map[string]string{
		"OS_AUTH_URL":            "http://env.example:5000/v3",
		"OS_USERNAME":            "env-user",
		"OS_PASSWORD":            "env-password",
		"OS_PROJECT_NAME":        "env-project",
		"OS_USER_DOMAIN_NAME":    "EnvUserDomain",
		"OS_PROJECT_DOMAIN_NAME": "EnvProjectDomain",
		"OS_REGION_NAME":         "EnvRegion",
	})}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	ao := r.authOptions
	for _, c := range []struct{ got, want string }{
		{ao.IdentityEndpoint, "http://env.example:5000/v3"},
		{ao.Username, "env-user"},
		{ao.Password, "env-password"},
		{ao.DomainName, "EnvUserDomain"},
		{ao.Scope.ProjectName, "env-project"},
		{ao.Scope.DomainName, "EnvProjectDomain"},
		{r.endpointOpts.Region, "EnvRegion"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if !ao.AllowReauth {
		t.Error("AllowReauth is off: an expired token would not be renewed")
	}
}

func TestResolve_legacyTenantNameAndDefaultDomain(t *testing.T) {
	r, err := Config{Getenv: envOf(map[string]string{
		"OS_AUTH_URL":    "http://env.example:5000/v3",
		"OS_USERNAME":    "u",
		"OS_PASSWORD":    "p",
		"OS_TENANT_NAME": "legacy-project",
	})}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	if r.authOptions.Scope.ProjectName != "legacy-project" {
		t.Errorf("project %q, want OS_TENANT_NAME's", r.authOptions.Scope.ProjectName)
	}
	if r.authOptions.DomainID != defaultDomainID || r.authOptions.Scope.DomainID != defaultDomainID {
		t.Errorf("user domain %q, project domain %q; want %q for both when none is named",
			r.authOptions.DomainID, r.authOptions.Scope.DomainID, defaultDomainID)
	}
}

// clouds.yaml wins over the environment; explicit settings win over both.
func TestResolve_precedence(t *testing.T) {
	env := envOf(map[string]string{
		"OS_CLIENT_CONFIG_FILE": writeClouds(t),
		"OS_CLOUD":              "yaml-cloud",
		"OS_AUTH_URL":           "http://env.example:5000/v3",
		"OS_USERNAME":           "env-user",
		"OS_PASSWORD":           "env-password",
		"OS_PROJECT_NAME":       "env-project",
		"OS_REGION_NAME":        "EnvRegion",
	})

	r, err := Config{Getenv: env}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	ao := r.authOptions
	for _, c := range []struct{ what, got, want string }{
		{"auth_url", ao.IdentityEndpoint, "http://yaml.example:5000/v3"},
		{"user", ao.Username, "yaml-user"},
		{"password", ao.Password, "yaml-password"},
		{"user domain", ao.DomainName, "YamlUserDomain"},
		{"project", ao.Scope.ProjectName, "yaml-project"},
		{"project domain", ao.Scope.DomainName, "YamlProjectDomain"},
		{"region", r.endpointOpts.Region, "YamlRegion"},
	} {
		if c.got != c.want {
			t.Errorf("clouds.yaml over environment: %s %q, want %q", c.what, c.got, c.want)
		}
	}

	r, err = Config{
		Getenv:            env,
		Cloud:             "other-cloud",
		UserName:          "explicit-user",
		Password:          "explicit-password",
		ProjectName:       "explicit-project",
		UserDomainName:    "ExplicitUserDomain",
		ProjectDomainName: "ExplicitProjectDomain",
		Region:            "ExplicitRegion",
	}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	ao = r.authOptions
	for _, c := range []struct{ what, got, want string }{
		{"cloud", r.cloud, "other-cloud"},
		{"auth_url", ao.IdentityEndpoint, "http://other.example:5000/v3"},
		{"user", ao.Username, "explicit-user"},
		{"password", ao.Password, "explicit-password"},
		{"user domain", ao.DomainName, "ExplicitUserDomain"},
		{"project", ao.Scope.ProjectName, "explicit-project"},
		{"project domain", ao.Scope.DomainName, "ExplicitProjectDomain"},
		{"region", r.endpointOpts.Region, "ExplicitRegion"},
	} {
		if c.got != c.want {
			t.Errorf("explicit over clouds.yaml: %s %q, want %q", c.what, c.got, c.want)
		}
	}
}

func TestResolve_unknownCloud(t *testing.T) {
	_, err := Config{Cloud: "nope", Getenv: envOf(map[string]string{"OS_CLIENT_CONFIG_FILE": writeClouds(t)})}.resolve()
	if err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("got %v, want an error naming cloud \"nope\"", err)
	}
}

func TestResolve_missingSettingsAreNamed(t *testing.T) {
	_, err := Config{Getenv: envOf(nil)}.resolve()
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a ConfigError", err)
	}
	msg := err.Error()
	for _, want := range []string{"auth_url", "OS_AUTH_URL", "user_name", "OS_USERNAME"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q does not name %s", msg, want)
		}
	}

	_, err = Config{AuthURL: "http://k:5000/v3", UserName: "u", Getenv: envOf(nil)}.resolve()
	if err == nil || !strings.Contains(err.Error(), "`password`") {
		t.Errorf("got %v, want an error naming `password`", err)
	}
}

// An expired token (Nova answers 401) is renewed once and the request
// sent again; with allow_reauth off, the 401 is the answer.
func TestReauthentication(t *testing.T) {
	expire := func(f *fakeCloud) {
		f.on(http.MethodGet, "/os-keypairs/k", func(w http.ResponseWriter, r *http.Request, n int) bool {
			if n == 1 {
				writeJSON(w, http.StatusUnauthorized, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`)
				return true
			}
			return false
		})
	}
	tokenRequests := func(rt *recordingTransport) int {
		n := 0
		for _, r := range rt.all() {
			if strings.HasSuffix(r.Path, "/auth/tokens") {
				n++
			}
		}
		return n
	}

	f := newFakeCloud(t)
	f.seed(fakeUserID, "k", testPublicKey)
	expire(f)
	c, rt := newTestClient(t, f, nil)
	if _, err := c.GetKeypair(bg(), "", "k", ""); err != nil {
		t.Fatalf("GetKeypair after the token expired: %v", err)
	}
	if n := tokenRequests(rt); n != 2 {
		t.Errorf("%d token requests, want 2: the first, and one renewal", n)
	}

	f = newFakeCloud(t)
	f.seed(fakeUserID, "k", testPublicKey)
	expire(f)
	c, rt = newTestClient(t, f, func(cfg *Config) { cfg.AllowReauth = ptrTo(false) })
	if _, err := c.GetKeypair(bg(), "", "k", ""); !gophercloud.ResponseCodeIs(err, http.StatusUnauthorized) {
		t.Fatalf("with allow_reauth off, want the 401, got %v", err)
	}
	if n := tokenRequests(rt); n != 1 {
		t.Errorf("%d token requests with allow_reauth off, want 1", n)
	}
}
