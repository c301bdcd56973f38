package nova

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"golang.org/x/sync/singleflight"
)

// The keypair index: one user's keypair list in one region, read once per
// client (one provider instance, one Terraform walk) and shared by every
// resource and data source that reads through it, so that refreshing N
// keypairs costs one list request per 1000 keypairs instead of N GETs.
// Nothing of it is kept on disk.

type indexKey struct{ region, userID string }

// keypairIndex is the part of one user's keypair list read so far, in
// Nova's order, with the keypairs this client created or deleted since.
// It is safe for concurrent use: a page is fetched by one caller while
// the others that need it wait (flights).
type keypairIndex struct {
	c      *Client
	region string
	userID string

	flights singleflight.Group // one key per page number

	// Guarded by c.mu.
	sc        *gophercloud.ServiceClient // microversion of the first page, kept for the rest
	pages     int                        // pages read
	next      string                     // URL of the next page
	complete  bool                       // the last page is read
	restarted bool                       // read again from the start after a refused marker
	names     []string                   // in Nova's order
	byName    map[string]Keypair
}

// index returns userID's keypair index in region ("" is the default
// region), creating it empty; it sends no request.
func (c *Client) index(ctx context.Context, region, userID string) (*keypairIndex, error) {
	if region == "" {
		var err error
		if region, err = c.Region(ctx); err != nil {
			return nil, err
		}
	}
	key := indexKey{region, userID}
	c.mu.Lock()
	defer c.mu.Unlock()
	ix, ok := c.indexes[key]
	if !ok {
		ix = &keypairIndex{c: c, region: region, userID: userID, byName: map[string]Keypair{}}
		if c.indexes == nil {
			c.indexes = map[indexKey]*keypairIndex{}
		}
		c.indexes[key] = ix
	}
	return ix, nil
}

// indexed calls fn with userID's index in region if one exists (a create
// or delete keeps it true); it sends no request.
func (c *Client) indexed(region, userID string, fn func(*keypairIndex)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if region == "" {
		region = c.region
		if region == "" && c.authDone {
			region = catalogRegion(c.provider, c.endpointOpts.Availability)
		}
	}
	if ix, ok := c.indexes[indexKey{region, userID}]; ok {
		fn(ix)
	}
}

// find returns the keypair name, reading pages until it is found or the
// list ends (then an error for which IsNotFound is true).
func (ix *keypairIndex) find(ctx context.Context, name string) (Keypair, error) {
	for {
		ix.c.mu.Lock()
		kp, found := ix.byName[name]
		complete, pages := ix.complete, ix.pages
		ix.c.mu.Unlock()
		switch {
		case found:
			return kp, nil
		case complete:
			return Keypair{}, &NotFoundError{Name: name, UserID: ix.userID, Region: ix.region}
		}
		if err := ix.fetch(ctx, pages+1); err != nil {
			return Keypair{}, err
		}
	}
}

// each calls yield with each keypair in Nova's order, reading pages only
// as far as yield asks for more (it returns false to stop).
func (ix *keypairIndex) each(ctx context.Context, yield func(Keypair) bool) error {
	for i := 0; ; {
		ix.c.mu.Lock()
		if i < len(ix.names) {
			kp := ix.byName[ix.names[i]]
			ix.c.mu.Unlock()
			if !yield(kp) {
				return nil
			}
			i++
			continue
		}
		complete, pages := ix.complete, ix.pages
		ix.c.mu.Unlock()
		if complete {
			return nil
		}
		if err := ix.fetch(ctx, pages+1); err != nil {
			return err
		}
	}
}

// all returns the whole list, reading the pages not read yet.
func (ix *keypairIndex) all(ctx context.Context) ([]Keypair, error) {
	for {
		ix.c.mu.Lock()
		if ix.complete {
			out := make([]Keypair, len(ix.names))
			for i, n := range ix.names {
				out[i] = ix.byName[n]
			}
			ix.c.mu.Unlock()
			return out, nil
		}
		pages := ix.pages
		ix.c.mu.Unlock()
		if err := ix.fetch(ctx, pages+1); err != nil {
			return nil, err
		}
	}
}

// fetch reads page n (1 is the first) unless it has been read: one
// request, shared by every caller that needs it. A failed page is
// returned to the callers that waited for it (the transport has retried
// it like any GET); the next call tries it again.
func (ix *keypairIndex) fetch(ctx context.Context, n int) error {
	_, err := shared(ctx, &ix.flights, fmt.Sprint(n), func(ctx context.Context) (struct{}, error) {
		ix.c.mu.Lock()
		sc, u, done := ix.sc, ix.next, ix.pages >= n || ix.complete
		ix.c.mu.Unlock()
		if done {
			return struct{}{}, nil
		}
		if sc == nil {
			var err error
			if sc, err = ix.c.serviceClient(ctx, ix.region, userNeed(ix.userID, FeatureListPaging, FeatureKeypairType)); err != nil {
				return struct{}{}, err
			}
		}
		kps, next, err := fetchKeypairPage(ctx, sc, u, ix.userID)
		ix.c.mu.Lock()
		defer ix.c.mu.Unlock()
		if err != nil && u != "" && !ix.restarted && gophercloud.ResponseCodeIs(err, http.StatusBadRequest) {
			// The keypair a page's marker names was deleted since the page
			// before was read, and Nova refuses the marker: read the list
			// again from its start (once).
			ix.pages, ix.next, ix.restarted = 0, "", true
			return struct{}{}, nil
		}
		if err != nil {
			return struct{}{}, err
		}
		ix.sc, ix.pages, ix.next, ix.complete = sc, n, next, next == ""
		for _, kp := range kps {
			if _, ok := ix.byName[kp.Name]; !ok {
				ix.names = append(ix.names, kp.Name)
			}
			ix.byName[kp.Name] = kp
		}
		return struct{}{}, nil
	})
	return err
}

// put records a keypair this client created, with what a list entry
// carries. Called with c.mu held.
func (ix *keypairIndex) put(kp Keypair) {
	if _, ok := ix.byName[kp.Name]; !ok {
		i, _ := slices.BinarySearchFunc(ix.names, kp.Name, strings.Compare)
		ix.names = slices.Insert(ix.names, i, kp.Name)
	}
	kp.PrivateKey, kp.UserID, kp.CreatedAt = "", "", ""
	ix.byName[kp.Name] = kp
}

// remove forgets a keypair this client deleted. Called with c.mu held.
func (ix *keypairIndex) remove(name string) {
	if _, ok := ix.byName[name]; !ok {
		return
	}
	delete(ix.byName, name)
	ix.names = slices.DeleteFunc(ix.names, func(n string) bool { return n == name })
}
