package keys

import (
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// Keys and fingerprints recorded from a real Nova 26.2.2
// (../shared/nova-keypairs-reference.md, "import ed25519 @2.2").
const (
	recordedED25519    = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct probe-ed25519"
	recordedED25519MD5 = "70:82:84:6d:6d:6d:1d:6e:ac:33:55:0f:e9:21:11:da"
)

func TestFingerprintSSH_matchesNova(t *testing.T) {
	for _, key := range []string{
		recordedED25519,
		recordedED25519 + "\n", // what file() yields
		strings.TrimSuffix(recordedED25519, " probe-ed25519"), // no comment
	} {
		got, err := FingerprintSSH(key)
		if err != nil {
			t.Fatalf("FingerprintSSH(%q): %v", key, err)
		}
		if got != recordedED25519MD5 {
			t.Errorf("FingerprintSSH(%q) = %q, Nova computed %q", key, got, recordedED25519MD5)
		}
	}
}

func TestFingerprintSSH_rejects(t *testing.T) {
	for name, key := range map[string]string{
		"empty":                "",
		"not base64":           "ssh-rsa not-base64 x",
		"truncated":            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7",
		"two keys":             recordedED25519 + "\n" + recordedED25519,
		"unknown type":         "ssh-foo AAAAB3NzaC1yc2E",
		"private key":          "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----\n",
		"only a prefix":        "ssh-ed25519",
		"two keys on one line": recordedED25519 + " " + recordedED25519,
		"options prefix":       `no-pty ` + recordedED25519,
		"x509 certificate":     "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
	} {
		if fp, err := FingerprintSSH(key); err == nil {
			t.Errorf("%s: FingerprintSSH(%q) = %q, want an error", name, key, fp)
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
	if err := CheckPublicKey(recordedED25519+"\n", ""); err != nil {
		t.Errorf("a valid key with file()'s newline is refused: %v", err)
	}
	if err := CheckPublicKey("  \n", TypeSSH); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("whitespace only: got %v", err)
	}
	if err := CheckPublicKey(recordedED25519, TypeX509); err == nil || !strings.Contains(err.Error(), `type = "ssh"`) {
		t.Errorf("an OpenSSH key as x509: got %v", err)
	}
}

func TestAlgorithmOf(t *testing.T) {
	for key, want := range map[string]Algorithm{
		recordedED25519:                     ED25519,
		"ssh-rsa AAAA x":                    RSA,
		"ecdsa-sha2-nistp256 AAAA":          ECDSA,
		"ecdsa-sha2-nistp384 AAAA":          "",
		"ssh-dss AAAA":                      "",
		"-----BEGIN CERTIFICATE-----\nMIIB": "",
		"":                                  "",
	} {
		if got := AlgorithmOf(key); got != want {
			t.Errorf("AlgorithmOf(%.30q) = %q, want %q", key, got, want)
		}
	}
}

func TestSamePublicKey(t *testing.T) {
	if !SamePublicKey(recordedED25519+"\n", "  "+recordedED25519) {
		t.Error("keys differing in surrounding whitespace are not the same")
	}
	if SamePublicKey(recordedED25519, strings.TrimSuffix(recordedED25519, " probe-ed25519")) {
		t.Error("keys with different comments are the same: Nova stores the comment too")
	}
}
