package nova

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
)

// Microversion is a compute API microversion, e.g. 2.10.
type Microversion struct {
	Major, Minor int
}

// Microversions the keypair API cares about.
var (
	// V2_1 is the base of the v2.1 API, and what legacy /v2 and /v1.1
	// endpoints speak.
	V2_1 = Microversion{2, 1}
	// V2_2 adds the keypair `type` (ssh or x509) and answers create with
	// 201 and delete with 204.
	V2_2 = Microversion{2, 2}
	// V2_10 lets an admin name another user's keypair with `user_id`.
	V2_10 = Microversion{2, 10}
	// V2_35 pages keypair lists with `limit` and `marker`.
	V2_35 = Microversion{2, 35}
	// V2_92 allows `@` and `.` in names and no longer generates keys.
	V2_92 = Microversion{2, 92}
)

// ParseMicroversion parses "2.10". "latest" is not a microversion.
func ParseMicroversion(s string) (Microversion, error) {
	major, minor, ok := strings.Cut(strings.TrimSpace(s), ".")
	if !ok {
		return Microversion{}, fmt.Errorf("microversion %q is not of the form MAJOR.MINOR, e.g. 2.10", s)
	}
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil || ma < 0 || mi < 0 {
		return Microversion{}, fmt.Errorf("microversion %q is not of the form MAJOR.MINOR, e.g. 2.10", s)
	}
	return Microversion{ma, mi}, nil
}

func (v Microversion) String() string {
	return fmt.Sprintf("%d.%d", v.Major, v.Minor)
}

// Less reports whether v comes before o.
func (v Microversion) Less(o Microversion) bool {
	return v.Major < o.Major || (v.Major == o.Major && v.Minor < o.Minor)
}

// IsZero reports whether v is unset.
func (v Microversion) IsZero() bool { return v == Microversion{} }

// versionRange is what a compute endpoint supports, after the provider's
// cap. A legacy endpoint (/v2, /v1.1) has no microversions: it speaks 2.1
// and must be sent no microversion header.
type versionRange struct {
	min, max Microversion
	legacy   bool
	capped   bool // max was lowered by max_microversion
}

// need is what one request needs: at least min (for a feature named
// feature), and want if the endpoint offers it.
type need struct {
	min     Microversion
	feature string
	want    Microversion
}

// choose picks the microversion for a request: the lowest that carries
// what it needs (want when offered, else the highest offered), never above
// what the endpoint supports. "" means send no header (legacy endpoint).
func (r versionRange) choose(n need) (string, error) {
	minV := n.min
	if minV.IsZero() {
		minV = V2_1
	}
	if r.max.Less(minV) {
		return "", &MicroversionError{Feature: n.feature, Required: minV, Max: r.max, Legacy: r.legacy, Capped: r.capped}
	}
	if r.legacy {
		return "", nil
	}
	v := n.want
	if v.Less(minV) {
		v = minV
	}
	if r.max.Less(v) {
		v = r.max
	}
	if v.Less(r.min) {
		v = r.min
	}
	return v.String(), nil
}

// MicroversionError says that a feature needs a newer compute API than the
// cloud (or the provider's max_microversion) allows. It is returned before
// any write is attempted.
type MicroversionError struct {
	Feature  string
	Required Microversion
	Max      Microversion
	Legacy   bool
	Capped   bool
}

func (e *MicroversionError) Error() string {
	what := e.Feature
	if what == "" {
		what = "this request"
	}
	why := fmt.Sprintf("the compute endpoint supports at most %s", e.Max)
	switch {
	case e.Legacy:
		why = "the compute endpoint is a legacy one (/v2 or /v1.1) without microversions, i.e. 2.1"
	case e.Capped:
		why = fmt.Sprintf("the provider's `max_microversion` caps it at %s", e.Max)
	}
	return fmt.Sprintf("%s needs compute API microversion %s or later, but %s", what, e.Required, why)
}

// discoverVersions reads the compute endpoint's version document: one GET,
// once per endpoint and provider instance. A failed GET is an error: it is
// not taken for a legacy endpoint (gophercloud's utils.GetServiceVersions
// would fall back to the version in the URL, /v2.1, without microversions).
func (c *Client) discoverVersions(ctx context.Context, endpoint string) (versionRange, error) {
	type versionDocument struct {
		Version    string `json:"version"`
		MinVersion string `json:"min_version"`
	}
	var doc struct {
		Version  *versionDocument  `json:"version"`
		Versions []versionDocument `json:"versions"`
	}
	_, err := c.provider.Request(ctx, http.MethodGet, endpoint, &gophercloud.RequestOpts{
		JSONResponse: &doc,
		OkCodes:      []int{http.StatusOK, http.StatusMultipleChoices},
	})
	if err != nil {
		return versionRange{}, fmt.Errorf("reading the compute API version document at %s: %w", endpoint, err)
	}
	versions := doc.Versions
	if doc.Version != nil {
		versions = []versionDocument{*doc.Version}
	}
	r := versionRange{min: V2_1, max: V2_1, legacy: true}
	if len(versions) == 1 && versions[0].Version != "" {
		maxV, err := ParseMicroversion(versions[0].Version)
		if err != nil {
			return versionRange{}, fmt.Errorf("the compute API version document at %s: %w", endpoint, err)
		}
		minV, err := ParseMicroversion(coalesce(versions[0].MinVersion, V2_1.String()))
		if err != nil {
			return versionRange{}, fmt.Errorf("the compute API version document at %s: %w", endpoint, err)
		}
		r = versionRange{min: minV, max: maxV}
	}
	if !c.maxMicroversion.IsZero() && c.maxMicroversion.Less(r.max) {
		r.max = c.maxMicroversion
		r.capped = true
	}
	return r, nil
}

// Require returns a *MicroversionError, before anything is written, when
// region's compute endpoint (after max_microversion) cannot serve v, which
// feature needs.
func (c *Client) Require(ctx context.Context, region string, v Microversion, feature string) error {
	ep, err := c.endpoint(ctx, region)
	if err != nil {
		return err
	}
	_, err = ep.versions.choose(need{min: v, feature: feature})
	return err
}
