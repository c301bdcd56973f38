package keys

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// The fixtures live once under testdata/; testdata/README.md says where
// each comes from. Every expected value there was computed by Nova, OpenSSH
// or OpenSSL, never by this package.

// fixture returns testdata/name without surrounding whitespace; add "\n"
// for what Terraform's file() yields.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return strings.TrimSpace(string(b))
}

// novaKey returns an ed25519 public key recorded from a real Nova 26.2.2
// (an import at microversion 2.2) and the fingerprint Nova computed for it.
func novaKey(t *testing.T) (key, fingerprint string) {
	t.Helper()
	return fixture(t, "nova-ed25519.pub"), fixture(t, "nova-ed25519.pub.fingerprint")
}

// sshKeygenMD5 is the fingerprint that `ssh-keygen -l -E md5` printed for
// testdata/pub, without its "MD5:" prefix.
func sshKeygenMD5(t *testing.T, pub string) string {
	t.Helper()
	out := fixture(t, pub+".md5")
	fields := strings.Fields(out)
	if len(fields) < 2 || !strings.HasPrefix(fields[1], "MD5:") {
		t.Fatalf("%s.md5 is not ssh-keygen -l -E md5 output: %q", pub, out)
	}
	return strings.TrimPrefix(fields[1], "MD5:")
}

// testCert returns a self-signed X.509 certificate (PEM) and the
// fingerprint `openssl x509 -noout -fingerprint -sha1` printed for it,
// lowercased as Nova shows it.
func testCert(t *testing.T) (cert, fingerprint string) {
	t.Helper()
	out := fixture(t, "cert-ed25519.pem.sha1")
	_, fp, ok := strings.Cut(out, "Fingerprint=")
	if !ok {
		t.Fatalf("cert-ed25519.pem.sha1 is not openssl x509 -fingerprint output: %q", out)
	}
	return fixture(t, "cert-ed25519.pem"), strings.ToLower(fp)
}

// keyFixtures are the key pairs ssh-keygen made under testdata/ (NAME and
// NAME.pub).
var keyFixtures = []string{"id_rsa", "id_rsa_pkcs1", "id_ecdsa", "id_ed25519"}

// keyMaterial is an OpenSSH public key line without its comment.
func keyMaterial(t *testing.T, line string) string {
	t.Helper()
	fields := strings.Fields(line)
	if len(fields) < 2 {
		t.Fatalf("not a public key line: %q", line)
	}
	return fields[0] + " " + fields[1]
}

