package nova

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"
	"github.com/gophercloud/gophercloud/v2/pagination"
)

// Keypair is a keypair as Nova returns it.
type Keypair struct {
	Name        string `json:"name"`
	PublicKey   string `json:"public_key"`
	PrivateKey  string `json:"private_key"`
	Fingerprint string `json:"fingerprint"`
	Type        string `json:"type"`
	UserID      string `json:"user_id"`
	CreatedAt   string `json:"created_at"`
}

// CreateKeypairOpts is what a create sends. PublicKey is always set: the
// provider generates keys itself rather than asking Nova to (Nova 2.92+
// refuses to).
type CreateKeypairOpts struct {
	Name      string
	PublicKey string
	// Type is ssh or x509 (FeatureKeypairType, 2.2); "" sends none
	// (Nova's default, ssh).
	Type string
	// UserID names another user, for an admin (FeatureOtherUser, 2.10);
	// "" is the caller.
	UserID string
}

// Features lists what the create needs of the compute API: the keypair
// type (x509), another user, a name with ExtendedNameChars. The
// provider's plan-time check asks Client.Require for the same list.
func (o CreateKeypairOpts) Features() []Feature {
	var fs []Feature
	if o.Type != "" {
		fs = append(fs, FeatureKeypairType)
	}
	if o.UserID != "" {
		fs = append(fs, FeatureOtherUser)
	}
	if strings.ContainsAny(o.Name, ExtendedNameChars) {
		fs = append(fs, FeatureExtendedNames)
	}
	return fs
}

// userNeed is what a request about userID's keypairs needs ("" is the
// caller's own), with wanted features where the endpoint has them.
func userNeed(userID string, wanted ...Feature) need {
	if userID != "" {
		return need{required: []Feature{FeatureOtherUser}, wanted: wanted}
	}
	return need{wanted: wanted}
}

// CreateKeypair imports a public key as a keypair: one POST, whose
// response fills the keypair; no read follows. It is sent at the lowest
// microversion opts.Features needs: none for an ssh key of the caller's
// own (Nova answers as 2.1: 200, no type), 2.2 for x509, 2.10 for another
// user, 2.92 for a name with '@' or '.'.
//
// A POST whose outcome is unknown (5xx, connection reset, timeout after
// the request went out) is resolved by reading the keypair back by name:
// if it exists with exactly the public key sent, Nova created it and that
// is success; if it does not exist, the POST is sent again; if it exists
// with another key, the error is a conflict. So a lost response neither
// fails the apply nor leaves a keypair Terraform does not know of.
//
// When ctx ends (Terraform stopping the provider on Ctrl-C, or the
// create timeout) after a POST may have reached Nova, nothing is sent
// again: the create is settled (see settleCreate) on a context of its own,
// bounded by SettleTimeout, and returns the keypair, with a nil error, if
// Nova made it; the caller must then record it although its ctx is done.
func (c *Client) CreateKeypair(ctx context.Context, region string, opts CreateKeypairOpts) (*Keypair, error) {
	// A create that needs nothing beyond 2.1 (an ssh key of one's own)
	// is sent without a microversion, so it costs no version document;
	// Nova's answer has no type then, which is ssh.
	sc, err := c.serviceClient(ctx, region, need{required: opts.Features()})
	if err != nil {
		return nil, err
	}
	body := keypairs.CreateOpts{Name: opts.Name, PublicKey: opts.PublicKey, Type: opts.Type, UserID: opts.UserID}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("keypair %q was not created: %w", opts.Name, err) // nothing was sent
	}

	uncertain := false
	for attempt := 0; ; attempt++ {
		var kp Keypair
		err := keypairs.Create(ctx, sc, body).ExtractIntoStructPtr(&kp, "keypair")
		if err == nil && kp.Type == "" {
			kp.Type = cmp.Or(opts.Type, keypairTypeSSH) // below 2.2, Nova answers without one
		}
		if err == nil {
			c.indexed(region, opts.UserID, func(ix *keypairIndex) { ix.put(kp) })
			return &kp, nil
		}
		if ctx.Err() != nil && (uncertain || !neverSent(err)) {
			return c.settleCreate(ctx, region, opts, err)
		}
		// A 409 to the first POST is a real conflict; after an uncertain
		// attempt it may be our own keypair.
		if !isUncertain(ctx, err) && (!uncertain || !IsConflict(err)) {
			return nil, err
		}
		uncertain = true

		existing, getErr := c.GetKeypair(ctx, region, opts.Name, opts.UserID)
		if getErr != nil && ctx.Err() != nil {
			return c.settleCreate(ctx, region, opts, err)
		}
		switch {
		case getErr == nil && strings.TrimSpace(existing.PublicKey) == strings.TrimSpace(opts.PublicKey):
			c.indexed(region, opts.UserID, func(ix *keypairIndex) { ix.put(*existing) })
			return existing, nil
		case getErr == nil:
			return nil, &ConflictError{Name: opts.Name, Err: err}
		case !IsNotFound(getErr):
			return nil, fmt.Errorf("the create of keypair %q may have failed (%w); reading it back failed too: %v", opts.Name, err, getErr)
		case attempt >= c.transport.maxRetries:
			return nil, err
		}
		if sleepErr := sleep(ctx, c.retryDelay(err, attempt)); sleepErr != nil {
			return c.settleCreate(ctx, region, opts, err)
		}
	}
}

