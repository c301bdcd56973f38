package nova

import (
	"bytes"
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
	"gopkg.in/yaml.v2"
)

// Config is what the provider block says, plus the test hooks. Each
// Setting left empty is resolved by one rule, in resolve: explicit value
// > the cloud's entry in clouds.yaml (when a cloud is selected) > the
// setting's OS_* environment variable. (The openstack CLI differs: there
// OS_* variables override clouds.yaml.)
type Config struct {
	// Cloud selects a cloud of clouds.yaml; "" means OS_CLOUD, and no
	// cloud when that is unset too.
	Cloud string

	AuthURL string
	Region  string

	UserName string
	UserID   string
	Password string

	ProjectName string
	ProjectID   string

	UserDomainName    string
	UserDomainID      string
	ProjectDomainName string
	ProjectDomainID   string
	DomainName        string
	DomainID          string
	DefaultDomain     string

	Token string

	ApplicationCredentialID     string
	ApplicationCredentialName   string
	ApplicationCredentialSecret string

	// SystemScope scopes the token to the system ("all"); nil is unset.
	SystemScope *bool

	// Insecure skips TLS verification; nil is unset (verify).
	Insecure       *bool
	CACertFile     string
	ClientCertFile string
	ClientKeyFile  string

	// EndpointType is the catalog interface: public, internal or admin
	// (with or without the legacy "URL" suffix); "" is public.
	EndpointType string

	// MaxMicroversion caps the compute microversion, e.g. "2.60"; ""
	// means the cloud's maximum, as do "latest" and "2.latest".
	MaxMicroversion string

	// EndpointOverrides replaces catalog endpoints by service type; only
	// "compute" is used. No environment variable or clouds.yaml key.
	EndpointOverrides map[string]string
	// MaxRetries bounds the retries of one request; nil means
	// DefaultMaxRetries.
	MaxRetries *int
	// AllowReauth renews an expired token; nil means true.
	AllowReauth *bool
	// UserAgent is prepended to gophercloud's User-Agent.
	UserAgent string

	// Getenv reads the environment; nil means os.Getenv. Tests replace it.
	Getenv func(string) string
	// HTTPTransport is the transport under the retrying, logging layer;
	// nil means a clone of http.DefaultTransport. Tests replace it.
	HTTPTransport http.RoundTripper
}

// Setting names one connection setting that clouds.yaml and the OS_*
// environment can supply. Its String is its clouds.yaml key.
type Setting int

// The settings, in the order the documentation lists them.
const (
	AuthURL Setting = iota
	Region
	UserName
	UserID
	Password
	ProjectName
	ProjectID
	UserDomainName
	UserDomainID
	ProjectDomainName
	ProjectDomainID
	DomainName
	DomainID
	DefaultDomain
	Token
	ApplicationCredentialID
	ApplicationCredentialName
	ApplicationCredentialSecret
	SystemScope
	Insecure
	CACertFile
	ClientCertFile
	ClientKeyFile
	EndpointType
	MaxMicroversion
	numSettings
)

// settingSource is where one setting lives: its field in Config, its
// value in a clouds.yaml cloud, and its environment variables (the first
// one set wins).
type settingSource struct {
	key   string // clouds.yaml key (or what it is, when it has none), for messages
	env   []string
	str   func(*Config) *string // string settings
	flag  func(*Config) **bool  // boolean settings
	cloud func(cloudEntry) string
}

// cloudEntry is one cloud of clouds.yaml (or secure.yaml, or a
// clouds-public.yaml profile): gophercloud's clouds.Cloud, plus the keys
// the openstack tools read that it lacks.
type cloudEntry struct {
	clouds.Cloud `yaml:",inline"`
	// ComputeAPIVersion is the compute microversion (a cap here).
	ComputeAPIVersion string `yaml:"compute_api_version,omitempty"`
}

func auth(c cloudEntry) clouds.AuthInfo {
	if c.AuthInfo == nil {
		return clouds.AuthInfo{}
	}
	return *c.AuthInfo
}

