package keys

import (
	"crypto/sha1" //nolint:gosec // Nova's x509 fingerprint is SHA-1; it identifies, it does not protect.
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Keypair types Nova knows (the `type` of a keypair, 2.2+).
const (
	TypeSSH  = "ssh"
	TypeX509 = "x509"
)

// Types lists the keypair types, in the order the docs show them.
var Types = []string{TypeSSH, TypeX509}

// Algorithms lists what the provider can generate, default first.
var Algorithms = []string{string(RSA), string(ECDSA), string(ED25519)}

// nova accepts the OpenSSH key types its fingerprint code (the Python
// cryptography library's load_ssh_public_key) can load.
var novaSSHKeyTypes = map[string]bool{
	ssh.KeyAlgoRSA:      true,
	ssh.KeyAlgoDSA:      true, //nolint:staticcheck // Nova still accepts ssh-dss keys.
	ssh.KeyAlgoECDSA256: true,
	ssh.KeyAlgoECDSA384: true,
	ssh.KeyAlgoECDSA521: true,
	ssh.KeyAlgoED25519:  true,
}

// CheckPublicKey says why publicKey cannot be imported as a keypair of the
// given type ("" means ssh), or nil. The reasons are written for a person
// who pasted the wrong thing.
func CheckPublicKey(publicKey, keyType string) error {
	if strings.TrimSpace(publicKey) == "" {
		return fmt.Errorf("it is empty; omit public_key to have the provider generate a key pair")
	}
	if keyType == TypeX509 {
		_, err := FingerprintX509(publicKey)
		return err
	}
	_, err := FingerprintSSH(publicKey)
	return err
}

// FingerprintSSH returns the fingerprint Nova computes for an OpenSSH public
// key line: the MD5 of the key blob in lowercase colon hex, as
// `ssh-keygen -l -E md5` prints it without the "MD5:" prefix.
func FingerprintSSH(publicKey string) (string, error) {
	trimmed := strings.TrimSpace(publicKey)
	switch {
	case strings.Contains(trimmed, "PRIVATE KEY-----"):
		return "", fmt.Errorf("this is a private key; give the public key (the .pub file, or `ssh-keygen -y -f KEY`), and keep the private key out of Terraform")
	case strings.HasPrefix(trimmed, "-----BEGIN CERTIFICATE-----"):
		return "", fmt.Errorf("this is an X.509 certificate; set type = \"x509\" to import a certificate")
	case strings.HasPrefix(trimmed, "-----BEGIN"):
		return "", fmt.Errorf("this is a PEM block, not an OpenSSH public key line (\"ssh-ed25519 AAAA... comment\"); convert it with `ssh-keygen -i -m PKCS8 -f FILE`")
	case strings.HasPrefix(trimmed, "---- BEGIN SSH2 PUBLIC KEY"):
		return "", fmt.Errorf("this is an RFC 4716 (SSH2) public key; convert it to an OpenSSH line with `ssh-keygen -i -f FILE`")
	}
	pub, comment, options, rest, err := ssh.ParseAuthorizedKey([]byte(trimmed))
	if err != nil {
		return "", fmt.Errorf("it is not an OpenSSH public key line (\"<type> <base64> [comment]\", e.g. the contents of ~/.ssh/id_ed25519.pub): %s", explainParseError(trimmed, err))
	}
	if len(options) > 0 {
		return "", fmt.Errorf("it starts with authorized_keys options (%s); give only the key: \"<type> <base64> [comment]\"", strings.Join(options, ","))
	}
	if strings.TrimSpace(string(rest)) != "" || holdsAnotherKey(comment) {
		return "", fmt.Errorf("it holds more than one key; a keypair has exactly one public key")
	}
	if _, isCert := pub.(*ssh.Certificate); isCert {
		return "", fmt.Errorf("it is an OpenSSH certificate (%s); Nova takes the plain public key", pub.Type())
	}
	if !novaSSHKeyTypes[pub.Type()] {
		return "", fmt.Errorf("it is a %s key, which Nova cannot import; use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa", pub.Type())
	}
	if strings.ContainsAny(trimmed, "\n\r") {
		return "", fmt.Errorf("it spans several lines; a public key is one line")
	}
	return ssh.FingerprintLegacyMD5(pub), nil
}

func explainParseError(line string, err error) string {
	fields := strings.Fields(line)
	switch {
	case len(fields) == 1:
		return "there is no base64 key data after the key type"
	case len(fields) >= 2:
		if _, _, _, _, e := ssh.ParseAuthorizedKey([]byte(fields[0] + " " + fields[1])); e != nil && strings.Contains(e.Error(), "no key found") {
			return fmt.Sprintf("the key type %q or its base64 data is not valid (truncated, or of another type)", fields[0])
		}
	}
	return err.Error()
}

// FingerprintX509 returns the fingerprint Nova computes for a PEM X.509
// certificate: the SHA-1 of its DER in lowercase colon hex, as
// `openssl x509 -fingerprint -sha1` prints it, lowercased.
func FingerprintX509(certificate string) (string, error) {
	trimmed := strings.TrimSpace(certificate)
	if strings.Contains(trimmed, "PRIVATE KEY-----") {
		return "", fmt.Errorf("this holds a private key; give only the certificate (-----BEGIN CERTIFICATE-----)")
	}
	block, rest := pem.Decode([]byte(trimmed))
	if block == nil {
		if strings.HasPrefix(trimmed, "ssh-") || strings.HasPrefix(trimmed, "ecdsa-") {
			return "", fmt.Errorf("this is an OpenSSH public key; set type = \"ssh\" (the default) to import it")
		}
		return "", fmt.Errorf("it is not a PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)")
	}
	if block.Type != "CERTIFICATE" {
		return "", fmt.Errorf("the PEM block is a %q, not a CERTIFICATE", block.Type)
	}
	if strings.TrimSpace(string(rest)) != "" {
		return "", fmt.Errorf("it holds more than one PEM block; a keypair has exactly one certificate")
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return "", fmt.Errorf("the certificate does not parse: %s", err)
	}
	sum := sha1.Sum(block.Bytes) //nolint:gosec // see import
	return colonHex(sum[:]), nil
}

func colonHex(b []byte) string {
	var sb strings.Builder
	for i, x := range b {
		if i > 0 {
			sb.WriteByte(':')
		}
		fmt.Fprintf(&sb, "%02x", x)
	}
	return sb.String()
}

// Fingerprint is the fingerprint Nova computes for a public key of the
// given type ("" means ssh).
func Fingerprint(publicKey, keyType string) (string, error) {
	if keyType == TypeX509 {
		return FingerprintX509(publicKey)
	}
	return FingerprintSSH(publicKey)
}

// SamePublicKey reports whether two public keys are the same for Nova's
// purposes: equal but for surrounding whitespace (a trailing newline from
// file(), say).
func SamePublicKey(a, b string) bool {
	return strings.TrimSpace(a) == strings.TrimSpace(b)
}

// PublicKeyOf derives the OpenSSH public key of a PEM private key, as
// `ssh-keygen -y` does, without the comment.
func PublicKeyOf(privateKeyPEM string) (string, error) {
	signer, err := ssh.ParsePrivateKey([]byte(privateKeyPEM))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))), nil
}

// holdsAnotherKey reports whether a key's comment is itself a key: two
// keys pasted on one line.
func holdsAnotherKey(comment string) bool {
	fields := strings.Fields(comment)
	for i := 0; i+1 < len(fields); i++ {
		if _, _, _, _, err := ssh.ParseAuthorizedKey([]byte(fields[i] + " " + fields[i+1])); err == nil {
			return true
		}
	}
	return false
}