// SettleTimeout bounds how long a create or delete whose context ended
// while its request may have been at Nova is settled for, on a context of
// its own that Terraform's stop does not cancel.
const SettleTimeout = 30 * time.Second

// SettleLooks are the waits before each look for the outcome of a request
// cancelled in flight: Nova may still be handling it (a cancelled client
// does not stop the server, and a busy Nova or a proxy in front of it may
// act on it seconds later), so a keypair not there yet (or, after a
// DELETE, still there) is looked for again before the request is called
// not done: 15.5 s in all, within SettleTimeout. Tests shorten it.
var SettleLooks = []time.Duration{0, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}

// settleSpan is how long SettleLooks look, for messages.
func settleSpan() time.Duration {
	var d time.Duration
	for _, w := range SettleLooks {
		d += w
	}
	return d
}

// settleCreate finds out whether a POST whose context ended (cause is its
// error) made the keypair, without sending it again: it reads the keypair
// back on a context of its own (SettleTimeout). It returns the keypair if
// Nova holds it with the public key sent; a *ConflictError if Nova holds
// another key under the name; an error wrapping cause, saying the keypair
// was not created, if Nova does not hold it; or an *UnsettledError if
// Nova could not be asked.
func (c *Client) settleCreate(ctx context.Context, region string, opts CreateKeypairOpts, cause error) (*Keypair, error) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), SettleTimeout)
	defer cancel()
	for _, wait := range SettleLooks {
		if err := sleep(sctx, wait); err != nil {
			break
		}
		existing, err := c.GetKeypair(sctx, region, opts.Name, opts.UserID)
		switch {
		case err == nil && strings.TrimSpace(existing.PublicKey) == strings.TrimSpace(opts.PublicKey):
			c.indexed(region, opts.UserID, func(ix *keypairIndex) { ix.put(*existing) })
			return existing, nil
		case err == nil:
			return nil, &ConflictError{Name: opts.Name, Err: cause}
		case !IsNotFound(err):
			return nil, &UnsettledError{Op: "create", Name: opts.Name, Cause: cause, Err: err}
		}
	}
	return nil, fmt.Errorf("%w; Nova did not hold keypair %q %s after the create was cut short: it was not created", cause, opts.Name, settleSpan())
}

// isUncertain reports whether a POST may have been processed although it
// failed: a 5xx, or a transport error after the request went out.
func isUncertain(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var code gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &code) {
		return code.Actual >= 500
	}
	return !neverSent(err)
}

func (c *Client) retryDelay(err error, attempt int) time.Duration {
	var code gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &code) && (code.Actual == http.StatusServiceUnavailable || code.Actual == http.StatusTooManyRequests) {
		if d, ok := parseRetryAfter(code.ResponseHeader); ok {
			return jitterAfter(d)
		}
	}
	return c.transport.backoff(attempt)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pathSegment is a keypair name as the last segment of its URL
