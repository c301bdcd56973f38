package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Keys and the fingerprints OpenSSH and OpenSSL compute for them, not this
// provider: `ssh-keygen -l -E md5 -f KEY.pub` for the OpenSSH keys (Nova's
// MD5), `openssl x509 -noout -fingerprint -sha1` for the certificate
// (Nova's SHA-1, lowercased). The ed25519 key is testPublicKey.
const (
	fpRSAKey   = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCur87JpT1rpDPA/I5C7INbTkGbdDJscMY5H1GZtApmj2yFC6lH5k7RP+YIAQk9ZO1kbCIbEqmiLVtCaaVGaPMm69s/2ZmThQobB9Obj4hrrDfqAgbJYTEV1WmyPc4CgDxEXX5IJTNS6xDaezD7FaRTCqfHrCWP2t12NsnoWPEVRBHb5pY9bhJjCf8SHEGcK38SGT+U7aQaRQTfFS/evq6OV0Qvu4F0iVcJi+qZVQsM1wkHrUupHvZCxRwVJ0TV0LOfnAptXzHYvXoqVGGdMset3wpzvjnkSzs1Q0GD0/p1BJWih+9/ThMPzkcd8t/xPABd0p5bQ029sOzvbKMnQR4d unit-rsa"
	fpRSA      = "54:bb:87:7e:60:e5:81:6f:f8:cf:84:c9:11:92:70:2b"
	fpECDSAKey = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBKX1jmv8PA8P68vhxGXdvZKD8+v95aMH2HeaWmTuLlw68LRIgPQi/A8kWKWycoQegwLgVoJ8IiwGG+NByb6S8r8= unit-ecdsa"
	fpECDSA    = "87:9f:7b:07:81:48:4b:eb:3b:28:c8:11:d6:7e:6d:10"
	fpCert     = `-----BEGIN CERTIFICATE-----
MIIBjzCCATWgAwIBAgIUBT2y35HkEQ4ZjD093v2P1gofn0YwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRdW5pdCBub3ZhIGtleXBhaXIwIBcNMjYxMTI5MjI0MjMyWhgP
MjEyNjExMDUyMjQyMzJaMBwxGjAYBgNVBAMMEXVuaXQgbm92YSBrZXlwYWlyMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEBt1vptFcAbBqfXVN3aC8DttSyrlWxYx
+Ltiru+WQQYz1DAeoW+VDZ2x6f4Pf/fLcoFcy/09pz0oWr8ruRSuCKNTMFEwHQYD
VR0OBBYEFNOyS01rxCdAPdXvMGWVKmajuZMuMB8GA1UdIwQYMBaAFNOyS01rxCdA
PdXvMGWVKmajuZMuMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIh
ALnSKmge/GWMsgfqJBgaC7HdrbYJio7WxvLWPVUmchMmAiAaf1ktAffCpLDrfoXV
ccRpAll//bkrhy/O2412bBJ0fw==
-----END CERTIFICATE-----
`
	fpCertSHA1 = "27:07:b0:94:7c:a5:87:72:ff:ed:99:a5:de:c3:13:54:2e:8d:46:8b"
)

// runFingerprint is provider::nova::fingerprint(arg), run as the framework
// runs it.
func runFingerprint(t *testing.T, arg attr.Value) (types.String, *function.FuncError) {
	t.Helper()
	resp := function.RunResponse{Result: function.NewResultData(types.StringUnknown())}
	fingerprintFunction{}.Run(t.Context(), function.RunRequest{Arguments: function.NewArgumentsData([]attr.Value{arg})}, &resp)
	result, ok := resp.Result.Value().(types.String)
	if !ok {
		t.Fatalf("the result is a %T, want a string", resp.Result.Value())
	}
	return result, resp.Error
}

func TestFingerprintFunction(t *testing.T) {
	for what, tc := range map[string]struct{ key, want string }{
		"rsa":                       {fpRSAKey, fpRSA},
		"ecdsa":                     {fpECDSAKey, fpECDSA},
		"ed25519":                   {testPublicKey, testFingerprint},
		"ed25519 with file()'s \\n": {testPublicKey + "\n", testFingerprint},
		"ed25519 without comment":   {strings.Join(strings.Fields(testPublicKey)[:2], " "), testFingerprint},
		"ed25519 indented":          {"  " + testPublicKey + "\r\n", testFingerprint},
		"x509":                      {fpCert, fpCertSHA1},
		"x509 with blank lines":     {"\n\n" + fpCert + "\n", fpCertSHA1},
	} {
		t.Run(what, func(t *testing.T) {
			got, err := runFingerprint(t, types.StringValue(tc.key))
			if err != nil {
				t.Fatalf("error: %s", err)
			}
			if !got.Equal(types.StringValue(tc.want)) {
				t.Errorf("fingerprint = %s, want %q", got, tc.want)
			}
		})
	}
}