// settings is the one table of where each setting comes from.
var settings = [numSettings]settingSource{
	AuthURL:  {key: "auth.auth_url", env: []string{"OS_AUTH_URL"}, str: func(c *Config) *string { return &c.AuthURL }, cloud: func(c cloudEntry) string { return auth(c).AuthURL }},
	Region:   {key: "region_name", env: []string{"OS_REGION_NAME"}, str: func(c *Config) *string { return &c.Region }, cloud: func(c cloudEntry) string { return c.RegionName }},
	UserName: {key: "auth.username", env: []string{"OS_USERNAME", "OS_USER_NAME"}, str: func(c *Config) *string { return &c.UserName }, cloud: func(c cloudEntry) string { return auth(c).Username }},
	UserID:   {key: "auth.user_id", env: []string{"OS_USER_ID"}, str: func(c *Config) *string { return &c.UserID }, cloud: func(c cloudEntry) string { return auth(c).UserID }},
	Password: {key: "auth.password", env: []string{"OS_PASSWORD"}, str: func(c *Config) *string { return &c.Password }, cloud: func(c cloudEntry) string { return auth(c).Password }},
	ProjectName: {key: "auth.project_name", env: []string{"OS_PROJECT_NAME", "OS_TENANT_NAME"}, str: func(c *Config) *string { return &c.ProjectName },
		cloud: func(c cloudEntry) string { return auth(c).ProjectName }},
	ProjectID: {key: "auth.project_id", env: []string{"OS_PROJECT_ID", "OS_TENANT_ID"}, str: func(c *Config) *string { return &c.ProjectID },
		cloud: func(c cloudEntry) string { return auth(c).ProjectID }},
	UserDomainName: {key: "auth.user_domain_name", env: []string{"OS_USER_DOMAIN_NAME"}, str: func(c *Config) *string { return &c.UserDomainName },
		cloud: func(c cloudEntry) string { return auth(c).UserDomainName }},
	UserDomainID: {key: "auth.user_domain_id", env: []string{"OS_USER_DOMAIN_ID"}, str: func(c *Config) *string { return &c.UserDomainID },
		cloud: func(c cloudEntry) string { return auth(c).UserDomainID }},
	ProjectDomainName: {key: "auth.project_domain_name", env: []string{"OS_PROJECT_DOMAIN_NAME"}, str: func(c *Config) *string { return &c.ProjectDomainName },
		cloud: func(c cloudEntry) string { return auth(c).ProjectDomainName }},
	ProjectDomainID: {key: "auth.project_domain_id", env: []string{"OS_PROJECT_DOMAIN_ID"}, str: func(c *Config) *string { return &c.ProjectDomainID },
		cloud: func(c cloudEntry) string { return auth(c).ProjectDomainID }},
	DomainName: {key: "auth.domain_name", env: []string{"OS_DOMAIN_NAME"}, str: func(c *Config) *string { return &c.DomainName }, cloud: func(c cloudEntry) string { return auth(c).DomainName }},
	DomainID:   {key: "auth.domain_id", env: []string{"OS_DOMAIN_ID"}, str: func(c *Config) *string { return &c.DomainID }, cloud: func(c cloudEntry) string { return auth(c).DomainID }},
	DefaultDomain: {key: "auth.default_domain", env: []string{"OS_DEFAULT_DOMAIN"}, str: func(c *Config) *string { return &c.DefaultDomain },
		cloud: func(c cloudEntry) string { return auth(c).DefaultDomain }},
	Token: {key: "auth.token", env: []string{"OS_TOKEN", "OS_AUTH_TOKEN"}, str: func(c *Config) *string { return &c.Token }, cloud: func(c cloudEntry) string { return auth(c).Token }},
	ApplicationCredentialID: {key: "auth.application_credential_id", env: []string{"OS_APPLICATION_CREDENTIAL_ID"}, str: func(c *Config) *string { return &c.ApplicationCredentialID },
		cloud: func(c cloudEntry) string { return auth(c).ApplicationCredentialID }},
	ApplicationCredentialName: {key: "auth.application_credential_name", env: []string{"OS_APPLICATION_CREDENTIAL_NAME"}, str: func(c *Config) *string { return &c.ApplicationCredentialName },
		cloud: func(c cloudEntry) string { return auth(c).ApplicationCredentialName }},
	ApplicationCredentialSecret: {key: "auth.application_credential_secret", env: []string{"OS_APPLICATION_CREDENTIAL_SECRET"}, str: func(c *Config) *string { return &c.ApplicationCredentialSecret },
		cloud: func(c cloudEntry) string { return auth(c).ApplicationCredentialSecret }},
	SystemScope: {key: "auth.system_scope", env: []string{"OS_SYSTEM_SCOPE"}, flag: func(c *Config) **bool { return &c.SystemScope }, cloud: func(c cloudEntry) string { return auth(c).SystemScope }},
	Insecure: {key: "verify", env: []string{"OS_INSECURE"}, flag: func(c *Config) **bool { return &c.Insecure }, cloud: func(c cloudEntry) string {
		if c.Verify == nil {
			return ""
		}
		return strconv.FormatBool(!*c.Verify)
	}},
	CACertFile:      {key: "cacert", env: []string{"OS_CACERT"}, str: func(c *Config) *string { return &c.CACertFile }, cloud: func(c cloudEntry) string { return c.CACertFile }},
	ClientCertFile:  {key: "cert", env: []string{"OS_CERT"}, str: func(c *Config) *string { return &c.ClientCertFile }, cloud: func(c cloudEntry) string { return c.ClientCertFile }},
	ClientKeyFile:   {key: "key", env: []string{"OS_KEY"}, str: func(c *Config) *string { return &c.ClientKeyFile }, cloud: func(c cloudEntry) string { return c.ClientKeyFile }},
	EndpointType:    {key: "interface", env: []string{"OS_INTERFACE", "OS_ENDPOINT_TYPE"}, str: func(c *Config) *string { return &c.EndpointType }, cloud: func(c cloudEntry) string { return cmp.Or(c.EndpointType, c.Interface) }},
	MaxMicroversion: {key: "compute_api_version", env: []string{"OS_COMPUTE_API_VERSION"}, str: func(c *Config) *string { return &c.MaxMicroversion }, cloud: func(c cloudEntry) string { return c.ComputeAPIVersion }},
}