// (/os-keypairs/{name}), such that the server reads back exactly that
// name: url.PathEscape (space, '%', '?', '#' and the like), and the dot
// segments "." and ".." percent-encoded whole, since URL resolution (RFC
// 3986 section 5.2.4, which servers and proxies apply) would drop "." and
// climb for "..": Nova reads /os-keypairs/. as /os-keypairs/ (404) and
// /os-keypairs/.. as the compute root (its version document). Nova allows
// such names from 2.92 and decodes %2E back to '.'.
func pathSegment(name string) string {
	if name == "." || name == ".." {
		return strings.Repeat("%2E", len(name))
	}
	return url.PathEscape(name)
}

// GetKeypair reads one keypair: one GET. userID "" is the caller's own
// keypair. A missing keypair is an error for which IsNotFound is true.
func (c *Client) GetKeypair(ctx context.Context, region, name, userID string) (*Keypair, error) {
	sc, err := c.serviceClient(ctx, region, userNeed(userID, FeatureKeypairType))
	if err != nil {
		return nil, err
	}
	var kp Keypair
	err = keypairs.Get(ctx, sc, pathSegment(name), keypairs.GetOpts{UserID: userID}).ExtractIntoStructPtr(&kp, "keypair")
	if err != nil {
		return nil, err
	}
	return &kp, nil
}

// DeleteKeypair deletes one keypair: one DELETE (retried when the answer is
// lost). The caller's own keypair is deleted without a microversion (2.1:
// no version document is read); another user's at 2.10. A keypair that
// is already gone is an error for which IsNotFound is true; callers treat
// it as deleted.
func (c *Client) DeleteKeypair(ctx context.Context, region, name, userID string) error {
	sc, err := c.serviceClient(ctx, region, userNeed(userID))
	if err != nil {
		return err
	}
	err = keypairs.Delete(ctx, sc, pathSegment(name), keypairs.DeleteOpts{UserID: userID}).ExtractErr()
	if err != nil && ctx.Err() != nil && !neverSent(err) {
		err = c.settleDelete(ctx, region, name, userID, err)
	}
	if err == nil || IsNotFound(err) {
		c.indexed(region, userID, func(ix *keypairIndex) { ix.remove(name) })
	}
	return err
}

// settleDelete finds out whether a DELETE whose context ended (cause is
// its error) removed the keypair, reading it back on a context of its own
// (SettleTimeout), as SettleLooks say: it returns nil once Nova no longer
// holds the keypair; a *StillHeldError wrapping cause if Nova still holds
// it at the last look (the keypair stays in state; a later refresh drops
// it if the DELETE lands after all); or an *UnsettledError.
func (c *Client) settleDelete(ctx context.Context, region, name, userID string, cause error) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), SettleTimeout)
	defer cancel()
	for _, wait := range SettleLooks {
		if err := sleep(sctx, wait); err != nil {
			break
		}
		_, err := c.GetKeypair(sctx, region, name, userID)
		switch {
		case IsNotFound(err):
			return nil
		case err != nil:
			return &UnsettledError{Op: "delete", Name: name, Cause: cause, Err: err}
		}
	}
	return &StillHeldError{Name: name, After: settleSpan(), Err: cause}
}

// keypairTypeSSH is Nova's default keypair type, and the only one
// before 2.2.
const keypairTypeSSH = "ssh"

// listPageSize is the page size asked for from 2.35: the server's own cap
// (max_limit, 1000 by default).
const listPageSize = 1000

// ListKeypairs lists every keypair of a user ("" is the caller) in region,
// in Nova's order (by name), through the instance's keypair index: the
// list is read once per instance (see FindKeypair), to the end. From
// 2.35 it is paged with limit and marker, following keypairs_links, one
// request per page of 1000; before, one request. Entries carry name,
// public_key, fingerprint and (2.2+) type, but not user_id or created_at.
func (c *Client) ListKeypairs(ctx context.Context, region, userID string) ([]Keypair, error) {
	ix, err := c.index(ctx, region, userID)
	if err != nil {
		return nil, err
	}
	return ix.all(ctx)
}