func TestFingerprintFunction_invalid(t *testing.T) {
	const prefix = "public_key is not a key Nova can fingerprint: "
	for what, tc := range map[string]struct{ key, want string }{
		"not base64": {"ssh-rsa not-base64 x",
			prefix + `it is not an OpenSSH public key line ("<type> <base64> [comment]", e.g. the contents of ~/.ssh/id_ed25519.pub): the key type "ssh-rsa" or its base64 data is not valid (truncated, or of another type)`},
		"private key": {"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
			prefix + "this is a private key; give the public key (the .pub file, or `ssh-keygen -y -f KEY`), and keep the private key out of Terraform"},
		"empty":             {"", prefix + "it is empty; omit public_key to have the provider generate a key pair"},
		"two keys":          {testPublicKey + "\n" + fpRSAKey, prefix + "it holds more than one key; a keypair has exactly one public key"},
		"security key":      {securityKey(), prefix + "it is a sk-ssh-ed25519@openssh.com key, which Nova cannot import; use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa"},
		"broken x509":       {"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", prefix + "the certificate does not parse: "},
		"x509 with its key": {fpCert + "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n", prefix + "this holds a private key; give only the certificate (-----BEGIN CERTIFICATE-----)"},
	} {
		t.Run(what, func(t *testing.T) {
			got, err := runFingerprint(t, types.StringValue(tc.key))
			if err == nil {
				t.Fatalf("fingerprint = %s, want an error", got)
			}
			if err.FunctionArgument == nil || *err.FunctionArgument != 0 {
				t.Errorf("error of argument %v, want of argument 0 (public_key)", err.FunctionArgument)
			}
			if !strings.HasPrefix(err.Text, tc.want) {
				t.Errorf("error %q, want %q", err.Text, tc.want)
			}
			if !got.IsUnknown() {
				t.Errorf("result %s set despite the error", got)
			}
		})
	}
}

// TestFingerprintFunction_protocol: Terraform finds the function as
// provider::nova::fingerprint, with one string parameter, and gets its
// result and errors over the protocol.
func TestFingerprintFunction_protocol(t *testing.T) {
	p := newProtocolServer(t)
	fn, ok := p.schema.Functions["fingerprint"]
	if !ok {
		t.Fatalf("no function fingerprint among %v", p.schema.Functions)
	}
	if len(fn.Parameters) != 1 || fn.Parameters[0].Name != "public_key" || !fn.Parameters[0].Type.Equal(tftypes.String) ||
		fn.Parameters[0].AllowNullValue || fn.Parameters[0].Description == "" {
		t.Errorf("parameters %+v, want one documented string public_key that cannot be null", fn.Parameters)
	}
	if fn.Return == nil || !fn.Return.Type.Equal(tftypes.String) || fn.Summary == "" || fn.Description == "" {
		t.Errorf("function %+v: want a documented function returning a string", fn)
	}

	resp := p.callFunction("fingerprint", tftypes.NewValue(tftypes.String, testPublicKey+"\n"))
	if resp.Error != nil {
		t.Fatalf("error: %s", resp.Error.Text)
	}
	if got := p.decode(tftypes.String, resp.Result); !got.Equal(tftypes.NewValue(tftypes.String, testFingerprint)) {
		t.Errorf("fingerprint = %s, want %q", got, testFingerprint)
	}

	resp = p.callFunction("fingerprint", tftypes.NewValue(tftypes.String, "ssh-ed25519"))
	if resp.Error == nil || resp.Error.FunctionArgument == nil || *resp.Error.FunctionArgument != 0 ||
		!strings.Contains(resp.Error.Text, "public_key is not a key Nova can fingerprint: ") ||
		!strings.Contains(resp.Error.Text, "there is no base64 key data after the key type") {
		t.Errorf("error %+v, want one of argument 0 saying why", resp.Error)
	}

}
