package nova

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
)

// The errors of this package are typed and carry what a caller needs to
// explain them in its own words (the provider names Terraform attributes);
// their Error texts speak OpenStack: clouds.yaml keys, OS_* variables,
// microversions.

// SettingError is a setting whose value cannot be used, found before
// anything is sent.
type SettingError struct {
	Setting Setting
	// Value is the offending value (never a secret: only non-secret
	// settings are checked this way).
	Value string
	// Reason completes "<setting> <value> ...", e.g. "cannot be read".
	Reason string
	Err    error
	// From is where the value was read when not from the provider block:
	// an environment variable, or a clouds.yaml key.
	From string
}

func (e *SettingError) Error() string {
	msg := fmt.Sprintf("%s (%s) %q %s", e.Setting, strings.Join(e.Setting.EnvVars(), ", "), e.Value, e.Reason)
	if e.From != "" {
		msg = fmt.Sprintf("%s %q %s (the provider takes it as the highest compute microversion to use)", e.From, e.Value, e.Reason)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *SettingError) Unwrap() error { return e.Err }

// MissingSettingsError lists settings that are needed and set nowhere
// (neither explicitly, nor in clouds.yaml, nor in the environment).
type MissingSettingsError struct {
	// Missing holds one entry per need; any one setting of an entry
	// satisfies it.
	Missing [][]Setting
}

func (e *MissingSettingsError) Error() string {
	needs := make([]string, len(e.Missing))
	for i, alternatives := range e.Missing {
		names := make([]string, len(alternatives))
		for j, s := range alternatives {
			names[j] = fmt.Sprintf("%s (%s)", s, strings.Join(s.EnvVars(), ", "))
		}
		needs[i] = strings.Join(names, " or ")
	}
	return "missing settings: " + strings.Join(needs, "; ")
}

// CloudsYAMLError is a cloud selected by name (OS_CLOUD) that cannot be
// read from clouds.yaml.
type CloudsYAMLError struct {
	Cloud string
	Path  string // "" when no clouds.yaml was found
	Err   error
}

func (e *CloudsYAMLError) Error() string {
	where := "clouds.yaml"
	if e.Path != "" {
		where = e.Path
	}
	return fmt.Sprintf("reading cloud %q from %s: %v", e.Cloud, where, e.Err)
}

func (e *CloudsYAMLError) Unwrap() error { return e.Err }

// AuthFailure classifies a failed authentication by what the user should
// look at.
type AuthFailure int

const (
	// AuthUnreachable is no answer from the identity endpoint.
	AuthUnreachable AuthFailure = iota
	// AuthRejected is Keystone's 401 to the credentials or scope.
	AuthRejected
	// AuthNotIdentityEndpoint is a 404 from the auth URL.
	AuthNotIdentityEndpoint
	// AuthCertificateUntrusted is an endpoint TLS certificate that was not
	// verified against the CA file or the system roots.
	AuthCertificateUntrusted
	// AuthHandshakeRefused is a TLS handshake the server refused, most
	// often over the client certificate.
	AuthHandshakeRefused
	// AuthHostUnknown is an auth URL whose host does not resolve.
	AuthHostUnknown
	// AuthInvalidOptions is a combination of credentials gophercloud
	// refuses before sending anything (e.g. both a user name and a user
	// ID for a password).
	AuthInvalidOptions
)

// AuthError is a failed authentication with Keystone.
type AuthError struct {
	AuthURL string
	// Who describes the identity and scope, with no secret in it.
	Who     string
	Failure AuthFailure
	Err     error
}

func classifyAuthFailure(err error) AuthFailure {
	var code gophercloud.ErrUnexpectedResponseCode
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &code) && code.Actual == http.StatusUnauthorized:
		return AuthRejected
	case errors.As(err, &code) && code.Actual == http.StatusNotFound:
		return AuthNotIdentityEndpoint
	case errors.As(err, &certErr), errors.As(err, &unknownAuthority), errors.As(err, &hostnameErr):
		return AuthCertificateUntrusted
	case errors.As(err, &opErr) && opErr.Op == "remote error":
		return AuthHandshakeRefused
	case errors.As(err, &dnsErr):
		return AuthHostUnknown
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return AuthUnreachable // no answer in the time there was
	case !errors.As(err, &code) && !errors.As(err, new(*url.Error)):
		return AuthInvalidOptions // nothing was sent: no answer, no transport error
	}
	return AuthUnreachable
}

// Detail is what went wrong, as Keystone or the network said it.
func (e *AuthError) Detail() string {
	var urlErr *url.Error
	var code gophercloud.ErrUnexpectedResponseCode
	if !errors.As(e.Err, &code) && errors.As(e.Err, &urlErr) {
		return urlErr.Err.Error()
	}
	return APIMessage(e.Err)
}

func (e *AuthError) Error() string {
	what := map[AuthFailure]string{
		AuthUnreachable:          "Keystone is not reachable",
		AuthRejected:             "Keystone rejected the credentials",
		AuthNotIdentityEndpoint:  "the URL is not Keystone's identity endpoint",
		AuthCertificateUntrusted: "the endpoint's TLS certificate is not trusted",
		AuthHandshakeRefused:     "the server refused the TLS handshake",
		AuthHostUnknown:          "the host does not resolve",
		AuthInvalidOptions:       "the credentials are not a usable combination",
	}[e.Failure]
	return fmt.Sprintf("authenticating at %s as %s failed: %s (%s)", e.AuthURL, e.Who, what, e.Detail())
}

func (e *AuthError) Unwrap() error { return e.Err }

