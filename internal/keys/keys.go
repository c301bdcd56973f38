// Package keys is the provider's pure key handling: generating key pairs,
// parsing public keys and computing the fingerprints Nova computes. It makes
// no network calls.
package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Algorithm names a kind of key the provider can generate.
type Algorithm string

// The algorithms the provider generates.
const (
	RSA     Algorithm = "rsa"
	ECDSA   Algorithm = "ecdsa"
	ED25519 Algorithm = "ed25519"
)

// RSABits is the size of generated RSA keys: 3072 bits, the size
// ssh-keygen makes by default and NIST's minimum past 2030.
const RSABits = 3072

// Comment is written after generated public keys, as Nova writes
// "Generated-by-Nova".
const Comment = "Generated-by-terraform-provider-nova"

// Pair is a generated key pair.
type Pair struct {
	// PrivateKeyPEM is the private key as an unencrypted OpenSSH PEM block
	// ("BEGIN OPENSSH PRIVATE KEY"), which ssh -i and ssh-keygen accept.
	PrivateKeyPEM string
	// PublicKey is the authorized_keys line: "<type> <base64> <comment>".
	PublicKey string
}

// Generate makes a new key pair of the given algorithm from crypto/rand.
func Generate(alg Algorithm) (*Pair, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case RSA:
		priv, err = rsa.GenerateKey(rand.Reader, RSABits)
	case ECDSA:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ED25519:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("unknown key algorithm %q", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("generating %s key: %w", alg, err)
	}

	block, err := ssh.MarshalPrivateKey(priv, Comment)
	if err != nil {
		return nil, fmt.Errorf("encoding %s private key: %w", alg, err)
	}
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		return nil, fmt.Errorf("encoding %s public key: %w", alg, err)
	}
	line := strings.TrimSuffix(string(ssh.MarshalAuthorizedKey(pub)), "\n") + " " + Comment

	return &Pair{PrivateKeyPEM: string(pem.EncodeToMemory(block)), PublicKey: line}, nil
}

// AlgorithmOf is the generation algorithm an OpenSSH public key line is of
// ("" for keys the provider does not generate: ssh-dss, ECDSA on other
// curves than P-256, certificates).
func AlgorithmOf(publicKey string) Algorithm {
	fields := strings.Fields(publicKey)
	if len(fields) == 0 {
		return ""
	}
	switch fields[0] {
	case ssh.KeyAlgoRSA:
		return RSA
	case ssh.KeyAlgoECDSA256:
		return ECDSA
	case ssh.KeyAlgoED25519:
		return ED25519
	}
	return ""
}
