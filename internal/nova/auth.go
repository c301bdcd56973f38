package nova

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
)

// Config holds the settings the user gave explicitly (in the provider
// block). Anything left empty is taken from clouds.yaml when a cloud is
// selected, and then from the usual OS_* environment variables:
// explicit setting > clouds.yaml > environment.
type Config struct {
	Cloud   string
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

	SystemScope *bool

	Insecure       *bool
	CACertFile     string
	ClientCertFile string
	ClientKeyFile  string

	// EndpointType is public, internal or admin.
	EndpointType      string
	EndpointOverrides map[string]string

	// MaxRetries bounds the retries of one request; nil means
	// DefaultMaxRetries.
	MaxRetries *int
	// AllowReauth renews an expired token; nil means true.
	AllowReauth *bool
	// MaxMicroversion caps the compute microversion ("" means no cap).
	MaxMicroversion string

	// UserAgent is prepended to gophercloud's User-Agent.
	UserAgent string

	// Getenv reads the environment; nil means os.Getenv. Tests replace it.
	Getenv func(string) string
	// HTTPTransport is the transport under the retrying, logging layer;
	// nil means a clone of http.DefaultTransport. Tests replace it.
	HTTPTransport http.RoundTripper
}

// settings is one flat set of values, from one source or merged.
type settings struct {
	authURL, userName, userID, password   string
	projectName, projectID                string
	userDomainName, userDomainID          string
	projectDomainName, projectDomainID    string
	domainName, domainID, defaultDomain   string
	token                                 string
	appCredID, appCredName, appCredSecret string
	systemScope                           bool
	region, endpointType                  string
	insecure                              *bool
	cacert, cert, key                     string
}

// merge fills every empty field of s from o.
func (s *settings) merge(o settings) {
	for _, p := range []struct {
		dst *string
		src string
	}{
		{&s.authURL, o.authURL}, {&s.userName, o.userName}, {&s.userID, o.userID}, {&s.password, o.password},
		{&s.projectName, o.projectName}, {&s.projectID, o.projectID},
		{&s.userDomainName, o.userDomainName}, {&s.userDomainID, o.userDomainID},
		{&s.projectDomainName, o.projectDomainName}, {&s.projectDomainID, o.projectDomainID},
		{&s.domainName, o.domainName}, {&s.domainID, o.domainID}, {&s.defaultDomain, o.defaultDomain},
		{&s.token, o.token},
		{&s.appCredID, o.appCredID}, {&s.appCredName, o.appCredName}, {&s.appCredSecret, o.appCredSecret},
		{&s.region, o.region}, {&s.endpointType, o.endpointType},
		{&s.cacert, o.cacert}, {&s.cert, o.cert}, {&s.key, o.key},
	} {
		if *p.dst == "" {
			*p.dst = p.src
		}
	}
	s.systemScope = s.systemScope || o.systemScope
	if s.insecure == nil {
		s.insecure = o.insecure
	}
}

// resolved is a Config after clouds.yaml and the environment have filled
// its gaps: what the client authenticates with.
type resolved struct {
	authOptions  gophercloud.AuthOptions
	endpointOpts gophercloud.EndpointOpts
	tlsConfig    *tls.Config
	cloud        string
}

// defaultDomainID is the domain used for the user and the project when
// none is named anywhere, as Keystone's bootstrap creates it.
const defaultDomainID = "default"

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

