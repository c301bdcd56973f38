package nova

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// precedenceRow is one setting class: its value in each of the three
// sources, written out here rather than taken from the settings table.
type precedenceRow struct {
	name string
	// yaml is the setting's line in the cloud's clouds.yaml entry
	// ("auth." prefix: under auth:); "" when clouds.yaml has no key for it.
	yamlKey, yamlValue string
	env, envValue      string
	explicit           func(*Config)
	explicitValue      string
	got                func(Config) string
}

func boolString(b *bool) string {
	if b == nil {
		return "<nil>"
	}
	return strconv.FormatBool(*b)
}

func precedenceRows() []precedenceRow {
	str := func(name, yamlKey, env string, field func(*Config) *string) precedenceRow {
		return precedenceRow{
			name: name, yamlKey: yamlKey, yamlValue: "yaml-" + name, env: env, envValue: "env-" + name,
			explicit: func(c *Config) { *field(c) = "explicit-" + name }, explicitValue: "explicit-" + name,
			got: func(c Config) string { return *field(&c) },
		}
	}
	return []precedenceRow{
		str("auth_url", "auth.auth_url", "OS_AUTH_URL", func(c *Config) *string { return &c.AuthURL }),
		str("username", "auth.username", "OS_USERNAME", func(c *Config) *string { return &c.UserName }),
		str("password", "auth.password", "OS_PASSWORD", func(c *Config) *string { return &c.Password }),
		str("project_name", "auth.project_name", "OS_PROJECT_NAME", func(c *Config) *string { return &c.ProjectName }),
		str("project_id", "auth.project_id", "OS_TENANT_ID", func(c *Config) *string { return &c.ProjectID }),
		str("user_domain_name", "auth.user_domain_name", "OS_USER_DOMAIN_NAME", func(c *Config) *string { return &c.UserDomainName }),
		str("project_domain_id", "auth.project_domain_id", "OS_PROJECT_DOMAIN_ID", func(c *Config) *string { return &c.ProjectDomainID }),
		str("domain_name", "auth.domain_name", "OS_DOMAIN_NAME", func(c *Config) *string { return &c.DomainName }),
		str("default_domain", "auth.default_domain", "OS_DEFAULT_DOMAIN", func(c *Config) *string { return &c.DefaultDomain }),
		str("token", "auth.token", "OS_AUTH_TOKEN", func(c *Config) *string { return &c.Token }),
		str("application_credential_id", "auth.application_credential_id", "OS_APPLICATION_CREDENTIAL_ID", func(c *Config) *string { return &c.ApplicationCredentialID }),
		str("application_credential_secret", "auth.application_credential_secret", "OS_APPLICATION_CREDENTIAL_SECRET", func(c *Config) *string { return &c.ApplicationCredentialSecret }),
		str("region", "region_name", "OS_REGION_NAME", func(c *Config) *string { return &c.Region }),
		str("interface", "interface", "OS_INTERFACE", func(c *Config) *string { return &c.EndpointType }),
		str("endpoint_type", "endpoint_type", "OS_ENDPOINT_TYPE", func(c *Config) *string { return &c.EndpointType }),
		// TLS: with a cloud selected, OS_CACERT/OS_CERT/OS_KEY used to beat
		// clouds.yaml (gophercloud's own order).
		str("cacert", "cacert", "OS_CACERT", func(c *Config) *string { return &c.CACertFile }),
		str("cert", "cert", "OS_CERT", func(c *Config) *string { return &c.ClientCertFile }),
		str("key", "key", "OS_KEY", func(c *Config) *string { return &c.ClientKeyFile }),
		{
			// verify is the opposite of insecure; OS_INSECURE used to be
			// ignored.
			name: "insecure", yamlKey: "verify", yamlValue: "false", env: "OS_INSECURE", envValue: "false",
			explicit: func(c *Config) { c.Insecure = new(false) }, explicitValue: "false",
			got: func(c Config) string { return boolString(c.Insecure) },
		},
		{
			name: "system_scope", yamlKey: "auth.system_scope", yamlValue: "all", env: "OS_SYSTEM_SCOPE", envValue: "false",
			explicit: func(c *Config) { c.SystemScope = new(false) }, explicitValue: "false",
			got: func(c Config) string { return boolString(c.SystemScope) },
		},
		{
			// compute_api_version is not in gophercloud's clouds.Cloud.
			name: "max_microversion", yamlKey: "compute_api_version", yamlValue: "2.50", env: "OS_COMPUTE_API_VERSION", envValue: "2.60",
			explicit: func(c *Config) { c.MaxMicroversion = "2.10" }, explicitValue: "2.10",
			got: func(c Config) string { return c.MaxMicroversion },
		},
	}
}

