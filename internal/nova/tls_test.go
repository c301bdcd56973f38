package nova

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// writePEM writes blocks of one type to a new file in dir.
func writePEM(t *testing.T, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// serverCAFile is the test server's certificate as a CA file.
func serverCAFile(t *testing.T, f *novatest.Cloud) string {
	return writePEM(t, "server-ca.pem", "CERTIFICATE", f.Server().Certificate().Raw)
}

// clientCA makes a CA and a client certificate it signed, and returns the
// CA's pool and the client certificate and key files.
func clientCA(t *testing.T) (*x509.CertPool, string, string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test client CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "terraform-provider-nova test client"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool, writePEM(t, "client.pem", "CERTIFICATE", der), writePEM(t, "client-key.pem", "EC PRIVATE KEY", keyDER)
}

func newTLSFakeCloud(t *testing.T, clientCAs *x509.CertPool) *novatest.Cloud {
	t.Helper()
	f := novatest.NewUnstartedCloud(t)
	if clientCAs != nil {
		f.Server().TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clientCAs}
	}
	f.Server().StartTLS()
	return f
}

// tlsConfig is testConfig with the client's own transport (built from the
// TLS settings), not a test transport.
func tlsConfig(f *novatest.Cloud, edit func(*Config)) Config {
	cfg := testConfig(f)
	if edit != nil {
		edit(&cfg)
	}
	return cfg
}

// listWorks checks that the client reaches Nova too over TLS.
func listWorks(t *testing.T, c *Client) {
	t.Helper()
	if _, err := c.ListKeypairs(bg(), "", ""); err != nil {
		t.Errorf("list over TLS: %v", err)
	}
}

func TestTLS_untrustedCertificate(t *testing.T) {
	f := newTLSFakeCloud(t, nil)

	start := time.Now()
	_, err := NewClient(bg(), tlsConfig(f, nil))
	var authErr *AuthError
	if !errors.As(err, &authErr) {
		t.Fatalf("got %v (%T), want an *AuthError", err, err)
	}
	// What to do about it (cacert_file, insecure) is the provider's
	// diagnostic for this failure; the Nova layer classifies it.
	if authErr.Failure != AuthCertificateUntrusted {
		t.Errorf("failure %v, want AuthCertificateUntrusted", authErr.Failure)
	}
	if !strings.Contains(err.Error(), f.URL()) || !strings.Contains(err.Error(), "not trusted") {
		t.Errorf("%q does not name %s and the untrusted certificate", err, f.URL())
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("an untrusted certificate took %v to report: it is not worth retrying", took)
	}
}

func TestTLS_insecure(t *testing.T) {
	f := newTLSFakeCloud(t, nil)
	c, err := NewClient(bg(), tlsConfig(f, func(cfg *Config) { cfg.Insecure = ptrTo(true) }))
	if err != nil {
		t.Fatal(err)
	}
	listWorks(t, c)
}

func TestTLS_caCertFile(t *testing.T) {
	f := newTLSFakeCloud(t, nil)
	c, err := NewClient(bg(), tlsConfig(f, func(cfg *Config) { cfg.CACertFile = serverCAFile(t, f) }))
	if err != nil {
		t.Fatal(err)
	}
	listWorks(t, c)

	// The same from OS_CACERT.
	ca := serverCAFile(t, f)
	c, err = NewClient(bg(), tlsConfig(f, func(cfg *Config) {
		cfg.Getenv = func(k string) string { return map[string]string{"OS_CACERT": ca}[k] }
	}))
	if err != nil {
		t.Fatalf("OS_CACERT: %v", err)
	}
	listWorks(t, c)
}

func TestTLS_clientCertificate(t *testing.T) {
	pool, certFile, keyFile := clientCA(t)
	f := newTLSFakeCloud(t, pool)
	ca := serverCAFile(t, f)

	c, err := NewClient(bg(), tlsConfig(f, func(cfg *Config) {
		cfg.CACertFile, cfg.ClientCertFile, cfg.ClientKeyFile = ca, certFile, keyFile
	}))
	if err != nil {
		t.Fatalf("with a client certificate: %v", err)
	}
	listWorks(t, c)

	start := time.Now()
	_, err = NewClient(bg(), tlsConfig(f, func(cfg *Config) { cfg.CACertFile = ca }))
	var authErr *AuthError
	if !errors.As(err, &authErr) {
		t.Fatalf("without a client certificate: got %v (%T), want an *AuthError", err, err)
	}
	if !strings.Contains(err.Error(), "certificate required") {
		t.Errorf("%q does not say that the server wants a client certificate", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a refused client certificate took %v to report: it is not worth retrying", took)
	}
}

func TestTLS_certWithoutKey(t *testing.T) {
	_, certFile, keyFile := clientCA(t)
	for _, tc := range []struct {
		cert, key, want string
	}{
		{certFile, "", "key (OS_KEY)"},
		{"", keyFile, "cert (OS_CERT)"},
	} {
		_, err := NewClient(bg(), Config{
			AuthURL: "https://keystone.invalid:5000/v3", UserName: "u", Password: "p",
			ClientCertFile: tc.cert, ClientKeyFile: tc.key,
			Getenv: func(string) string { return "" },
		})
		var missing *MissingSettingsError
		if !errors.As(err, &missing) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("cert %q, key %q: got %v, want a *MissingSettingsError naming %s", tc.cert, tc.key, err, tc.want)
		}
	}

	// A CA file that holds no certificate is named too.
	_, err := NewClient(bg(), Config{
		AuthURL: "https://keystone.invalid:5000/v3", UserName: "u", Password: "p",
		CACertFile: keyFile, Getenv: func(string) string { return "" },
	})
	var settingErr *SettingError
	if !errors.As(err, &settingErr) || settingErr.Setting != CACertFile {
		t.Errorf("a key as CA file: got %v, want a *SettingError for %s", err, CACertFile)
	}
}