func coalesce(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func (c Config) explicit() settings {
	s := settings{
		authURL: c.AuthURL, userName: c.UserName, userID: c.UserID, password: c.Password,
		projectName: c.ProjectName, projectID: c.ProjectID,
		userDomainName: c.UserDomainName, userDomainID: c.UserDomainID,
		projectDomainName: c.ProjectDomainName, projectDomainID: c.ProjectDomainID,
		domainName: c.DomainName, domainID: c.DomainID, defaultDomain: c.DefaultDomain,
		token:     c.Token,
		appCredID: c.ApplicationCredentialID, appCredName: c.ApplicationCredentialName, appCredSecret: c.ApplicationCredentialSecret,
		region: c.Region, endpointType: c.EndpointType,
		insecure: c.Insecure, cacert: c.CACertFile, cert: c.ClientCertFile, key: c.ClientKeyFile,
	}
	if c.SystemScope != nil {
		s.systemScope = *c.SystemScope
	}
	return s
}

func (c Config) environment() settings {
	s := settings{
		authURL:  c.getenv("OS_AUTH_URL"),
		userName: c.getenv("OS_USERNAME", "OS_USER_NAME"), userID: c.getenv("OS_USER_ID"),
		password:    c.getenv("OS_PASSWORD"),
		projectName: c.getenv("OS_PROJECT_NAME", "OS_TENANT_NAME"), projectID: c.getenv("OS_PROJECT_ID", "OS_TENANT_ID"),
		userDomainName: c.getenv("OS_USER_DOMAIN_NAME"), userDomainID: c.getenv("OS_USER_DOMAIN_ID"),
		projectDomainName: c.getenv("OS_PROJECT_DOMAIN_NAME"), projectDomainID: c.getenv("OS_PROJECT_DOMAIN_ID"),
		domainName: c.getenv("OS_DOMAIN_NAME"), domainID: c.getenv("OS_DOMAIN_ID"), defaultDomain: c.getenv("OS_DEFAULT_DOMAIN"),
		token:     c.getenv("OS_TOKEN", "OS_AUTH_TOKEN"),
		appCredID: c.getenv("OS_APPLICATION_CREDENTIAL_ID"), appCredName: c.getenv("OS_APPLICATION_CREDENTIAL_NAME"),
		appCredSecret: c.getenv("OS_APPLICATION_CREDENTIAL_SECRET"),
		region:        c.getenv("OS_REGION_NAME"), endpointType: c.getenv("OS_INTERFACE", "OS_ENDPOINT_TYPE"),
		cacert: c.getenv("OS_CACERT"), cert: c.getenv("OS_CERT"), key: c.getenv("OS_KEY"),
	}
	if b, err := strconv.ParseBool(c.getenv("OS_SYSTEM_SCOPE")); err == nil {
		s.systemScope = b
	} else if strings.EqualFold(c.getenv("OS_SYSTEM_SCOPE"), "all") {
		s.systemScope = true
	}
	if b, err := strconv.ParseBool(c.getenv("OS_INSECURE")); err == nil {
		s.insecure = &b
	}
	return s
}

// fromCloudsYAML reads the cloud's settings. gophercloud's parser finds the
// file (OS_CLIENT_CONFIG_FILE, ./, ~/.config/openstack/, /etc/openstack/),
// merges secure.yaml and public cloud profiles, and builds the TLS
// configuration (explicit TLS settings are passed in so that they win).
func (c Config) fromCloudsYAML(cloud string, ex settings) (settings, *tls.Config, error) {
	opts := []clouds.ParseOption{
		clouds.WithCloudName(cloud),
		// Pass these even when empty, so that clouds.yaml wins over the
		// OS_REGION_NAME and OS_INTERFACE gophercloud would read itself.
		clouds.WithRegion(ex.region),
		clouds.WithEndpointType(ex.endpointType),
	}
	if f := c.getenv("OS_CLIENT_CONFIG_FILE"); f != "" {
		opts = append(opts, clouds.WithLocations(f))
	}
	if ex.cacert != "" {
		opts = append(opts, clouds.WithCACertPath(ex.cacert))
	}
	if ex.cert != "" {
		opts = append(opts, clouds.WithClientCertPath(ex.cert))
	}
	if ex.key != "" {
		opts = append(opts, clouds.WithClientKeyPath(ex.key))
	}
	if ex.insecure != nil {
		opts = append(opts, clouds.WithInsecure(*ex.insecure))
	}
	ao, eo, tlsConfig, err := clouds.Parse(opts...)
	if err != nil {
		return settings{}, nil, fmt.Errorf("reading cloud %q from clouds.yaml (named by `cloud` or OS_CLOUD): %w", cloud, err)
	}
	s := settings{
		authURL: ao.IdentityEndpoint, userName: ao.Username, userID: ao.UserID, password: ao.Password,
		userDomainName: ao.DomainName, userDomainID: ao.DomainID,
		projectName: ao.TenantName, projectID: ao.TenantID,
		token:     ao.TokenID,
		appCredID: ao.ApplicationCredentialID, appCredName: ao.ApplicationCredentialName, appCredSecret: ao.ApplicationCredentialSecret,
		region: eo.Region, endpointType: string(eo.Availability),
	}
	if sc := ao.Scope; sc != nil {
		s.systemScope = sc.System
		switch {
		case sc.ProjectID != "":
			s.projectID = sc.ProjectID
		case sc.ProjectName != "":
			s.projectName = sc.ProjectName
			s.projectDomainName, s.projectDomainID = sc.DomainName, sc.DomainID
		default:
			s.domainName, s.domainID = sc.DomainName, sc.DomainID
		}
	}
	return s, tlsConfig, nil
}

// resolve applies clouds.yaml and the environment to c.
func (c Config) resolve() (resolved, error) {
	var r resolved
	r.cloud = coalesce(c.Cloud, c.getenv("OS_CLOUD"))

	s := c.explicit()
	if r.cloud != "" {
		fromYAML, tlsConfig, err := c.fromCloudsYAML(r.cloud, s)
		if err != nil {
			return r, err
		}
		s.merge(fromYAML)
		r.tlsConfig = tlsConfig
	}
	s.merge(c.environment())

	if r.tlsConfig == nil {
		tlsConfig, err := buildTLSConfig(s)
		if err != nil {
			return r, err
		}
		r.tlsConfig = tlsConfig
	}

	ao := gophercloud.AuthOptions{
		IdentityEndpoint:            s.authURL,
		Username:                    s.userName,
		UserID:                      s.userID,
		Password:                    s.password,
		TokenID:                     s.token,
		ApplicationCredentialID:     s.appCredID,
		ApplicationCredentialName:   s.appCredName,
		ApplicationCredentialSecret: s.appCredSecret,
		AllowReauth:                 c.AllowReauth == nil || *c.AllowReauth,
	}
	fallbackDomainName := s.domainName
	fallbackDomainID := coalesce(s.domainID, s.defaultDomain)
	if fallbackDomainName == "" && fallbackDomainID == "" {
		fallbackDomainID = defaultDomainID
	}
	// A user named by name lives in a domain.
	if s.userName != "" && s.userID == "" {
		ao.DomainID, ao.DomainName = s.userDomainID, s.userDomainName
		if ao.DomainID == "" && ao.DomainName == "" {
			ao.DomainID, ao.DomainName = fallbackDomainID, fallbackDomainName
		}
	}
	// Application credentials carry their own scope.
	if s.appCredID == "" && s.appCredName == "" {
		switch {
		case s.systemScope:
			ao.Scope = &gophercloud.AuthScope{System: true}
		case s.projectID != "":
			ao.Scope = &gophercloud.AuthScope{ProjectID: s.projectID}
		case s.projectName != "":
			sc := &gophercloud.AuthScope{ProjectName: s.projectName, DomainID: s.projectDomainID, DomainName: s.projectDomainName}
			if sc.DomainID == "" && sc.DomainName == "" {
				sc.DomainID, sc.DomainName = fallbackDomainID, fallbackDomainName
			}
			ao.Scope = sc
		case s.domainID != "":
			ao.Scope = &gophercloud.AuthScope{DomainID: s.domainID}
		case s.domainName != "":
			ao.Scope = &gophercloud.AuthScope{DomainName: s.domainName}
		}
	}

	switch strings.ToLower(strings.TrimSuffix(s.endpointType, "URL")) {
	case "", "public":
		r.endpointOpts.Availability = gophercloud.AvailabilityPublic
	case "internal":
		r.endpointOpts.Availability = gophercloud.AvailabilityInternal
	case "admin":
		r.endpointOpts.Availability = gophercloud.AvailabilityAdmin
	default:
		return r, &ConfigError{Invalid: []string{fmt.Sprintf("`endpoint_type` (or OS_INTERFACE) is %q; use public, internal or admin", s.endpointType)}}
	}
	r.endpointOpts.Region = s.region

	r.authOptions = ao
	return r, r.validate()
}

func buildTLSConfig(s settings) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.insecure != nil {
		cfg.InsecureSkipVerify = *s.insecure
	}
	if s.cacert != "" {
		pem, err := os.ReadFile(s.cacert)
		if err != nil {
			return nil, &ConfigError{Invalid: []string{fmt.Sprintf("`cacert_file` (or OS_CACERT) %q cannot be read: %v", s.cacert, err)}}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(bytes.TrimSpace(pem)) {
			return nil, &ConfigError{Invalid: []string{fmt.Sprintf("`cacert_file` (or OS_CACERT) %q holds no PEM certificate", s.cacert)}}
		}
		cfg.RootCAs = pool
	}
	switch {
	case s.cert != "" && s.key != "":
		pair, err := tls.LoadX509KeyPair(s.cert, s.key)
		if err != nil {
			return nil, &ConfigError{Invalid: []string{fmt.Sprintf("`cert` and `key` (or OS_CERT and OS_KEY) are not a usable client certificate and key: %v", err)}}
		}
		cfg.Certificates = []tls.Certificate{pair}
	case s.cert != "":
		return nil, &ConfigError{Missing: []string{"`key` (or OS_KEY), the private key of the client certificate `cert`"}}
	case s.key != "":
		return nil, &ConfigError{Missing: []string{"`cert` (or OS_CERT), the client certificate for `key`"}}
	}
	return cfg, nil
}

// validate reports a missing setting by the name a user can set.
func (r resolved) validate() error {
	ao := r.authOptions
	var missing []string
	if ao.IdentityEndpoint == "" {
		missing = append(missing, "`auth_url` (or OS_AUTH_URL, or `auth.auth_url` of a clouds.yaml cloud)")
	}
	switch {
	case ao.ApplicationCredentialID != "" || ao.ApplicationCredentialName != "":
		if ao.ApplicationCredentialSecret == "" {
			missing = append(missing, "`application_credential_secret` (or OS_APPLICATION_CREDENTIAL_SECRET)")
		}
		if ao.ApplicationCredentialID == "" && ao.Username == "" && ao.UserID == "" {
			missing = append(missing, "`user_name` or `user_id` (an application credential named by `application_credential_name` belongs to a user)")
		}
	case ao.TokenID != "":
	case ao.Username == "" && ao.UserID == "":
		missing = append(missing, "`user_name` (or OS_USERNAME), or `token`, or `application_credential_id`")
	case ao.Password == "":
		missing = append(missing, "`password` (or OS_PASSWORD)")
	}
	if len(missing) > 0 {
		return &ConfigError{Missing: missing}
	}
	return nil
}

// ConfigError says which settings are missing or wrong before anything is
// sent.
type ConfigError struct {
	Missing []string
	Invalid []string
}

func (e *ConfigError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, "missing provider settings: "+strings.Join(e.Missing, "; "))
	}
	parts = append(parts, e.Invalid...)
	return strings.Join(parts, "; ")
}