// EachKeypair calls yield with each keypair of a user ("" is the caller)
// in region, in Nova's order, through the instance's keypair index,
// reading pages (1000 keypairs each, from 2.35) only as far as yield asks
// for more: it returns false to stop. Entries are as ListKeypairs's.
func (c *Client) EachKeypair(ctx context.Context, region, userID string, yield func(Keypair) bool) error {
	ix, err := c.index(ctx, region, userID)
	if err != nil {
		return err
	}
	return ix.each(ctx, yield)
}

// FindKeypair reads one keypair of a user ("" is the caller) in region
// through the instance's keypair index, which reads the user's keypair
// list once for every resource of the instance rather than one GET per
// keypair: the first call fetches the first page, concurrent calls wait
// for that fetch, later calls are served from it, and a name not in the
// pages read so far fetches the next page. A keypair absent from the
// complete list is an error for which IsNotFound is true.
//
// The entry is what the list carries: name, public_key, fingerprint and
// (2.2+) type; user_id and created_at are empty (GetKeypair has them).
func (c *Client) FindKeypair(ctx context.Context, region, name, userID string) (*Keypair, error) {
	ix, err := c.index(ctx, region, userID)
	if err != nil {
		return nil, err
	}
	kp, err := ix.find(ctx, name)
	if err != nil {
		return nil, err
	}
	return &kp, nil
}

// fetchKeypairPage reads one page of a keypair list: from u, or when u is
// "" from the start of userID's list, at sc's microversion. next is the
// following page's URL, "" at the end of the list.
func fetchKeypairPage(ctx context.Context, sc *gophercloud.ServiceClient, u, userID string) (kps []Keypair, next string, err error) {
	paged := sc.Microversion != "" && !mustParse(sc.Microversion).Less(FeatureListPaging.MinMicroversion())
	if u == "" {
		query := url.Values{}
		if userID != "" {
			query.Set("user_id", userID)
		}
		if paged {
			query.Set("limit", fmt.Sprint(listPageSize))
		}
		u = sc.ServiceURL("os-keypairs")
		if len(query) > 0 {
			u += "?" + query.Encode()
		}
	}
	err = pagination.NewPager(sc, u, func(r pagination.PageResult) pagination.Page {
		return keypairPage{LinkedPageBase: pagination.LinkedPageBase{PageResult: r, LinkPath: []string{"keypairs_links"}}}
	}).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		page, ok := p.(keypairPage)
		if !ok {
			return false, fmt.Errorf("unexpected page type %T", p)
		}
		if kps, err = extractKeypairs(page); err != nil {
			return false, err
		}
		if paged {
			next, err = page.NextPageURL()
		}
		return false, err // one page per call
	})
	return kps, next, err
}

func mustParse(s string) Microversion {
	v, _ := ParseMicroversion(s)
	return v
}

// keypairPage is one page of a keypair list. gophercloud's own KeyPairPage
// is a single page; this one follows keypairs_links (2.35+).
type keypairPage struct {
	pagination.LinkedPageBase
}

func (p keypairPage) IsEmpty() (bool, error) {
	if p.StatusCode == http.StatusNoContent {
		return true, nil
	}
	kps, err := extractKeypairs(p)
	return len(kps) == 0, err
}

func (p keypairPage) NextPageURL() (string, error) {
	var s struct {
		Links []gophercloud.Link `json:"keypairs_links"`
	}
	if err := p.ExtractInto(&s); err != nil {
		return "", err
	}
	return gophercloud.ExtractNextURL(s.Links)
}

func extractKeypairs(p keypairPage) ([]Keypair, error) {
	var s struct {
		Keypairs []struct {
			Keypair Keypair `json:"keypair"`
		} `json:"keypairs"`
	}
	if err := p.ExtractInto(&s); err != nil {
		return nil, err
	}
	out := make([]Keypair, len(s.Keypairs))
	for i, k := range s.Keypairs {
		out[i] = k.Keypair
	}
	return out, nil
}