// cloudsYAML writes a clouds.yaml whose cloud "c" holds key: value.
func cloudsYAML(t *testing.T, key, value string) string {
	t.Helper()
	entry := fmt.Sprintf("    %s: %q\n", key, value)
	if k, ok := strings.CutPrefix(key, "auth."); ok {
		entry = fmt.Sprintf("    auth:\n      %s: %q\n", k, value)
	}
	if key == "verify" {
		entry = fmt.Sprintf("    verify: %s\n", value)
	}
	f := filepath.Join(t.TempDir(), "clouds.yaml")
	if err := os.WriteFile(f, []byte("clouds:\n  c:\n"+entry), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestResolve_precedence: for every setting class, explicit > clouds.yaml
// > environment.
func TestResolve_precedence(t *testing.T) {
	for _, row := range precedenceRows() {
		t.Run(row.name, func(t *testing.T) {
			env := map[string]string{row.env: row.envValue}
			if row.yamlKey != "" {
				env["OS_CLIENT_CONFIG_FILE"] = cloudsYAML(t, row.yamlKey, row.yamlValue)
				env["OS_CLOUD"] = "c"
			}
			want := map[string]string{"environment": row.envValue, "clouds.yaml": row.envValue, "explicit": row.explicitValue}
			if row.yamlKey != "" {
				want["clouds.yaml"] = row.yamlValue
				if row.name == "insecure" {
					want["clouds.yaml"] = "true" // verify: false
				}
				if row.name == "system_scope" {
					want["clouds.yaml"] = "true" // all
				}
			}
			cases := []struct {
				sources string
				config  Config
			}{
				// The environment alone.
				{"environment", Config{Getenv: envOf(map[string]string{row.env: row.envValue})}},
				// clouds.yaml and the environment.
				{"clouds.yaml", Config{Getenv: envOf(env)}},
				// All three.
				{"explicit", Config{Getenv: envOf(env)}},
			}
			row.explicit(&cases[2].config)
			for _, tc := range cases {
				r, err := tc.config.resolve()
				if err != nil {
					t.Fatalf("%s: %v", tc.sources, err)
				}
				if got := row.got(r); got != want[tc.sources] {
					t.Errorf("from %s: %s = %q, want %q", tc.sources, row.name, got, want[tc.sources])
				}
			}
		})
	}
}

// TestResolve_everySettingHasItsSources: the table names an environment
// variable and a Config field for every setting.
func TestResolve_everySettingHasItsSources(t *testing.T) {
	for _, s := range Settings() {
		src := settings[s]
		if len(s.EnvVars()) == 0 || s.String() == "" || (src.str == nil) == (src.flag == nil) || src.cloud == nil {
			t.Errorf("setting %d (%q) lacks a source: %+v", s, s, src)
		}
		var c Config
		value := "x"
		if src.flag != nil {
			value = "true"
		}
		if err := c.Set(s, value); err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(c, Config{}) {
			t.Errorf("Set(%s) changed nothing", s)
		}
	}
	if len(precedenceRows()) < 20 {
		t.Errorf("the precedence test covers %d rows", len(precedenceRows()))
	}
}

// The user's domain and the project's scope come from the resolved
// settings, with "default" when no domain is named anywhere.
func TestPrepare_scopeAndDomains(t *testing.T) {
	r, err := Config{Getenv: envOf(map[string]string{
		"OS_AUTH_URL": "http://env.example:5000/v3", "OS_USERNAME": "u", "OS_PASSWORD": "p", "OS_TENANT_NAME": "legacy-project",
	})}.prepare()
	if err != nil {
		t.Fatal(err)
	}
	if r.authOptions.Scope.ProjectName != "legacy-project" {
		t.Errorf("project %q, want OS_TENANT_NAME's", r.authOptions.Scope.ProjectName)
	}
	if r.authOptions.DomainID != defaultDomainID || r.authOptions.Scope.DomainID != defaultDomainID {
		t.Errorf("user domain %q, project domain %q; want %q for both when none is named", r.authOptions.DomainID, r.authOptions.Scope.DomainID, defaultDomainID)
	}
	if !r.authOptions.AllowReauth {
		t.Error("AllowReauth is off: an expired token would not be renewed")
	}
}

// TestPrepare_tokenAlone: a token cannot be renewed, so it is never
// re-authenticated with (gophercloud refuses re-authentication with an
// unscoped token: "cannot use AllowReauth, when the token ID is defined
// and auth scope is not set"), with or without a scope; a password keeps
// re-authentication.
func TestPrepare_tokenAlone(t *testing.T) {
	for _, tc := range []struct {
		env    map[string]string
		reauth bool
		scoped bool
	}{
		{map[string]string{"OS_AUTH_URL": "http://k/v3", "OS_TOKEN": "t"}, false, false},
		{map[string]string{"OS_AUTH_URL": "http://k/v3", "OS_TOKEN": "t", "OS_PROJECT_ID": "p"}, false, true},
		{map[string]string{"OS_AUTH_URL": "http://k/v3", "OS_USERNAME": "u", "OS_PASSWORD": "p", "OS_PROJECT_ID": "p"}, true, true},
		// A token and a password, no scope: the token is used as it is.
		{map[string]string{"OS_AUTH_URL": "http://k/v3", "OS_TOKEN": "t", "OS_USERNAME": "u", "OS_PASSWORD": "p"}, false, false},
	} {
		r, err := Config{Getenv: envOf(tc.env)}.prepare()
		if err != nil {
			t.Fatalf("%v: %v", tc.env, err)
		}
		if r.authOptions.AllowReauth != tc.reauth || (r.authOptions.Scope != nil) != tc.scoped {
			t.Errorf("%v: AllowReauth %v, scope %+v; want %v, scoped %v", tc.env, r.authOptions.AllowReauth, r.authOptions.Scope, tc.reauth, tc.scoped)
		}
	}
	// allow_reauth = true cannot make a token renewable.
	yes := true
	r, err := Config{AllowReauth: &yes, Getenv: envOf(map[string]string{"OS_AUTH_URL": "http://k/v3", "OS_TOKEN": "t"})}.prepare()
	if err != nil || r.authOptions.AllowReauth {
		t.Errorf("token with allow_reauth: %v, AllowReauth %v", err, r.authOptions.AllowReauth)
	}
}

// secure.yaml beside clouds.yaml wins over it; a cloud's public profile
// fills what both leave out.
func TestResolve_secureYAMLAndProfile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("clouds.yaml", "clouds:\n  c:\n    profile: pub\n    auth:\n      username: u\n      password: from-clouds\n")
	write("secure.yaml", "clouds:\n  c:\n    auth:\n      password: from-secure\n")
	write("clouds-public.yaml", "public-clouds:\n  pub:\n    auth:\n      auth_url: http://public.example/v3\n    region_name: PublicRegion\n")
	t.Chdir(dir) // clouds-public.yaml is looked for in ./ first
	r, err := Config{Cloud: "c", Getenv: envOf(map[string]string{"OS_CLIENT_CONFIG_FILE": filepath.Join(dir, "clouds.yaml"), "XDG_CONFIG_HOME": dir})}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	if r.Password != "from-secure" || r.UserName != "u" || r.AuthURL != "http://public.example/v3" || r.Region != "PublicRegion" {
		t.Errorf("got password %q, user %q, auth_url %q, region %q", r.Password, r.UserName, r.AuthURL, r.Region)
	}
}

// A source that names a user, project or domain by name or by ID hides the
// other form in lower sources: the openstack CLI's behaviour, and the only
// one that keeps "explicit > clouds.yaml > environment" for the scope.
func TestResolve_alternativesComeFromOneSource(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "clouds.yaml")
	if err := os.WriteFile(file, []byte("clouds:\n  c:\n    auth:\n      username: yaml-user\n      project_id: yaml-project-id\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := envOf(map[string]string{
		"OS_CLIENT_CONFIG_FILE": file, "OS_CLOUD": "c",
		"OS_USER_ID": "env-user-id", "OS_PROJECT_NAME": "env-project", "OS_DOMAIN_ID": "env-domain",
	})
	for _, tc := range []struct {
		name   string
		config Config
		want   [2][2]string // {user name, user ID}, {project name, project ID}
	}{
		{"clouds.yaml hides the environment's other forms", Config{Getenv: env}, [2][2]string{{"yaml-user", ""}, {"", "yaml-project-id"}}},
		{"explicit hides clouds.yaml's other forms", Config{Getenv: env, UserID: "explicit-user-id", ProjectName: "explicit-project"}, [2][2]string{{"", "explicit-user-id"}, {"explicit-project", ""}}},
	} {
		r, err := tc.config.resolve()
		if err != nil {
			t.Fatal(err)
		}
		got := [2][2]string{{r.UserName, r.UserID}, {r.ProjectName, r.ProjectID}}
		if got != tc.want {
			t.Errorf("%s: user, project = %q, want %q", tc.name, got, tc.want)
		}
		if r.DomainID != "env-domain" {
			t.Errorf("%s: domain ID %q, want the environment's (no other source names a domain)", tc.name, r.DomainID)
		}
	}
}