// AuthError is a failed authentication, with what a user needs to fix it.
type AuthError struct {
	AuthURL string
	Who     string
	Err     error
}

func (e *AuthError) Error() string {
	hint := "check `auth_url` (OS_AUTH_URL) and that Keystone is reachable from here"
	var code gophercloud.ErrUnexpectedResponseCode
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var urlErr *url.Error
	detail := APIMessage(e.Err)
	switch {
	case errors.As(e.Err, &code) && code.Actual == http.StatusUnauthorized:
		hint = "Keystone rejected the credentials: check `user_name`/`user_id`, `password`, `token` or the application credential, " +
			"the user's domain (`user_domain_name`), and the project (`tenant_name`/`tenant_id`, `project_domain_name`)"
	case errors.As(e.Err, &code) && code.Actual == http.StatusNotFound:
		hint = "check `auth_url`: it should be Keystone's identity endpoint, e.g. https://keystone.example.com:5000/v3"
	case errors.As(e.Err, &certErr), errors.As(e.Err, &unknownAuthority), errors.As(e.Err, &hostnameErr):
		hint = "the TLS certificate of `auth_url` was not accepted: set `cacert_file` (OS_CACERT) to the CA that signed it, or `insecure = true` to skip verification"
	case errors.As(e.Err, &opErr) && opErr.Op == "remote error":
		hint = "the server refused the TLS handshake, most often over the client certificate: check `cert` and `key` (OS_CERT, OS_KEY)"
	case errors.As(e.Err, &dnsErr):
		hint = "the host of `auth_url` (OS_AUTH_URL) does not resolve"
	case errors.As(e.Err, &urlErr):
		detail = urlErr.Err.Error()
	}
	return fmt.Sprintf("authenticating at %s as %s failed: %s. (%s)", e.AuthURL, e.Who, hint, detail)
}

