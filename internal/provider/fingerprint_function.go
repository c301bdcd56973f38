package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
)

var _ function.Function = fingerprintFunction{}

// NewFingerprintFunction is the constructor the provider registers.
func NewFingerprintFunction() function.Function {
	return fingerprintFunction{}
}

// fingerprintFunction is provider::nova::fingerprint(public_key): the
// fingerprint Nova would compute, without asking Nova.
type fingerprintFunction struct{}

func (fingerprintFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "fingerprint"
}

func (fingerprintFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The fingerprint Nova computes for a public key",
		MarkdownDescription: "Returns the fingerprint Nova would compute for `public_key`, without any request: for an OpenSSH public key line, " +
			"the MD5 of the key blob in lowercase colon hex (as `ssh-keygen -l -E md5` prints it); for a PEM X.509 certificate, its SHA-1 in lowercase colon hex. " +
			"Compare it with a keypair's `fingerprint` to check that the key in your configuration is the one registered.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "public_key",
				MarkdownDescription: "An OpenSSH public key line (surrounding whitespace is ignored) or a PEM certificate.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (fingerprintFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var publicKey string
	resp.Error = function.ConcatFuncErrors(req.Arguments.Get(ctx, &publicKey))
	if resp.Error != nil {
		return
	}
	keyType := keys.TypeSSH
	if strings.HasPrefix(strings.TrimSpace(publicKey), "-----BEGIN CERTIFICATE-----") {
		keyType = keys.TypeX509
	}
	if err := keys.CheckPublicKey(publicKey, keyType); err != nil {
		resp.Error = function.NewArgumentFuncError(0, "public_key is not a key Nova can fingerprint: "+err.Error())
		return
	}
	fingerprint, err := keys.Fingerprint(publicKey, keyType)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, "public_key is not a key Nova can fingerprint: "+err.Error())
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Result.Set(ctx, fingerprint))
}
