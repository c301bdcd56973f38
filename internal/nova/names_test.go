package nova

import (
	"net/url"
	"path"
	"testing"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// TestPathSegment: a name becomes a path segment that the server reads
// back as that name, and nothing else.
func TestPathSegment(t *testing.T) {
	for name, want := range map[string]string{
		".":            "%2E",
		"..":           "%2E%2E",
		"...":          "...", // not a dot segment
		".a":           ".a",
		"a.":           "a.",
		"a b":          "a%20b",
		"a@b.c":        "a@b.c",
		"under_score-": "under_score-",
		"100%":         "100%25",
		"a?b#c/d":      "a%3Fb%23c%2Fd", // refused by Nova, still one segment
	} {
		got := pathSegment(name)
		if got != want {
			t.Errorf("pathSegment(%q) = %q, want %q", name, got, want)
		}
		// What a server reads: the path as sent, dot segments resolved
		// (path.Clean does that to the literal ones), then decoded.
		read, err := url.PathUnescape(path.Clean("/v2.1/os-keypairs/" + got))
		if err != nil {
			t.Fatal(err)
		}
		if read != "/v2.1/os-keypairs/"+name {
			t.Errorf("%q: the server reads %q", name, read)
		}
	}
}

// TestKeypair_dotSegmentNames: keypairs named "." and ".." (Nova allows
// them from 2.92) are created, read and deleted by name; a GET of
// /os-keypairs/. would be the list's path (the fake resolves dot segments
// as the real Nova's WSGI stack does).
func TestKeypair_dotSegmentNames(t *testing.T) {
	f := novatest.NewCloud(t)
	c, _ := newTestClient(t, f, nil)
	for _, name := range []string{".", "..", "...", ".@."} {
		if _, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: name, PublicKey: novatest.PublicKey}); err != nil {
			t.Fatalf("create %q: %v", name, err)
		}
		kp, err := c.GetKeypair(bg(), "", name, "")
		if err != nil || kp.Name != name {
			t.Fatalf("get %q: %+v, %v", name, kp, err)
		}
		if err := c.DeleteKeypair(bg(), "", name, ""); err != nil {
			t.Fatalf("delete %q: %v", name, err)
		}
		if _, ok := f.Has(novatest.UserID, name); ok {
			t.Errorf("%q is still there after delete", name)
		}
	}
}