func (e *AuthError) Unwrap() error { return e.Err }

// who describes the identity being authenticated, with no secret in it.
func (r resolved) who() string {
	ao := r.authOptions
	var who string
	switch {
	case ao.ApplicationCredentialID != "":
		who = fmt.Sprintf("application credential %q", ao.ApplicationCredentialID)
	case ao.ApplicationCredentialName != "":
		who = fmt.Sprintf("application credential %q of user %q", ao.ApplicationCredentialName, coalesce(ao.Username, ao.UserID))
	case ao.TokenID != "" && ao.Username == "" && ao.UserID == "":
		who = "the given token"
	default:
		who = fmt.Sprintf("user %q", coalesce(ao.Username, ao.UserID))
	}
	if sc := ao.Scope; sc != nil {
		switch {
		case sc.System:
			who += " with system scope"
		case sc.ProjectID != "":
			who += fmt.Sprintf(" in project %q", sc.ProjectID)
		case sc.ProjectName != "":
			who += fmt.Sprintf(" in project %q", sc.ProjectName)
		case sc.DomainID != "" || sc.DomainName != "":
			who += fmt.Sprintf(" in domain %q", coalesce(sc.DomainName, sc.DomainID))
		}
	}
	return who
}

// NewClient authenticates with the cloud that cfg describes and returns the
// client shared by every resource of a provider instance.
func NewClient(ctx context.Context, cfg Config) (*Client, error) {
	r, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	var maxMV Microversion
	if cfg.MaxMicroversion != "" {
		if maxMV, err = ParseMicroversion(cfg.MaxMicroversion); err != nil {
			return nil, &ConfigError{Invalid: []string{"`max_microversion`: " + err.Error()}}
		}
		if maxMV.Less(V2_1) {
			return nil, &ConfigError{Invalid: []string{fmt.Sprintf("`max_microversion` %s is below 2.1, the oldest compute API the provider speaks", maxMV)}}
		}
	}

	pc, err := openstack.NewClient(r.authOptions.IdentityEndpoint)
	if err != nil {
		return nil, &ConfigError{Invalid: []string{fmt.Sprintf("`auth_url` %q is not a usable URL: %v", r.authOptions.IdentityEndpoint, err)}}
	}

	base := cfg.HTTPTransport
	if base == nil {
		defaultTransport, ok := http.DefaultTransport.(*http.Transport)
		if !ok {
			return nil, fmt.Errorf("http.DefaultTransport is a %T, not an *http.Transport", http.DefaultTransport)
		}
		t := defaultTransport.Clone()
		t.TLSClientConfig = r.tlsConfig
		t.ResponseHeaderTimeout = responseHeaderTimeout
		base = t
	}
	maxRetries := DefaultMaxRetries
	if cfg.MaxRetries != nil {
		maxRetries = max(0, *cfg.MaxRetries)
	}
	tr := newTransport(base, maxRetries)
	for _, s := range []string{r.authOptions.Password, r.authOptions.ApplicationCredentialSecret, r.authOptions.TokenID} {
		tr.addSecret(s)
	}
	pc.HTTPClient = http.Client{Transport: tr}
	if cfg.UserAgent != "" {
		pc.UserAgent.Prepend(cfg.UserAgent)
	}

	if err := openstack.Authenticate(ctx, pc, r.authOptions); err != nil {
		return nil, &AuthError{AuthURL: r.authOptions.IdentityEndpoint, Who: r.who(), Err: err}
	}
	if tok := pc.Token(); tok != "" {
		tr.addSecret(tok)
	}

	c := &Client{
		provider:        pc,
		endpointOpts:    r.endpointOpts,
		region:          r.endpointOpts.Region,
		maxMicroversion: maxMV,
		transport:       tr,
	}
	if o := cfg.EndpointOverrides["compute"]; o != "" {
		c.computeOverride = expandProjectID(o, tokenProjectID(pc))
	}
	if c.region == "" {
		c.region = catalogRegion(pc, r.endpointOpts.Availability)
	}
	// Fail now, with the settings named, if there is no compute endpoint.
	if _, err := c.newComputeClient(c.region); err != nil {
		return nil, err
	}
	return c, nil
}

func tokenProjectID(pc *gophercloud.ProviderClient) string {
	result, ok := pc.GetAuthResult().(tokens.CreateResult)
	if !ok {
		return ""
	}
	p, err := result.ExtractProject()
	if err != nil || p == nil {
		return ""
	}
	return p.ID
}

// catalogRegion finds the region of the first compute endpoint of the given
// interface in the token's catalog, for clouds configured without a region.
func catalogRegion(pc *gophercloud.ProviderClient, availability gophercloud.Availability) string {
	result, ok := pc.GetAuthResult().(tokens.CreateResult)
	if !ok {
		return ""
	}
	catalog, err := result.ExtractServiceCatalog()
	if err != nil {
		return ""
	}
	iface := availabilityName(availability)
	for _, entry := range catalog.Entries {
		if entry.Type != "compute" {
			continue
		}
		for _, ep := range entry.Endpoints {
			if ep.Interface == iface {
				return coalesce(ep.RegionID, ep.Region)
			}
		}
	}
	return ""
}
