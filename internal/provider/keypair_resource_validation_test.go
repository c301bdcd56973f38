package provider_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"golang.org/x/crypto/ssh"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
)

// badInput is one configuration mistake the provider must refuse at plan
// time, before any request to Nova, with an error naming the attribute.
type badInput struct {
	what    string
	attrs   string   // HCL attributes of nova_keypair.test
	message []string // parts of the diagnostic, in order
}

const validKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct probe-ed25519"

func badName(what, name string) badInput {
	return badInput{what, fmt.Sprintf("name = %q", name), []string{"Invalid keypair name", "name = "}}
}

func badKey(what, key string, why ...string) badInput {
	return badInput{what, fmt.Sprintf("name = \"bad-key\"\n  public_key = %q", key), append([]string{"Invalid public key", "public_key must be an OpenSSH public key"}, why...)}
}

func badCertificate(what, key string, why ...string) badInput {
	return badInput{what, fmt.Sprintf("name = \"bad-cert\"\n  type = \"x509\"\n  public_key = %q", key), append([]string{"Invalid public key", "public_key must be a PEM X.509 certificate"}, why...)}
}

func badInputCatalogue(t *testing.T) []badInput {
	t.Helper()
	fields := strings.Fields(validKey)
	cert := selfSignedCertificate(t)
	return []badInput{
		badName("empty name", ""),
		badName("256 characters", strings.Repeat("k", 256)),
		badName("leading space", " leading"),
		badName("trailing space", "trailing "),
		badName("slash", "team/deployer"),
		badName("tab", "a\tb"),
		badName("newline", "a\nb"),
		badName("semicolon", "a;b"),
		badName("colon", "a:b"),
		badName("single quote", "o'brien"),
		badName("non-ASCII letter", "clé"),
		badName("emoji", "key-🔑"),
		badName("backslash", `a\b`),
		badName("percent", "100%"),
		badName("plus", "a+b"),
		badName("comma", "a,b"),
		badKey("truncated base64", fields[0]+" "+fields[1][:30], "not valid"),
		badKey("not base64", "ssh-rsa not-base64 x"),
		badKey("two keys on one line", validKey+" "+validKey, "more than one key"),
		badKey("two keys on two lines", validKey+"\n"+validKey, "more than one key"),
		badKey("authorized_keys options", `no-pty,command="/bin/true" `+validKey, "authorized_keys options"),
		badKey("OpenSSH private key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n", "private key"),
		badKey("PEM RSA private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n", "private key"),
		badKey("unknown key type", "ssh-foo AAAAB3NzaC1mb28= x"),
		badKey("key type does not match the data", "ssh-rsa "+fields[1]+" x"),
		badKey("certificate as ssh", cert, `type = "x509"`),
		badKey("whitespace only", "   \n", "empty"),
		badKey("empty", "", "empty"),
		badKey("security key (sk-ssh-ed25519)", securityKey(), "it is a sk-ssh-ed25519@openssh.com key, which Nova cannot import"),
		badKey("OpenSSH certificate", sshCertificate(t), "OpenSSH certificate"),
		badKey("RFC 4716 key", "---- BEGIN SSH2 PUBLIC KEY ----\nAAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct\n---- END SSH2 PUBLIC KEY ----\n", "RFC 4716"),
		badKey("PKCS#8 public key", pkixPublicKey(t), "PEM block"),
		badKey("only the key type", "ssh-ed25519", "no base64 key data"),
		badCertificate("OpenSSH key as x509", validKey, `type = "ssh"`),
		badCertificate("garbage as x509", "garbage", "not a PEM certificate"),
		badCertificate("two certificates", cert+cert, "more than one PEM block"),
		badCertificate("certificate with its private key", cert+"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n", "private key"),
		badCertificate("truncated certificate", cert[:200]+"\n-----END CERTIFICATE-----\n", "not a PEM certificate"),
		{"unknown type", "name = \"x\"\n  type = \"dsa\"", []string{"Invalid Attribute Value Match", "type", `value must be one of: ["ssh" "x509"]`}},
		{"generation of x509", "name = \"x\"\n  type = \"x509\"", []string{"Cannot generate an x509 keypair", "type = "}},
		{"unknown key_algorithm", "name = \"x\"\n  key_algorithm = \"dsa\"", []string{"Invalid Attribute Value Match", "key_algorithm", `value must be one of: ["rsa" "ecdsa" "ed25519"]`}},
		{"key_algorithm with public_key", fmt.Sprintf("name = \"x\"\n  key_algorithm = \"rsa\"\n  public_key = %q", validKey), []string{"key_algorithm without generation", "key_algorithm = "}},
		{"empty user_id", "name = \"x\"\n  user_id = \"\"", []string{"Invalid Attribute Value Length", "user_id"}},
		{"user_id with a slash", "name = \"x\"\n  user_id = \"a/b\"", []string{"Invalid Attribute Value Match", "user_id", "must not contain `/`"}},
	}
}

// TestAccKeypair_badInput: every mistake of the catalogue fails the plan
// with an error that names the attribute; nothing reaches Nova.
func TestAccKeypair_badInput(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	catalogue := badInputCatalogue(t)
	if len(catalogue) < 30 {
		t.Fatalf("the catalogue has %d bad inputs, want at least 30", len(catalogue))
	}
	// Three plans at a time: each is a terraform plan of its own.
	const shards = 3
	for shard := range shards {
		t.Run(fmt.Sprint(shard), func(t *testing.T) {
			var steps []resource.TestStep
			for i, bad := range catalogue {
				if i%shards != shard {
					continue
				}
				steps = append(steps, resource.TestStep{
					Config:      acctest.ProviderBlock() + fmt.Sprintf("# %s\nresource \"nova_keypair\" \"test\" {\n  %s\n}\n", bad.what, bad.attrs),
					PlanOnly:    true,
					ExpectError: diagnostic(bad.message...),
				})
			}
			resource.ParallelTest(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps:                    steps,
			})
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
func sshCertificate(t *testing.T) string {
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
func pkixPublicKey(t *testing.T) string {
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