// alternatives are settings that name the same thing two ways (by name
// or by ID): the first source that gives either form gives both, so that a
// lower source cannot add the other form (an OS_PROJECT_ID under a
// clouds.yaml project_name, say).
var alternatives = [][]Setting{
	{UserName, UserID},
	{ProjectName, ProjectID},
	{UserDomainName, UserDomainID},
	{ProjectDomainName, ProjectDomainID},
	{DomainName, DomainID},
}

// group is s with its alternatives.
func (s Setting) group() []Setting {
	for _, g := range alternatives {
		if slices.Contains(g, s) {
			return g
		}
	}
	return []Setting{s}
}

// String is the setting's key in a clouds.yaml cloud, e.g. "auth.auth_url".
func (s Setting) String() string { return settings[s].key }

// EnvVars lists the environment variables that supply s, the first one
// set winning.
func (s Setting) EnvVars() []string { return settings[s].env }

// Boolean reports whether s is a true/false setting (Set takes "true" or
// "false").
func (s Setting) Boolean() bool { return settings[s].flag != nil }

// Settings lists every setting.
func Settings() []Setting {
	all := make([]Setting, numSettings)
	for i := range all {
		all[i] = Setting(i)
	}
	return all
}

// Set stores an explicit string value for s in c ("" leaves it unset). A
// boolean setting takes "true" or "false".
func (c *Config) Set(s Setting, value string) error {
	if value == "" && settings[s].flag != nil {
		*settings[s].flag(c) = nil
		return nil
	}
	return c.setFrom(s, value)
}

func (c Config) getenv(names ...string) string {
	get := c.Getenv
	if get == nil {
		get = os.Getenv
	}
	for _, n := range names {
		if v := get(n); v != "" {
			return v
		}
	}
	return ""
}

// resolve fills every setting c leaves empty by the one rule: explicit
// value > the selected cloud's clouds.yaml entry > environment. A setting
// and its alternatives (name or ID of the same thing) come from the first
// source that gives any of them. It is the only place where clouds.yaml
// and OS_* variables are read.
func (c Config) resolve() (Config, error) {
	explicit := c
	sources := []func(Setting) string{explicit.value}
	if name := cmp.Or(c.Cloud, c.getenv("OS_CLOUD")); name != "" {
		layers, err := c.loadCloud(name)
		if err != nil {
			return c, err
		}
		c.Cloud = name
		for _, l := range layers {
			sources = append(sources, func(s Setting) string { return settings[s].cloud(l) })
		}
	}
	sources = append(sources, func(s Setting) string { return c.getenv(settings[s].env...) })

	for s := range numSettings {
		for i, source := range sources {
			if !slices.ContainsFunc(s.group(), func(alt Setting) bool { return source(alt) != "" }) {
				continue
			}
			if i > 0 { // not explicit
				if err := c.setFrom(s, source(s)); err != nil {
					return c, err
				}
			}
			// The cap is checked where it was read, so that an error names
			// what the user wrote (OS_COMPUTE_API_VERSION in an openrc file,
			// say), not the provider block's setting.
			if _, err := parseMaxMicroversion(c.MaxMicroversion); s == MaxMicroversion && err != nil {
				var se *SettingError
				if errors.As(err, &se) {
					switch {
					case i == len(sources)-1:
						se.From = firstSet(c.getenv, settings[s].env)
					case i > 0:
						se.From = fmt.Sprintf("compute_api_version of cloud %q in clouds.yaml", c.Cloud)
					}
				}
				return c, err
			}
			break
		}
	}
	return c, nil
}

