package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

// This file turns internal/nova's typed errors into diagnostics in
// Terraform's words: attribute names and paths.

// settingName names a connection setting the way a user can set it:
// "`auth_url` (or OS_AUTH_URL, or auth.auth_url in clouds.yaml)".
func settingName(s nova.Setting) string {
	alternatives := append(append([]string{}, s.EnvVars()...), "`"+s.String()+"` in clouds.yaml")
	return fmt.Sprintf("`%s` (or %s)", attrOf(s), strings.Join(alternatives, ", or "))
}

// configureDiagnostic explains an error of nova.NewClient.
func configureDiagnostic(err error) diag.Diagnostic {
	var missing *nova.MissingSettingsError
	var settingErr *nova.SettingError
	var yamlErr *nova.CloudsYAMLError
	var authErr *nova.AuthError
	var epErr *nova.EndpointError
	switch {
	case errors.As(err, &missing):
		needs := make([]string, len(missing.Missing))
		for i, alternatives := range missing.Missing {
			names := make([]string, len(alternatives))
			for j, s := range alternatives {
				names[j] = settingName(s)
			}
			needs[i] = strings.Join(names, ", or ")
		}
		return diag.NewErrorDiagnostic("Incomplete provider configuration",
			"The nova provider cannot authenticate: set "+strings.Join(needs, "; and ")+" in the provider block, in the clouds.yaml cloud it names, or in the environment.")
	case errors.As(err, &settingErr) && settingErr.From != "":
		// Read from the environment or clouds.yaml (an openrc file's
		// OS_COMPUTE_API_VERSION, say): named as the user wrote it, and not
		// on an attribute the configuration does not have.
		return diag.NewErrorDiagnostic("Invalid provider configuration", fmt.Sprintf("%s is %q, which %s. The provider takes it as `%s`: the highest compute microversion to use.",
			settingErr.From, settingErr.Value, settingErr.Reason, attrOf(settingErr.Setting)))
	case errors.As(err, &settingErr):
		detail := fmt.Sprintf("%s is %q, which %s.", settingName(settingErr.Setting), settingErr.Value, settingErr.Reason)
		if settingErr.Err != nil {
			detail += " (" + settingErr.Err.Error() + ")"
		}
		return diag.NewAttributeErrorDiagnostic(path.Root(attrOf(settingErr.Setting)), "Invalid provider configuration", detail)
	case errors.As(err, &yamlErr):
		return diag.NewAttributeErrorDiagnostic(path.Root("cloud"), "Invalid provider configuration",
			yamlErr.Error()+". The cloud is named by `cloud` or OS_CLOUD; clouds.yaml is found through OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/ or /etc/openstack/.")
	case errors.As(err, &authErr):
		return diag.NewErrorDiagnostic("Unable to authenticate with OpenStack",
			fmt.Sprintf("The nova provider could not get a token: authenticating at %s as %s failed: %s. (%s)", authErr.AuthURL, authErr.Who, authHint(authErr.Failure), authErr.Detail()))
	case errors.As(err, &epErr):
		return diag.NewErrorDiagnostic("No compute endpoint", "The nova provider authenticated, but "+endpointDetail(epErr))
	}
	return diag.NewErrorDiagnostic("Unable to configure the nova provider", err.Error())
}

// clientDiagnostic is the diagnostic of an error of a call to the cloud:
// authentication and catalog failures, which are the provider
// configuration's and happen at the first call that needs the cloud, are
// explained as configureDiagnostic explains them; any other error gets
// summary and detail.
func clientDiagnostic(err error, summary, detail string) diag.Diagnostic {
	var authErr *nova.AuthError
	var epErr *nova.EndpointError
	if errors.As(err, &authErr) && errors.Is(err, context.Canceled) {
		// Terraform stopped the provider (Ctrl-C) while it authenticated:
		// not a configuration problem, and nothing reached Nova.
		return diag.NewErrorDiagnostic(summary, "Terraform stopped the provider while it was authenticating with Keystone, so nothing was sent to Nova. ("+err.Error()+")")
	}
	if errors.As(err, &authErr) || errors.As(err, &epErr) {
		return configureDiagnostic(err)
	}
	return diag.NewErrorDiagnostic(summary, detail)
}

// regionalDiagnostic is clientDiagnostic for a call in region, the
// `region` argument of a resource or data source: a region the catalog
// has no compute endpoint for is an error on that argument, listing the
// regions it has, rather than a provider configuration error.
func regionalDiagnostic(err error, region types.String, summary, detail string) diag.Diagnostic {
	var epErr *nova.EndpointError
	if errors.As(err, &epErr) && region.ValueString() != "" {
		return diag.NewAttributeErrorDiagnostic(path.Root("region"), "No compute endpoint", regionDetail(epErr))
	}
	return clientDiagnostic(err, summary, detail)
}

