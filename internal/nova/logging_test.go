package nova

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// syncBuffer is a log sink that concurrent requests may write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// At TRACE (bodies logged) the log of an authentication with a password,
// one with an application credential, and a create in which Nova generates
// the key holds the requests but none of the secrets.
func TestLogging_traceMasksSecrets(t *testing.T) {
	t.Setenv("TF_LOG", "TRACE")
	var out syncBuffer
	ctx := tflogtest.RootLogger(context.Background(), &out)
	f := novatest.NewCloud(t)

	cfg := testConfig(f)
	cfg.HTTPTransport = novatest.NewRecordingTransport(t)
	cfg.MaxMicroversion = "2.1" // Nova generates keys before 2.92; the answer holds the private key
	c, err := NewClient(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !c.transport.logBodies {
		t.Fatal("TF_LOG=TRACE did not turn on body logging")
	}
	kp, err := c.CreateKeypair(ctx, "", CreateKeypairOpts{Name: "gen21"})
	if err != nil {
		t.Fatal(err)
	}
	if kp.PrivateKey != novatest.GeneratedPrivateKey {
		t.Errorf("the caller did not get the private key: %+v", kp)
	}

	appCred := Config{
		AuthURL:                     f.URL() + "/v3",
		ApplicationCredentialID:     novatest.AppCredentialID,
		ApplicationCredentialSecret: novatest.AppCredentialSecret,
		HTTPTransport:               novatest.NewRecordingTransport(t),
		Getenv:                      func(string) string { return "" },
	}
	c2, err := NewClient(ctx, appCred)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.GetKeypair(ctx, "", "gen21", ""); err != nil {
		t.Fatal(err)
	}

	log := out.String()
	for what, secret := range map[string]string{
		"password":                         novatest.Password,
		"application credential secret":    novatest.AppCredentialSecret,
		"token":                            novatest.Token,
		"private key":                      strings.Split(novatest.GeneratedPrivateKey, "\n")[1],
		"private key header":               "BEGIN RSA PRIVATE KEY",
		"the token's distinctive fragment": "FAKE-TOKEN-VALUE",
	} {
		if strings.Contains(log, secret) {
			t.Errorf("the TRACE log holds the %s", what)
		}
	}

	entries, err := tflogtest.MultilineJSONDecode(strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	var sawToken, sawCreate, sawCreateBody, sawGet bool
	for _, e := range entries {
		if e["@message"] != "OpenStack API request" && e["@message"] != "OpenStack API exchange" {
			continue
		}
		url, _ := e["url"].(string)
		switch {
		case e["method"] == "POST" && strings.HasSuffix(url, "/v3/auth/tokens") && e["status"] == float64(201):
			sawToken = true
		case e["method"] == "POST" && strings.HasSuffix(url, "/v2.1/os-keypairs") && e["status"] == float64(200) && e["microversion"] == nil: // needs no microversion
			sawCreate = true
			if body, _ := e["response_body"].(string); strings.Contains(body, `"private_key":"***"`) && strings.Contains(body, `"name":"gen21"`) {
				sawCreateBody = true
			}
		case e["method"] == "GET" && strings.HasSuffix(url, "/v2.1/os-keypairs/gen21") && e["status"] == float64(200) && e["microversion"] == "compute 2.2":
			sawGet = true
		}
	}
	if !sawToken || !sawCreate || !sawCreateBody || !sawGet {
		t.Errorf("log lacks requests: token %v, create %v, create body (masked) %v, get %v\n%s", sawToken, sawCreate, sawCreateBody, sawGet, log)
	}
}

// Below TRACE no body is logged at all.
func TestLogging_debugLogsNoBodies(t *testing.T) {
	t.Setenv("TF_LOG", "DEBUG")
	var out syncBuffer
	ctx := tflogtest.RootLogger(context.Background(), &out)
	f := novatest.NewCloud(t)
	cfg := testConfig(f)
	cfg.HTTPTransport = novatest.NewRecordingTransport(t)
	c, err := NewClient(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateKeypair(ctx, "", CreateKeypairOpts{Name: "kp", PublicKey: novatest.PublicKey}); err != nil {
		t.Fatal(err)
	}
	log := out.String()
	if strings.Contains(log, "request_body") || strings.Contains(log, "response_body") {
		t.Errorf("bodies logged below TRACE:\n%s", log)
	}
	if !strings.Contains(log, `"method":"POST","status":200,"url":"`+f.URL()+`/v2.1/os-keypairs"`) {
		t.Errorf("the create's request line is missing:\n%s", log)
	}
}
