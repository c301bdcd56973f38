package nova

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// An expired token (Nova answers 401) is renewed once and the request
// sent again; with allow_reauth off, the 401 is the answer.
func TestReauthentication(t *testing.T) {
	expire := func(f *novatest.Cloud) {
		f.On(http.MethodGet, "/os-keypairs/k", func(w http.ResponseWriter, r *http.Request, n int) bool {
			if n == 1 {
				novatest.WriteJSON(w, http.StatusUnauthorized, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`)
				return true
			}
			return false
		})
	}
	tokenRequests := func(rt *novatest.RecordingTransport) int {
		n := 0
		for _, r := range rt.All() {
			if strings.HasSuffix(r.Path, "/auth/tokens") {
				n++
			}
		}
		return n
	}

	f := novatest.NewCloud(t)
	f.Seed(novatest.UserID, "k", novatest.PublicKey)
	expire(f)
	c, rt := newTestClient(t, f, nil)
	if _, err := c.GetKeypair(bg(), "", "k", ""); err != nil {
		t.Fatalf("GetKeypair after the token expired: %v", err)
	}
	if n := tokenRequests(rt); n != 2 {
		t.Errorf("%d token requests, want 2: the first, and one renewal", n)
	}

	f = novatest.NewCloud(t)
	f.Seed(novatest.UserID, "k", novatest.PublicKey)
	expire(f)
	c, rt = newTestClient(t, f, func(cfg *Config) { cfg.AllowReauth = ptrTo(false) })
	if _, err := c.GetKeypair(bg(), "", "k", ""); !gophercloud.ResponseCodeIs(err, http.StatusUnauthorized) {
		t.Fatalf("with allow_reauth off, want the 401, got %v", err)
	}
	if n := tokenRequests(rt); n != 1 {
		t.Errorf("%d token requests with allow_reauth off, want 1", n)
	}
}
