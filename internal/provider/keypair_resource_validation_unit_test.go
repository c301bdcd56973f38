package provider

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// testPublicKey is the test key of this package's unit tests, and
// testFingerprint the fingerprint a real Nova computed for it (Nova 26.2.2,
// "import ed25519 @2.2" in internal/nova/novatest/testdata/nova-26.2.2-keypairs.md; `ssh-keygen -l -E
// md5` prints the same).
const (
	testPublicKey   = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct probe-ed25519"
	testFingerprint = "70:82:84:6d:6d:6d:1d:6e:ac:33:55:0f:e9:21:11:da"
)

// BadInput is one configuration mistake the provider must refuse at plan
// time, before any request to Nova, with an error naming the attribute.
// The catalogue (BadInputs) lives here, in package provider, so that the
// unit test checks every entry through the protocol server; the
// acceptance test (package provider_test) takes a few of them to the real
// Terraform CLI.
type BadInput struct {
	What    string
	Attrs   map[string]string // arguments of the nova_keypair
	Attr    string            // the attribute the error names
	Summary string            // the diagnostic's summary, exactly
	Detail  []string          // parts of the diagnostic's detail, in order
}

// HCL is the nova_keypair "test" block of the mistake.
func (b BadInput) HCL() string {
	names := make([]string, 0, len(b.Attrs))
	for name := range b.Attrs {
		if name != "name" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if _, ok := b.Attrs["name"]; ok {
		names = append([]string{"name"}, names...)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "# %s\nresource \"nova_keypair\" \"test\" {\n", b.What)
	for _, name := range names {
		fmt.Fprintf(&sb, "  %s = %q\n", name, b.Attrs[name])
	}
	sb.WriteString("}\n")
	return sb.String()
}

// Message is the parts of the error as the Terraform CLI prints it, in
// order: the summary, the configuration line of the attribute, the detail.
func (b BadInput) Message() []string {
	return append([]string{b.Summary, b.Attr + " ="}, b.Detail...)
}

// Parts of the messages.
const (
	nameAllowed = "; Nova allows only letters, digits, space, `_` and `-`, and `@` and `.` from compute microversion 2.92."
	notSSHLine  = "it is not an OpenSSH public key line (\"<type> <base64> [comment]\", e.g. the contents of ~/.ssh/id_ed25519.pub): "
	notValid    = " or its base64 data is not valid (truncated, or of another type)."
	notPEM      = "it is not a PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)."
	moreThanOne = "it holds more than one key; a keypair has exactly one public key."
	privateKey  = "this is a private key; give the public key (the .pub file, or `ssh-keygen -y -f KEY`), and keep the private key out of Terraform."
	empty       = "it is empty; omit public_key to have the provider generate a key pair."
)

// badName is a name the name validator refuses, and why.
func badName(what, name, why string) BadInput {
	return BadInput{what, map[string]string{"name": name}, "name", "Invalid keypair name",
		[]string{fmt.Sprintf("The keypair name %q %s", name, why)}}
}

// badNameChar is a name with a character Nova refuses.
func badNameChar(what, name, char string) BadInput {
	return badName(what, name, "contains "+char+nameAllowed)
}

// badKey is a public_key ValidateConfig refuses for type ssh, and why.
func badKey(what, key, why string) BadInput {
	return BadInput{what, map[string]string{"name": "bad-key", "public_key": key}, "public_key", "Invalid public key",
		[]string{"public_key must be an OpenSSH public key, but " + why}}
}

// badWriteOnlyKey is a public_key_wo ValidateConfig refuses for type
// ssh, and why: the same checks as public_key's.
func badWriteOnlyKey(what, key, why string) BadInput {
	return BadInput{what, map[string]string{"name": "bad-key", "public_key_wo": key}, "public_key_wo", "Invalid public key",
		[]string{"public_key_wo must be an OpenSSH public key, but " + why}}
}

// badPrefix is a name_prefix the prefix validator refuses, and why.
func badPrefix(what, prefix, why string) BadInput {
	return BadInput{what, map[string]string{"name_prefix": prefix}, "name_prefix", "Invalid keypair name prefix",
		[]string{fmt.Sprintf("The keypair name prefix %q %s", prefix, why)}}
}

// badCertificate is a public_key ValidateConfig refuses for type x509,
// and why.
func badCertificate(what, key, why string) BadInput {
	return BadInput{what, map[string]string{"name": "bad-cert", "type": "x509", "public_key": key}, "public_key", "Invalid public key",
		[]string{"public_key must be a PEM X.509 certificate (type = \"x509\"), but " + why}}
}

// BadInputs is the catalogue of configuration mistakes. Every entry
// depends on nothing but the configuration.
func BadInputs(t testing.TB) []BadInput {
	t.Helper()
	fields := strings.Fields(testPublicKey)
	cert := SelfSignedCertificate(t)
	return []BadInput{
		badName("empty name", "", "is empty; a name has 1 to 255 characters."),
		badName("256 characters", strings.Repeat("k", 256), "has 256 characters; Nova allows at most 255."),
		badName("leading space", " leading", "starts or ends with whitespace, which Nova refuses; trim it."),
		badName("trailing space", "trailing ", "starts or ends with whitespace, which Nova refuses; trim it."),
		badNameChar("slash", "team/deployer", `'/'`),
		badNameChar("tab", "a\tb", `'\t'`),
		badNameChar("newline", "a\nb", `'\n'`),
		badNameChar("semicolon", "a;b", `';'`),
		badNameChar("colon", "a:b", `':'`),
		badNameChar("single quote", "o'brien", `'\''`),
		badNameChar("non-ASCII letter", "clé", `'é'`),
		badNameChar("emoji", "key-🔑", `'🔑'`),
		badNameChar("backslash", `a\b`, `'\\'`),
		badNameChar("percent", "100%", `'%'`),
		badNameChar("plus", "a+b", `'+'`),
		badNameChar("comma", "a,b", `','`),
		badKey("truncated base64", fields[0]+" "+fields[1][:30], notSSHLine+`the key type "ssh-ed25519"`+notValid),
		badKey("not base64", "ssh-rsa not-base64 x", notSSHLine+`the key type "ssh-rsa"`+notValid),
		badKey("two keys on one line", testPublicKey+" "+testPublicKey, moreThanOne),
		badKey("two keys on two lines", testPublicKey+"\n"+testPublicKey, moreThanOne),
		badKey("authorized_keys options", `no-pty,command="/bin/true" `+testPublicKey,
			`it starts with authorized_keys options (no-pty,command="/bin/true"); give only the key: "<type> <base64> [comment]".`),
		badKey("OpenSSH private key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n", privateKey),
		badKey("PEM RSA private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n", privateKey),
		badKey("unknown key type", "ssh-foo AAAAB3NzaC1mb28= x", notSSHLine+`the key type "ssh-foo"`+notValid),
		badKey("key type does not match the data", "ssh-rsa "+fields[1]+" x", notSSHLine+`the key type "ssh-rsa"`+notValid),
		badKey("certificate as ssh", cert, `this is an X.509 certificate; set type = "x509" to import a certificate.`),
		badKey("whitespace only", "   \n", empty),
		badKey("empty", "", empty),
		badKey("security key (sk-ssh-ed25519)", securityKey(),
			"it is a sk-ssh-ed25519@openssh.com key, which Nova cannot import; use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa."),
		badKey("OpenSSH certificate", sshCertificate(t), "it is an OpenSSH certificate (ssh-ed25519-cert-v01@openssh.com); Nova takes the plain public key."),
		badKey("RFC 4716 key", "---- BEGIN SSH2 PUBLIC KEY ----\nAAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct\n---- END SSH2 PUBLIC KEY ----\n",
			"this is an RFC 4716 (SSH2) public key; convert it to an OpenSSH line with `ssh-keygen -i -f FILE`."),
		badKey("PKCS#8 public key", pkixPublicKey(t),
			"this is a PEM block, not an OpenSSH public key line (\"ssh-ed25519 AAAA... comment\"); convert it with `ssh-keygen -i -m PKCS8 -f FILE`."),
		badKey("only the key type", "ssh-ed25519", notSSHLine+"there is no base64 key data after the key type."),
		badCertificate("OpenSSH key as x509", testPublicKey, `this is an OpenSSH public key; set type = "ssh" (the default) to import it.`),
		badCertificate("garbage as x509", "garbage", notPEM),
		badCertificate("two certificates", cert+cert, "it holds more than one PEM block; a keypair has exactly one certificate."),
		badCertificate("certificate with its private key", cert+"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n",
			"this holds a private key; give only the certificate (-----BEGIN CERTIFICATE-----)."),
		badCertificate("truncated certificate", cert[:200]+"\n-----END CERTIFICATE-----\n", notPEM),
		{"unknown type", map[string]string{"name": "x", "type": "dsa"}, "type", "Invalid Attribute Value Match",
			[]string{`Attribute type value must be one of: ["ssh" "x509"], got: "dsa"`}},
		{"generation of x509", map[string]string{"name": "x", "type": "x509"}, "type", "Cannot generate an x509 keypair",
			[]string{"The provider generates only OpenSSH key pairs. To register a certificate, make it outside Terraform and set public_key (or public_key_wo) to its PEM, with type = \"x509\"."}},
		{"unknown key_algorithm", map[string]string{"name": "x", "key_algorithm": "dsa"}, "key_algorithm", "Invalid Attribute Value Match",
			[]string{`Attribute key_algorithm value must be one of: ["rsa" "ecdsa" "ed25519"], got: "dsa"`}},
		{"key_algorithm with public_key", map[string]string{"name": "x", "key_algorithm": "rsa", "public_key": testPublicKey}, "key_algorithm", "key_algorithm without generation",
			[]string{"key_algorithm chooses the key the provider generates when public_key is omitted; with public_key set it has no effect. Remove one of them."}},
		badWriteOnlyKey("private key in public_key_wo", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n", privateKey),
		badWriteOnlyKey("truncated public_key_wo", fields[0]+" "+fields[1][:30], notSSHLine+`the key type "ssh-ed25519"`+notValid),
		badWriteOnlyKey("two keys in public_key_wo", testPublicKey+"\n"+testPublicKey, moreThanOne),
		{"certificate in public_key_wo, type ssh", map[string]string{"name": "x", "public_key_wo": cert}, "public_key_wo", "Invalid public key",
			[]string{`public_key_wo must be an OpenSSH public key, but this is an X.509 certificate; set type = "x509" to import a certificate.`}},
		{"OpenSSH key in public_key_wo as x509", map[string]string{"name": "x", "type": "x509", "public_key_wo": testPublicKey}, "public_key_wo", "Invalid public key",
			[]string{`public_key_wo must be a PEM X.509 certificate (type = "x509"), but this is an OpenSSH public key; set type = "ssh" (the default) to import it.`}},
		{"public_key_wo with public_key", map[string]string{"name": "x", "public_key": testPublicKey, "public_key_wo": testPublicKey}, "public_key_wo", "Invalid Attribute Combination",
			[]string{`Attribute "public_key" cannot be specified when "public_key_wo" is specified`}},
		{"public_key_wo with key_algorithm", map[string]string{"name": "x", "key_algorithm": "rsa", "public_key_wo": testPublicKey}, "public_key_wo", "Invalid Attribute Combination",
			[]string{`Attribute "key_algorithm" cannot be specified when "public_key_wo" is specified`}},
		{"name and name_prefix", map[string]string{"name": "x", "name_prefix": "x-"}, "name", "Invalid Attribute Combination",
			[]string{`Exactly one of these attributes must be configured: [name,name_prefix]`}},
		{"neither name nor name_prefix", map[string]string{"public_key": testPublicKey}, "", "Missing Attribute Configuration",
			[]string{`Exactly one of these attributes must be configured: [name,name_prefix]`}},
		badPrefix("empty name_prefix", "", "is empty; a prefix has 1 to 229 characters."),
		badPrefix("230-character name_prefix", strings.Repeat("k", 230), "has 230 characters; with the 26 the provider adds, Nova's limit of 255 allows at most 229."),
		badPrefix("name_prefix with a leading space", " web-", "starts with whitespace, which Nova refuses; trim it."),
		badPrefix("name_prefix with a slash", "team/web-", "contains '/'"+nameAllowed),
		{"empty user_id", map[string]string{"name": "x", "user_id": ""}, "user_id", "Invalid Attribute Value Length",
			[]string{"Attribute user_id string length must be at least 1, got: 0"}},
		{"user_id with a slash", map[string]string{"name": "x", "user_id": "a/b"}, "user_id", "Invalid Attribute Value Match",
			[]string{"Attribute user_id must not contain `/`, got: a/b"}},
	}
}

// TestKeypairBadInput: every mistake of the catalogue is an error of
// ValidateResourceConfig, which Terraform calls before every plan, naming
// the attribute and saying why; the provider is not configured, so
// nothing could reach Nova.
func TestKeypairBadInput(t *testing.T) {
	p := newProtocolServer(t)
	catalogue := BadInputs(t)
	if len(catalogue) != 57 {
		t.Fatalf("the catalogue has %d bad inputs, want 57", len(catalogue))
	}
	seen := map[string]bool{}
	for _, bad := range catalogue {
		if seen[bad.What] {
			t.Fatalf("two bad inputs are named %q", bad.What)
		}
		seen[bad.What] = true
		t.Run(bad.What, func(t *testing.T) {
			p := p.in(t)
			a := attrs{}
			for name, v := range bad.Attrs {
				a[name] = v
			}
			requireError(t, p.validate(p.keypair(a)), bad.Attr, bad.Summary, bad.Detail...)
		})
	}
}

// TestKeypairBadInput_hcl: the catalogue's entries as the acceptance test
// writes them.
func TestKeypairBadInput_hcl(t *testing.T) {
	bad := BadInput{What: "w", Attrs: map[string]string{"public_key": "k\n", "name": "n", "key_algorithm": "rsa"}, Attr: "key_algorithm", Summary: "S", Detail: []string{"d1", "d2"}}
	want := "# w\nresource \"nova_keypair\" \"test\" {\n  name = \"n\"\n  key_algorithm = \"rsa\"\n  public_key = \"k\\n\"\n}\n"
	if got := bad.HCL(); got != want {
		t.Errorf("HCL() = %q, want %q", got, want)
	}
	if got, want := strings.Join(bad.Message(), "|"), "S|key_algorithm =|d1|d2"; got != want {
		t.Errorf("Message() = %q, want %q", got, want)
	}
}

// TestKeypairGoodInput: what the validation must let through, including
// values unknown during plan.
func TestKeypairGoodInput(t *testing.T) {
	p := newProtocolServer(t)
	cert := SelfSignedCertificate(t)
	for what, a := range map[string]attrs{
		"generated":                            {"name": "deployer"},
		"generated rsa":                        {"name": "deployer", "key_algorithm": "rsa"},
		"generated ecdsa":                      {"name": "deployer", "key_algorithm": "ecdsa"},
		"generated ed25519":                    {"name": "deployer", "key_algorithm": "ed25519"},
		"imported":                             {"name": "deployer", "public_key": testPublicKey},
		"imported with file()'s newline":       {"name": "deployer", "public_key": "  " + testPublicKey + "\n"},
		"imported without comment":             {"name": "deployer", "public_key": strings.Join(strings.Fields(testPublicKey)[:2], " ")},
		"imported, type ssh":                   {"name": "deployer", "type": "ssh", "public_key": testPublicKey},
		"certificate":                          {"name": "deployer", "type": "x509", "public_key": cert},
		"all name characters":                  {"name": "Az09 _-x"},
		"2.92 name characters":                 {"name": "deployer@example.com"}, // checked against the cloud in ModifyPlan
		"255 characters":                       {"name": strings.Repeat("k", 255)},
		"255 characters with @":                {"name": strings.Repeat("k", 254) + "@"},
		"other user":                           {"name": "deployer", "user_id": "7c6e2b0f5d0a4e3c9f1a2b3c4d5e6f70"},
		"region":                               {"name": "deployer", "region": "RegionTwo"},
		"unknown name":                         {"name": unknownString},
		"unknown public_key":                   {"name": "deployer", "public_key": unknownString},
		"unknown public_key, x509":             {"name": "deployer", "type": "x509", "public_key": unknownString},
		"unknown type":                         {"name": "deployer", "type": unknownString, "public_key": cert},
		"unknown key_algorithm":                {"name": "deployer", "key_algorithm": unknownString},
		"unknown user_id":                      {"name": "deployer", "user_id": unknownString},
		"timeouts":                             {"name": "deployer", "timeouts": p.timeouts(attrs{"create": "10m", "delete": "1m"})},
		"write-only key":                       {"name": "deployer", "public_key_wo": "\t" + testPublicKey + "\n", "public_key_wo_version": numberValue(1)},
		"key_algorithm of the key":             {"name": "deployer", "public_key": testPublicKey, "key_algorithm": "ed25519"},     // as import's generated configuration has it
		"key_algorithm and public_key unknown": {"name": "deployer", "public_key": unknownString, "key_algorithm": unknownString}, // count.index % 2 == 0 ? ... : null
		"write-only key, unknown":              {"name": "deployer", "public_key_wo": unknownString},
		"write-only certificate":               {"name": "deployer", "type": "x509", "public_key_wo": cert},
		"name_prefix":                          {"name_prefix": "web-"},
		"name_prefix, 229 characters":          {"name_prefix": strings.Repeat("k", 229)},
		"name_prefix ending in a space":        {"name_prefix": "web "},
		"name_prefix with @ and .":             {"name_prefix": "deploy@example.com-"},
		"unknown name_prefix":                  {"name_prefix": unknownString},
	} {
		t.Run(what, func(t *testing.T) {
			p := p.in(t)
			requireNoDiagnostics(t, "ValidateResourceConfig", p.validate(p.keypair(a)))
		})
	}
}

// securityKey is an sk-ssh-ed25519 public key line (a FIDO key): OpenSSH
// takes it, Nova cannot fingerprint it (400, seen on the dev cloud).
func securityKey() string {
	str := func(b []byte) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...) }
	var blob []byte
	blob = append(blob, str([]byte("sk-ssh-ed25519@openssh.com"))...)
	blob = append(blob, str(make([]byte, ed25519.PublicKeySize))...)
	blob = append(blob, str([]byte("ssh:"))...)
	return "sk-ssh-ed25519@openssh.com " + base64.StdEncoding.EncodeToString(blob) + " fido"
}

// sshCertificate is an OpenSSH user certificate line.
func sshCertificate(t testing.TB) string {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cert := &ssh.Certificate{Key: sshPub, CertType: ssh.UserCert, KeyId: "tf-acc", ValidBefore: ssh.CertTimeInfinity}
	if err := cert.SignCert(rand.Reader, signer); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(cert)))
}

// pkixPublicKey is a public key as a PKCS#8/PKIX PEM block.
func pkixPublicKey(t testing.TB) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// SelfSignedCertificate is a fresh self-signed PEM certificate (exported
// for the acceptance tests of package provider_test).
func SelfSignedCertificate(t testing.TB) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "tf-acc nova keypair"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