// firstSet is the first of the environment variables vars that is set.
func firstSet(getenv func(...string) string, vars []string) string {
	for _, v := range vars {
		if getenv(v) != "" {
			return v
		}
	}
	return strings.Join(vars, ", ")
}

// value is s's value in c as a string ("" when unset).
func (c Config) value(s Setting) string {
	src := settings[s]
	if src.str != nil {
		return *src.str(&c)
	}
	if b := *src.flag(&c); b != nil {
		return strconv.FormatBool(*b)
	}
	return ""
}

// setFrom stores a value of s (explicit, from clouds.yaml or from the
// environment): strconv.ParseBool's forms for a boolean, and "all" for
// the system scope. Another system scope (e.g. "project") means none, as
// before; "" changes nothing.
func (c *Config) setFrom(s Setting, v string) error {
	src := settings[s]
	if src.str != nil {
		*src.str(c) = v
		return nil
	}
	b, err := strconv.ParseBool(v)
	switch {
	case v == "":
		return nil
	case s == SystemScope:
		b = err == nil && b || strings.EqualFold(v, "all")
	case err != nil:
		return &SettingError{Setting: s, Value: v, Reason: "is not a boolean (true or false)"}
	}
	*src.flag(c) = &b
	return nil
}

// loadCloud reads cloud name from clouds.yaml, using gophercloud's
// clouds.yaml types, and returns it in layers, the first one winning:
// its entry in secure.yaml beside clouds.yaml, its entry in clouds.yaml,
// and its clouds-public.yaml profile. The file is found as gophercloud and the openstack
// CLI find it: OS_CLIENT_CONFIG_FILE, else ./clouds.yaml,
// $XDG_CONFIG_HOME (or ~/.config)/openstack/clouds.yaml,
// /etc/openstack/clouds.yaml.
func (c Config) loadCloud(name string) ([]cloudEntry, error) {
	var locations []string
	if f := c.getenv("OS_CLIENT_CONFIG_FILE"); f != "" {
		locations = []string{f}
	} else {
		locations = c.searchPath("clouds.yaml")
	}
	path, data, err := firstReadable(locations)
	if err != nil {
		return nil, &CloudsYAMLError{Cloud: name, Err: err}
	}
	var file cloudsFile
	if err := yaml.Unmarshal(data, &file); err != nil {
		return nil, &CloudsYAMLError{Cloud: name, Path: path, Err: err}
	}
	cloud, ok := file.Clouds[name]
	if !ok {
		return nil, &CloudsYAMLError{Cloud: name, Path: path, Err: errors.New("no such cloud")}
	}
	layers := []cloudEntry{cloud}

	if data, err := os.ReadFile(filepath.Join(filepath.Dir(path), "secure.yaml")); err == nil {
		var secure cloudsFile
		if err := yaml.Unmarshal(data, &secure); err != nil {
			return nil, &CloudsYAMLError{Cloud: name, Path: filepath.Join(filepath.Dir(path), "secure.yaml"), Err: err}
		}
		if s, ok := secure.Clouds[name]; ok {
			layers = append([]cloudEntry{s}, layers...)
		}
	}
	if profile := cmp.Or(cloud.Profile, cloud.Cloud.Cloud); profile != "" {
		ppath, data, err := firstReadable(c.searchPath("clouds-public.yaml"))
		if err != nil {
			return nil, &CloudsYAMLError{Cloud: name, Path: path, Err: fmt.Errorf("profile %q: %w", profile, err)}
		}
		var public struct {
			Clouds map[string]cloudEntry `yaml:"public-clouds"`
		}
		if err := yaml.Unmarshal(data, &public); err != nil {
			return nil, &CloudsYAMLError{Cloud: name, Path: ppath, Err: err}
		}
		if p, ok := public.Clouds[profile]; ok {
			layers = append(layers, p)
		}
	}
	return layers, nil
}

// cloudsFile is clouds.yaml or secure.yaml.
type cloudsFile struct {
	Clouds map[string]cloudEntry `yaml:"clouds"`
}