// EndpointError is a missing compute endpoint in the service catalog.
type EndpointError struct {
	Region    string
	Interface string
	// Regions are the regions the catalog has compute endpoints of that
	// interface in (none when it has no compute endpoint at all).
	Regions []string
	Err     error
}

func (e *EndpointError) Error() string {
	msg := fmt.Sprintf("the service catalog has no compute endpoint for region %q and interface %q", e.Region, e.Interface)
	if len(e.Regions) > 0 {
		msg += fmt.Sprintf(" (it has one in %s)", quotedList(e.Regions))
	}
	return msg
}

// quotedList is ["a", "b"] as `"a", "b"`.
func quotedList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func (e *EndpointError) Unwrap() error { return e.Err }

// MicroversionError says that a feature needs a newer compute API than
// the cloud (or the configured maximum microversion) allows. It is
// returned before any write is attempted.
type MicroversionError struct {
	Feature  Feature
	Required Microversion
	// Max is the highest microversion allowed: the endpoint's, or the cap.
	Max Microversion
	// Legacy is a /v2 or /v1.1 endpoint without microversions (2.1).
	Legacy bool
	// Capped is set when Max is the configured cap (MaxMicroversion), not
	// the endpoint's own maximum.
	Capped bool
}

func (e *MicroversionError) Error() string {
	why := fmt.Sprintf("the compute endpoint supports at most %s", e.Max)
	switch {
	case e.Legacy:
		why = "the compute endpoint is a legacy one (/v2 or /v1.1) without microversions, i.e. 2.1"
	case e.Capped:
		why = fmt.Sprintf("the configured maximum microversion (%s, %s) caps it at %s", MaxMicroversion, strings.Join(MaxMicroversion.EnvVars(), ", "), e.Max)
	}
	return fmt.Sprintf("%s needs compute API microversion %s or later, but %s", e.Feature, e.Required, why)
}

// ConflictError is a keypair of that name that holds another key, found
// after a create whose answer was lost.
type ConflictError struct {
	Name string
	Err  error
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("keypair %q already exists with another public key", e.Name)
}

func (e *ConflictError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is Nova's 404, or a *NotFoundError: the
// keypair does not exist for that user.
func IsNotFound(err error) bool {
	var notFound *NotFoundError
	return errors.As(err, &notFound) || gophercloud.ResponseCodeIs(err, http.StatusNotFound)
}

// NotFoundError is a keypair absent from its user's complete keypair
// list (Client.FindKeypair): what a GET would have answered with a 404.
type NotFoundError struct {
	Name   string
	UserID string // "" is the caller
	Region string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("keypair %q is not in the keypair list of %s in region %q", e.Name, cmp.Or(e.UserID, "the authenticated user"), e.Region)
}

// IsConflict reports whether err is Nova's 409, or a create found to
// conflict after its answer was lost: a keypair of that name already
// exists for that user.
func IsConflict(err error) bool {
	var conflict *ConflictError
	return errors.As(err, &conflict) || gophercloud.ResponseCodeIs(err, http.StatusConflict)
}

// APIMessage returns the message of Nova's error body, e.g. "Key pair 'x'
// already exists.", or err's own text when there is none.
//
// Nova wraps errors as {"<kind>": {"code": 409, "message": "..."}}.
func APIMessage(err error) string {
	if err == nil {
		return ""
	}
	var conflict *ConflictError
	if errors.As(err, &conflict) {
		return conflict.Error()
	}
	var code gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &code) {
		var body map[string]struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(code.Body, &body) == nil {
			for _, v := range body {
				if v.Message != "" {
					return v.Message
				}
			}
		}
	}
	return err.Error()
}

// IsForbidden reports whether err is Nova's 403 for a policy: the caller
// may not do that (e.g. name another user's keypairs without being an
// admin).
func IsForbidden(err error) bool {
	return gophercloud.ResponseCodeIs(err, http.StatusForbidden) && !IsOverQuota(err)
}

// IsOverQuota reports whether err is Nova's 403 for the keypair quota:
// the user has as many keypairs as it may. Nova says so only in the
// message ("Quota exceeded, too many key pairs."); its kind is "forbidden"
// like a policy refusal.
func IsOverQuota(err error) bool {
	return gophercloud.ResponseCodeIs(err, http.StatusForbidden) && strings.Contains(strings.ToLower(APIMessage(err)), "quota exceeded")
}

// UnsettledError is a create or delete whose context ended while its
// request may have been at Nova, and whose outcome could not be read back
// either: the keypair may or may not exist.
type UnsettledError struct {
	Op    string // "create" or "delete"
	Name  string
	Cause error // why the request ended
	Err   error // why reading the keypair back failed
}

func (e *UnsettledError) Error() string {
	return fmt.Sprintf("the %s of keypair %q was cut short (%v), and reading it back failed too (%v): Nova may or may not hold it", e.Op, e.Name, e.Cause, e.Err)
}

func (e *UnsettledError) Unwrap() error { return e.Cause }

// StillHeldError is a delete whose context ended while its request may
// have been at Nova, and after which Nova still held the keypair at the
// last look: the keypair was not deleted (as far as could be seen).
type StillHeldError struct {
	Name  string
	After time.Duration // how long it was looked for
	Err   error         // why the DELETE ended
}

func (e *StillHeldError) Error() string {
	return fmt.Sprintf("the delete of keypair %q was cut short (%v), and Nova still held it %s later: it was not deleted", e.Name, e.Err, e.After)
}

func (e *StillHeldError) Unwrap() error { return e.Err }
