package nova

// Helpers for package nova's own tests that need the Client's unexported
// fields. The fake cloud and the recording transport are package novatest.

import (
	"context"
	"testing"
	"time"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

func ptrTo[T any](v T) *T { return &v }

func bg() context.Context { return context.Background() }

// testConfig authenticates as the recorded admin against f, with nothing
// read from the environment.
func testConfig(f *novatest.Cloud) Config {
	return Config{
		AuthURL:     f.URL() + "/v3",
		UserName:    novatest.UserName,
		Password:    novatest.Password,
		ProjectName: novatest.ProjectName,
		Getenv:      func(string) string { return "" },
	}
}

// newTestClient authenticates against f through a recording transport;
// edit changes the Config first. Retries back off for a millisecond, not
// half a second, so that retry tests stay fast (Retry-After is still
// honoured).
func newTestClient(t *testing.T, f *novatest.Cloud, edit func(*Config)) (*Client, *novatest.RecordingTransport) {
	t.Helper()
	rt := novatest.NewRecordingTransport(t)
	cfg := testConfig(f)
	cfg.HTTPTransport = rt
	if edit != nil {
		edit(&cfg)
	}
	c, err := NewClient(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	c.transport.baseDelay = time.Millisecond
	c.transport.maxDelay = 5 * time.Millisecond
	return c, rt
}