// endpointDetail explains a region or interface the catalog lacks, for
// the provider's settings.
func endpointDetail(e *nova.EndpointError) string {
	return fmt.Sprintf("the service catalog has no compute endpoint for region %q and interface %q%s: "+
		"check `region` (OS_REGION_NAME) and `endpoint_type` (OS_INTERFACE), or set `endpoint_overrides = { compute = \"https://...\" }`.", e.Region, e.Interface, regionsHint(e))
}

// regionDetail explains a `region` of a resource or data source that the
// catalog has no compute endpoint for.
func regionDetail(e *nova.EndpointError) string {
	return fmt.Sprintf("The service catalog has no compute endpoint for region %q and interface %q%s. Check this `region` (it overrides the provider's).", e.Region, e.Interface, regionsHint(e))
}

func regionsHint(e *nova.EndpointError) string {
	if len(e.Regions) == 0 {
		return ""
	}
	q := make([]string, len(e.Regions))
	for i, r := range e.Regions {
		q[i] = fmt.Sprintf("%q", r)
	}
	return "; it has compute endpoints in " + strings.Join(q, ", ")
}

// authHint says what to check after a failed authentication.
func authHint(f nova.AuthFailure) string {
	switch f {
	case nova.AuthRejected:
		return "Keystone rejected the credentials: check `user_name`/`user_id`, `password`, `token` or the application credential, " +
			"the user's domain (`user_domain_name`), and the project (`tenant_name`/`tenant_id`, `project_domain_name`)"
	case nova.AuthNotIdentityEndpoint:
		return "check `auth_url`: it should be Keystone's identity endpoint, e.g. https://keystone.example.com:5000/v3"
	case nova.AuthCertificateUntrusted:
		return "the TLS certificate of `auth_url` was not accepted: set `cacert_file` (OS_CACERT) to the CA that signed it, or `insecure = true` to skip verification"
	case nova.AuthHandshakeRefused:
		return "the server refused the TLS handshake, most often over the client certificate: check `cert` and `key` (OS_CERT, OS_KEY)"
	case nova.AuthHostUnknown:
		return "the host of `auth_url` (OS_AUTH_URL) does not resolve"
	case nova.AuthInvalidOptions:
		return "the credentials given (in the provider block, clouds.yaml and the environment together) are not a usable combination: " +
			"name the user by `user_name` or `user_id`, not both, and give a `password`, a `token` or an application credential"
	}
	return "check `auth_url` (OS_AUTH_URL) and that Keystone is reachable from here"
}

// featureAttr is the nova_keypair argument that asks for a feature.
var featureAttr = map[nova.Feature]string{
	nova.FeatureKeypairType:   "type",
	nova.FeatureOtherUser:     "user_id",
	nova.FeatureExtendedNames: "name",
}

// featureWhat describes, in the configuration's words, what asks for a
// feature: the keypair's name for FeatureExtendedNames.
func featureWhat(f nova.Feature, name string) string {
	switch f {
	case nova.FeatureKeypairType:
		return `type = "x509"`
	case nova.FeatureOtherUser:
		return "user_id (another user's keypair)"
	case nova.FeatureExtendedNames:
		return fmt.Sprintf("the keypair name %q (with `@` or `.`)", name)
	case nova.FeatureListPaging:
		return "listing keypairs page by page"
	}
	return f.String()
}

// microversionSummary is the summary of a *nova.MicroversionError: the
// cloud's limit, or the provider's own cap (max_microversion,
// OS_COMPUTE_API_VERSION), which the cloud may well exceed.
func microversionSummary(e *nova.MicroversionError) string {
	if e.Capped {
		return "Above the provider's max_microversion"
	}
	return "Not supported by this cloud"
}

// microversionDetail explains a *nova.MicroversionError for keypair name.
func microversionDetail(e *nova.MicroversionError, name string) string {
	return microversionDetailFor(e, featureWhat(e.Feature, name))
}

// microversionDetailFor explains a *nova.MicroversionError of what, the
// configuration's words for what needs the feature.
func microversionDetailFor(e *nova.MicroversionError, what string) string {
	why := fmt.Sprintf("the compute endpoint supports at most %s", e.Max)
	switch {
	case e.Legacy:
		why = "the compute endpoint is a legacy one (/v2 or /v1.1) without microversions, i.e. 2.1"
	case e.Capped:
		why = fmt.Sprintf("the provider's `max_microversion` caps it at %s (set in the provider block, as compute_api_version in clouds.yaml, or as OS_COMPUTE_API_VERSION)", e.Max)
	}
	return fmt.Sprintf("%s needs compute API microversion %s or later, but %s", what, e.Required, why)
}

// errorText is what an API error says, in Terraform's words where the
// provider's configuration is involved, else Nova's own message.
func errorText(err error, name string) string {
	var mvErr *nova.MicroversionError
	if errors.As(err, &mvErr) {
		return microversionDetail(mvErr, name)
	}
	return nova.APIMessage(err)
}