// searchPath is where the openstack tools look for file.
func (c Config) searchPath(file string) []string {
	var dirs []string
	if cwd, err := os.Getwd(); err == nil {
		dirs = append(dirs, cwd)
	}
	if xdg := c.getenv("XDG_CONFIG_HOME"); xdg != "" {
		dirs = append(dirs, filepath.Join(xdg, "openstack"))
	} else if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".config", "openstack"))
	}
	dirs = append(dirs, "/etc/openstack")
	paths := make([]string, len(dirs))
	for i, d := range dirs {
		paths[i] = filepath.Join(d, file)
	}
	return paths
}

func firstReadable(paths []string) (string, []byte, error) {
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err == nil {
			return p, data, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return p, nil, err
		}
	}
	return "", nil, fmt.Errorf("no file found; looked for %s", strings.Join(paths, ", "))
}

// defaultDomainID is the domain used for the user and the project when
// none is named anywhere, as Keystone's bootstrap creates it.
const defaultDomainID = "default"

// resolved is a Config after resolve: what the client authenticates with.
type resolved struct {
	Config
	authOptions     gophercloud.AuthOptions
	endpointOpts    gophercloud.EndpointOpts
	maxMicroversion Microversion
	// insecure is true when TLS verification is off.
	insecure bool
}

// prepare resolves c and turns the result into gophercloud's options,
// checking what can be checked before anything is sent.
func (c Config) prepare() (resolved, error) {
	s, err := c.resolve()
	if err != nil {
		return resolved{}, err
	}
	r := resolved{Config: s, insecure: s.Insecure != nil && *s.Insecure}

	ao := gophercloud.AuthOptions{
		IdentityEndpoint:            s.AuthURL,
		Username:                    s.UserName,
		UserID:                      s.UserID,
		Password:                    s.Password,
		TokenID:                     s.Token,
		ApplicationCredentialID:     s.ApplicationCredentialID,
		ApplicationCredentialName:   s.ApplicationCredentialName,
		ApplicationCredentialSecret: s.ApplicationCredentialSecret,
		AllowReauth:                 s.AllowReauth == nil || *s.AllowReauth,
	}
	fallbackDomainName := s.DomainName
	fallbackDomainID := cmp.Or(s.DomainID, s.DefaultDomain)
	if fallbackDomainName == "" && fallbackDomainID == "" {
		fallbackDomainID = defaultDomainID
	}
	// A user named by name lives in a domain.
	if s.UserName != "" && s.UserID == "" {
		ao.DomainID, ao.DomainName = s.UserDomainID, s.UserDomainName
		if ao.DomainID == "" && ao.DomainName == "" {
			ao.DomainID, ao.DomainName = fallbackDomainID, fallbackDomainName
		}
	}
	// Application credentials carry their own scope.
	if s.ApplicationCredentialID == "" && s.ApplicationCredentialName == "" {
		switch {
		case s.SystemScope != nil && *s.SystemScope:
			ao.Scope = &gophercloud.AuthScope{System: true}
		case s.ProjectID != "":
			ao.Scope = &gophercloud.AuthScope{ProjectID: s.ProjectID}
		case s.ProjectName != "":
			sc := &gophercloud.AuthScope{ProjectName: s.ProjectName, DomainID: s.ProjectDomainID, DomainName: s.ProjectDomainName}
			if sc.DomainID == "" && sc.DomainName == "" {
				sc.DomainID, sc.DomainName = fallbackDomainID, fallbackDomainName
			}
			ao.Scope = sc
		case s.DomainID != "":
			ao.Scope = &gophercloud.AuthScope{DomainID: s.DomainID}
		case s.DomainName != "":
			ao.Scope = &gophercloud.AuthScope{DomainName: s.DomainName}
		}
	}
	// A token alone cannot be renewed: re-authenticating with it fails once
	// it expires. Without a scope, gophercloud then uses the token as it
	// is, with its own scope and catalog (it refuses re-authentication
	// there).
	if ao.TokenID != "" && (ao.Scope == nil || ao.Password == "" && ao.ApplicationCredentialSecret == "") {
		ao.AllowReauth = false
	}
	r.authOptions = ao

	switch strings.ToLower(strings.TrimSuffix(s.EndpointType, "URL")) {
	case "", "public":
		r.endpointOpts.Availability = gophercloud.AvailabilityPublic
	case "internal":
		r.endpointOpts.Availability = gophercloud.AvailabilityInternal
	case "admin":
		r.endpointOpts.Availability = gophercloud.AvailabilityAdmin
	default:
		return r, &SettingError{Setting: EndpointType, Value: s.EndpointType, Reason: "is not an interface; use public, internal or admin"}
	}
	r.endpointOpts.Region = s.Region

	if r.maxMicroversion, err = parseMaxMicroversion(s.MaxMicroversion); err != nil {
		return r, err
	}
	return r, r.validate()
}