// publicKeyPEM is the test certificate's public key as a PKIX PEM block
// ("BEGIN PUBLIC KEY", what `openssl pkey -pubout` prints).
func publicKeyPEM(t *testing.T) string {
	t.Helper()
	certPEM, _ := testCert(t)
	block, _ := pem.Decode([]byte(certPEM))
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(cert.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// securityKeyLine is an sk-ssh-ed25519@openssh.com public key line (a FIDO
// security key): x/crypto/ssh parses it, but it is not a type Nova imports
// (novaSSHKeyTypes).
func securityKeyLine() string {
	blob := ssh.Marshal(struct {
		Type        string
		KeyBytes    []byte
		Application string
	}{ssh.KeyAlgoSKED25519, make([]byte, 32), "ssh:"})
	return ssh.KeyAlgoSKED25519 + " " + base64.StdEncoding.EncodeToString(blob) + " yubikey"
}

func TestFingerprintSSH_matchesNova(t *testing.T) {
	key, want := novaKey(t)
	for _, k := range []string{
		key,
		key + "\n",          // what file() yields
		keyMaterial(t, key), // no comment
	} {
		got, err := FingerprintSSH(k)
		if err != nil {
			t.Fatalf("FingerprintSSH(%q): %v", k, err)
		}
		if got != want {
			t.Errorf("FingerprintSSH(%q) = %q, Nova computed %q", k, got, want)
		}
	}
}

func TestFingerprintSSH_matchesSSHKeygen(t *testing.T) {
	for _, name := range keyFixtures {
		t.Run(name, func(t *testing.T) {
			got, err := FingerprintSSH(fixture(t, name+".pub") + "\n")
			if err != nil {
				t.Fatal(err)
			}
			if want := sshKeygenMD5(t, name+".pub"); got != want {
				t.Errorf("FingerprintSSH = %q, ssh-keygen -l -E md5 printed %q", got, want)
			}
		})
	}
}

func TestFingerprintSSH_rejects(t *testing.T) {
	key, _ := novaKey(t)
	cert, _ := testCert(t)
	for _, tc := range []struct {
		name, key, want string
	}{
		{"empty", "", "not an OpenSSH public key line"},
		{"not base64", "ssh-rsa not-base64 x", `the key type "ssh-rsa" or its base64 data is not valid`},
		{"truncated", keyMaterial(t, key)[:60], `the key type "ssh-ed25519" or its base64 data is not valid`},
		{"unknown type", "ssh-foo AAAAB3NzaC1yc2E", `the key type "ssh-foo" or its base64 data is not valid`},
		{"only a prefix", "ssh-ed25519", "no base64 key data after the key type"},
		{"two keys", key + "\n" + key, "more than one key"},
		{"two keys on one line", key + " " + key, "more than one key"},
		{"options prefix", "no-pty " + key, "authorized_keys options (no-pty)"},
		{"OpenSSH private key", fixture(t, "id_ed25519"), "this is a private key"},
		{"PKCS#1 private key", fixture(t, "id_rsa_pkcs1"), "this is a private key"},
		{"x509 certificate", cert, `set type = "x509"`},
		{"PEM public key", publicKeyPEM(t), "ssh-keygen -i -m PKCS8"},
		{"RFC 4716 key", "---- BEGIN SSH2 PUBLIC KEY ----\n" + strings.Fields(key)[1] + "\n---- END SSH2 PUBLIC KEY ----\n", "RFC 4716"},
		{"OpenSSH certificate", fixture(t, "id_ed25519-cert.pub"), "OpenSSH certificate (ssh-ed25519-cert-v01@openssh.com)"},
		{"security key", securityKeyLine(), "sk-ssh-ed25519@openssh.com key, which Nova cannot import"},
		{"comment line first", "# mine\n" + key, "spans several lines"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fp, err := FingerprintSSH(tc.key)
			if err == nil {
				t.Fatalf("FingerprintSSH(%.40q) = %q, want an error", tc.key, fp)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("FingerprintSSH(%.40q): %v; want it to say %q", tc.key, err, tc.want)
			}
		})
	}
}

func TestFingerprintX509_matchesOpenSSL(t *testing.T) {
	cert, want := testCert(t)
	for name, c := range map[string]string{
		"no final line break": cert,
		"file()":              cert + "\n",
		"surrounding blanks":  "\n  " + cert + "\n\n",
		"CRLF line endings":   strings.ReplaceAll(cert, "\n", "\r\n") + "\r\n",
	} {
		got, err := FingerprintX509(c)
		if err != nil {
			t.Fatalf("%s: FingerprintX509: %v", name, err)
		}
		if got != want {
			t.Errorf("%s: FingerprintX509 = %q, openssl printed %q", name, got, want)
		}
	}
}

func TestFingerprintX509_rejects(t *testing.T) {
	cert, _ := testCert(t)
	key, _ := novaKey(t)
	block, _ := pem.Decode([]byte(cert))
	truncated := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: block.Bytes[:len(block.Bytes)-10]}))
	for _, tc := range []struct {
		name, cert, want string
	}{
		{"private key after the certificate", cert + "\n" + fixture(t, "id_rsa_pkcs1"), "holds a private key"},
		{"private key only", fixture(t, "id_ed25519"), "holds a private key"},
		{"OpenSSH ed25519 key", key, `set type = "ssh"`},
		{"OpenSSH ecdsa key", fixture(t, "id_ecdsa.pub"), `set type = "ssh"`},
		{"garbage", "garbage", "not a PEM certificate"},
		{"empty", "", "not a PEM certificate"},
		{"PEM public key", publicKeyPEM(t), `the PEM block is a "PUBLIC KEY", not a CERTIFICATE`},
		{"two certificates", cert + "\n" + cert, "more than one PEM block"},
		{"truncated DER", truncated, "the certificate does not parse"},
		{"not DER", "-----BEGIN CERTIFICATE-----\nbm90IERFUg==\n-----END CERTIFICATE-----\n", "the certificate does not parse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fp, err := FingerprintX509(tc.cert)
			if err == nil {
				t.Fatalf("FingerprintX509(%.40q) = %q, want an error", tc.cert, fp)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("FingerprintX509(%.40q): %v; want it to say %q", tc.cert, err, tc.want)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	key, keyFP := novaKey(t)
	cert, certFP := testCert(t)
	for _, tc := range []struct {
		keyType, key, want, wantErr string
	}{
		{"", key, keyFP, ""},
		{TypeSSH, key, keyFP, ""},
		{TypeX509, cert, certFP, ""},
		// The wrong checker for the type refuses the other kind of key.
		{"", cert, "", `set type = "x509"`},
		{TypeSSH, cert, "", `set type = "x509"`},
		{TypeX509, key, "", `set type = "ssh"`},
	} {
		got, err := Fingerprint(tc.key, tc.keyType)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("Fingerprint(%.30q, %q): %v", tc.key, tc.keyType, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("Fingerprint(%.30q, %q) = %q, %v; want an error saying %q", tc.key, tc.keyType, got, err, tc.wantErr)
		case got != tc.want:
			t.Errorf("Fingerprint(%.30q, %q) = %q, want %q", tc.key, tc.keyType, got, tc.want)
		}
	}
}

func TestPublicKeyOf(t *testing.T) {
	for _, name := range keyFixtures {
		t.Run(name, func(t *testing.T) {
			got, err := PublicKeyOf(fixture(t, name) + "\n")
			if err != nil {
				t.Fatal(err)
			}
			if want := keyMaterial(t, fixture(t, name+".pub")); got != want {
				t.Errorf("PublicKeyOf(%s) = %q, ssh-keygen wrote %q", name, got, want)
			}
		})
	}
}

func TestPublicKeyOf_generated(t *testing.T) {
	for _, alg := range []Algorithm{RSA, ECDSA, ED25519} {
		t.Run(string(alg), func(t *testing.T) {
			pair, err := Generate(alg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := PublicKeyOf(pair.PrivateKeyPEM)
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.TrimSuffix(pair.PublicKey, " "+Comment); got != want {
				t.Errorf("PublicKeyOf(generated private key) = %q, want the generated public key without its comment, %q", got, want)
			}
		})
	}
}

func TestPublicKeyOf_rejects(t *testing.T) {
	key, _ := novaKey(t)
	cert, _ := testCert(t)
	for name, in := range map[string]string{
		"garbage":     "garbage",
		"empty":       "",
		"public key":  key,
		"certificate": cert,
	} {
		if got, err := PublicKeyOf(in); err == nil || got != "" {
			t.Errorf("%s: PublicKeyOf = %q, %v; want an error", name, got, err)
		}
	}
}

func TestGenerate(t *testing.T) {
	for _, tc := range []struct {
		alg     Algorithm
		keyType string
	}{
		{RSA, ssh.KeyAlgoRSA},
		{ECDSA, ssh.KeyAlgoECDSA256},
		{ED25519, ssh.KeyAlgoED25519},
	} {
		t.Run(string(tc.alg), func(t *testing.T) {
			pair, err := Generate(tc.alg)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(pair.PrivateKeyPEM, "-----BEGIN OPENSSH PRIVATE KEY-----\n") {
				t.Errorf("private key is not an OpenSSH PEM block: %.40q", pair.PrivateKeyPEM)
			}
			signer, err := ssh.ParsePrivateKey([]byte(pair.PrivateKeyPEM))
			if err != nil {
				t.Fatalf("generated private key does not parse: %v", err)
			}
			pub, comment, _, _, err := ssh.ParseAuthorizedKey([]byte(pair.PublicKey))
			if err != nil {
				t.Fatalf("generated public key %q does not parse: %v", pair.PublicKey, err)
			}
			if pub.Type() != tc.keyType {
				t.Errorf("public key type %q, want %q", pub.Type(), tc.keyType)
			}
			if comment != Comment {
				t.Errorf("comment %q, want %q", comment, Comment)
			}
			if string(signer.PublicKey().Marshal()) != string(pub.Marshal()) {
				t.Error("the public key is not the private key's public half")
			}
			if tc.alg == RSA {
				if bits := rsaBits(t, pub); bits < RSABits {
					t.Errorf("RSA key of %d bits, want at least %d", bits, RSABits)
				}
			}
		})
	}
	if _, err := Generate("dsa"); err == nil {
		t.Error("Generate(dsa) succeeded, want an error")
	}
}

func TestGenerate_unique(t *testing.T) {
	a, err := Generate(ED25519)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(ED25519)
	if err != nil {
		t.Fatal(err)
	}
	if a.PublicKey == b.PublicKey {
		t.Error("two generated keys are equal")
	}
}

func rsaBits(t *testing.T, pub ssh.PublicKey) int {
	t.Helper()
	ck, ok := pub.(ssh.CryptoPublicKey)
	if !ok {
		t.Fatal("not a crypto public key")
	}
	type bitLen interface{ Size() int }
	sized, ok := ck.CryptoPublicKey().(bitLen)
	if !ok {
		t.Fatal("not an RSA key")
	}
	return sized.Size() * 8
}

func TestCheckPublicKey(t *testing.T) {
	key, _ := novaKey(t)
	cert, _ := testCert(t)
	if err := CheckPublicKey(key+"\n", ""); err != nil {
		t.Errorf("a valid key with file()'s newline is refused: %v", err)
	}
	if err := CheckPublicKey(cert+"\n", TypeX509); err != nil {
		t.Errorf("a valid certificate is refused: %v", err)
	}
	if err := CheckPublicKey("  \n", TypeSSH); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("whitespace only: got %v", err)
	}
	if err := CheckPublicKey(key, TypeX509); err == nil || !strings.Contains(err.Error(), `type = "ssh"`) {
		t.Errorf("an OpenSSH key as x509: got %v", err)
	}
}

func TestAlgorithmOf(t *testing.T) {
	key, _ := novaKey(t)
	for k, want := range map[string]Algorithm{
		key:                                 ED25519,
		"ssh-rsa AAAA x":                    RSA,
		"ecdsa-sha2-nistp256 AAAA":          ECDSA,
		"ecdsa-sha2-nistp384 AAAA":          "",
		"ssh-dss AAAA":                      "",
		"-----BEGIN CERTIFICATE-----\nMIIB": "",
		"":                                  "",
	} {
		if got := AlgorithmOf(k); got != want {
			t.Errorf("AlgorithmOf(%.30q) = %q, want %q", k, got, want)
		}
	}
}

func TestSamePublicKey(t *testing.T) {
	key, _ := novaKey(t)
	if !SamePublicKey(key+"\n", "  "+key) {
		t.Error("keys differing in surrounding whitespace are not the same")
	}
	if SamePublicKey(key, keyMaterial(t, key)) {
		t.Error("keys with different comments are the same: Nova stores the comment too")
	}
}