func TestResolve_unknownCloud(t *testing.T) {
	_, err := Config{Cloud: "nope", Getenv: envOf(map[string]string{"OS_CLIENT_CONFIG_FILE": cloudsYAML(t, "region_name", "r")})}.resolve()
	var yamlErr *CloudsYAMLError
	if !errors.As(err, &yamlErr) || yamlErr.Cloud != "nope" {
		t.Fatalf("got %v, want a *CloudsYAMLError for cloud \"nope\"", err)
	}
}

func TestResolve_badBoolean(t *testing.T) {
	_, err := Config{Getenv: envOf(map[string]string{"OS_INSECURE": "maybe"})}.resolve()
	var settingErr *SettingError
	if !errors.As(err, &settingErr) || settingErr.Setting != Insecure || settingErr.Value != "maybe" {
		t.Fatalf("got %v, want a *SettingError for OS_INSECURE", err)
	}
	// A system scope other than all (or a boolean) is no system scope, as
	// before: the openstack CLI accepts such values too.
	r, err := Config{Getenv: envOf(map[string]string{"OS_SYSTEM_SCOPE": "project"})}.resolve()
	if err != nil || r.SystemScope == nil || *r.SystemScope {
		t.Fatalf("OS_SYSTEM_SCOPE=project: got %v, %v; want no system scope and no error", boolString(r.SystemScope), err)
	}
}