// MaxMicroversionSyntax is what the maximum microversion setting takes,
// from every source, as the openstack CLI takes OS_COMPUTE_API_VERSION: a
// compute microversion such as 2.60 (a cap), or 2 or 2.0 (the major
// version alone), latest or 2.latest (the newest), which set no cap.
var MaxMicroversionSyntax = regexp.MustCompile(`^(2|2\.\d+|2\.latest|latest)$`) // 2.0 included: the CLI takes it as 2

// parseMaxMicroversion reads the cap ("", 2, 2.0, latest and 2.latest:
// none).
func parseMaxMicroversion(v string) (Microversion, error) {
	if v == "" || v == "2" || v == "2.0" || v == "latest" || v == "2.latest" {
		return Microversion{}, nil
	}
	if !MaxMicroversionSyntax.MatchString(v) {
		return Microversion{}, &SettingError{Setting: MaxMicroversion, Value: v, Reason: "is not a compute microversion like 2.60 (or 2, latest, 2.latest: no cap)"}
	}
	mv, err := ParseMicroversion(v)
	if err != nil {
		return Microversion{}, &SettingError{Setting: MaxMicroversion, Value: v, Reason: "is not a compute microversion like 2.60 (or 2, latest, 2.latest: no cap)", Err: err}
	}
	if mv.Less(V2_1) {
		return Microversion{}, &SettingError{Setting: MaxMicroversion, Value: v, Reason: "is below 2.1, the oldest compute API the provider speaks"}
	}
	return mv, nil
}

// validate reports missing settings before anything is sent.
func (r resolved) validate() error {
	ao := r.authOptions
	var missing [][]Setting
	if ao.IdentityEndpoint == "" {
		missing = append(missing, []Setting{AuthURL})
	}
	switch {
	case ao.ApplicationCredentialID != "" || ao.ApplicationCredentialName != "":
		if ao.ApplicationCredentialSecret == "" {
			missing = append(missing, []Setting{ApplicationCredentialSecret})
		}
		if ao.ApplicationCredentialID == "" && ao.Username == "" && ao.UserID == "" {
			missing = append(missing, []Setting{UserName, UserID})
		}
	case ao.TokenID != "":
	case ao.Username == "" && ao.UserID == "":
		missing = append(missing, []Setting{UserName, UserID, Token, ApplicationCredentialID})
	case ao.Password == "":
		missing = append(missing, []Setting{Password})
	}
	if len(missing) > 0 {
		return &MissingSettingsError{Missing: missing}
	}
	return nil
}

// tlsConfig builds the TLS client configuration from the resolved
// settings: the CA file, the client certificate and key, and whether to
// verify at all. A path starting with ~/ is in the user's home directory.
func (r resolved) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: r.insecure} //nolint:gosec // the user's explicit choice, warned about by the provider
	if r.CACertFile != "" {
		pem, err := os.ReadFile(expandHome(r.CACertFile))
		if err != nil {
			return nil, &SettingError{Setting: CACertFile, Value: r.CACertFile, Reason: "cannot be read", Err: err}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(bytes.TrimSpace(pem)) {
			return nil, &SettingError{Setting: CACertFile, Value: r.CACertFile, Reason: "holds no PEM certificate"}
		}
		cfg.RootCAs = pool
	}
	switch {
	case r.ClientCertFile != "" && r.ClientKeyFile != "":
		pair, err := tls.LoadX509KeyPair(expandHome(r.ClientCertFile), expandHome(r.ClientKeyFile))
		if err != nil {
			return nil, &SettingError{Setting: ClientCertFile, Value: r.ClientCertFile, Reason: "and its key are not a usable client certificate and key", Err: err}
		}
		cfg.Certificates = []tls.Certificate{pair}
	case r.ClientCertFile != "":
		return nil, &MissingSettingsError{Missing: [][]Setting{{ClientKeyFile}}}
	case r.ClientKeyFile != "":
		return nil, &MissingSettingsError{Missing: [][]Setting{{ClientCertFile}}}
	}
	return cfg, nil
}

func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}