func TestPrepare_missingSettingsAreTyped(t *testing.T) {
	_, err := Config{Getenv: envOf(nil)}.prepare()
	var missing *MissingSettingsError
	if !errors.As(err, &missing) {
		t.Fatalf("got %v, want a *MissingSettingsError", err)
	}
	want := [][]Setting{{AuthURL}, {UserName, UserID, Token, ApplicationCredentialID}}
	if fmt.Sprint(missing.Missing) != fmt.Sprint(want) {
		t.Errorf("missing %v, want %v", missing.Missing, want)
	}
	if msg := err.Error(); !strings.Contains(msg, "auth.auth_url (OS_AUTH_URL)") || strings.Contains(msg, "`") {
		t.Errorf("message %q: want OpenStack names (clouds.yaml key, OS_* variable), no Terraform attribute", msg)
	}

	_, err = Config{AuthURL: "http://k:5000/v3", UserName: "u", Getenv: envOf(nil)}.prepare()
	if !errors.As(err, &missing) || fmt.Sprint(missing.Missing) != fmt.Sprint([][]Setting{{Password}}) {
		t.Errorf("got %v, want the password missing", err)
	}
}

// OS_COMPUTE_API_VERSION is the openstack CLI's variable: every value it
// takes is taken ("2", "latest" and "2.latest" mean no cap, "2.N" caps);
// an error about a value from the environment names the variable.
func TestPrepare_maxMicroversion(t *testing.T) {
	base := map[string]string{"OS_AUTH_URL": "http://k/v3", "OS_TOKEN": "t"}
	for _, tc := range []struct {
		value string
		want  Microversion
		err   bool
	}{
		{"", Microversion{}, false},
		{"latest", Microversion{}, false},
		{"2.latest", Microversion{}, false},
		{"2", Microversion{}, false},
		{"2.1", Microversion{2, 1}, false},
		{"2.60", Microversion{2, 60}, false},
		{"2.96", Microversion{2, 96}, false},
		{"2.0", Microversion{}, false}, // the openstack CLI takes it as 2
		{"two", Microversion{}, true},
		// The provider block's validator takes exactly these forms.
		{"2.LATEST", Microversion{}, true},
		{" 2.60 ", Microversion{}, true},
		{"3.0", Microversion{}, true},
	} {
		env := map[string]string{"OS_COMPUTE_API_VERSION": tc.value}
		for k, v := range base {
			env[k] = v
		}
		r, err := Config{Getenv: envOf(env)}.prepare()
		var settingErr *SettingError
		switch {
		case tc.err && (!errors.As(err, &settingErr) || settingErr.Setting != MaxMicroversion):
			t.Errorf("%q: got %v, want a *SettingError for the cap", tc.value, err)
		case tc.err && !strings.HasPrefix(err.Error(), fmt.Sprintf("OS_COMPUTE_API_VERSION %q ", tc.value)):
			t.Errorf("%q: the error %q does not start with the variable", tc.value, err)
		case !tc.err && err != nil:
			t.Errorf("%q: %v", tc.value, err)
		case !tc.err && r.maxMicroversion != tc.want:
			t.Errorf("%q: cap %v, want %v", tc.value, r.maxMicroversion, tc.want)
		}
	}
}
