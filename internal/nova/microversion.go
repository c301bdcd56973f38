package nova

import (
	"cmp"
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
	// V2_2 adds the keypair type (ssh or x509) and answers create with
	// 201 and delete with 204.
	V2_2 = Microversion{2, 2}
	// V2_10 lets an admin name another user's keypair with user_id.
	V2_10 = Microversion{2, 10}
	// V2_35 pages keypair lists with `limit` and `marker`.
	V2_35 = Microversion{2, 35}
	// V2_92 allows '@' and '.' in names and no longer generates keys.
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
	capped   bool // max was lowered by Config.MaxMicroversion
}

// Feature is something a keypair request can ask of Nova that not every
// compute microversion has. The features table is the one place that
// says which microversion each needs; requests and plan-time checks
// both use it.
type Feature int

// The features of the keypair API.
const (
	// FeatureKeypairs is the keypair API itself (2.1).
	FeatureKeypairs Feature = iota
	// FeatureKeypairType is the keypair `type` (ssh or x509) in requests
	// and answers; creates answer 201 and deletes 204 from here on.
	FeatureKeypairType
	// FeatureOtherUser names another user's keypair (`user_id`, admins).
	FeatureOtherUser
	// FeatureListPaging pages keypair lists with limit and marker.
	FeatureListPaging
	// FeatureExtendedNames allows ExtendedNameChars in keypair names, and
	// refuses to generate keys.
	FeatureExtendedNames
)

// ExtendedNameChars are the keypair name characters Nova accepts only
// from FeatureExtendedNames's microversion (2.92).
const ExtendedNameChars = "@."

var features = [...]struct {
	min  Microversion
	what string
}{
	FeatureKeypairs:      {V2_1, "the keypair API"},
	FeatureKeypairType:   {V2_2, "the keypair type (x509)"},
	FeatureOtherUser:     {V2_10, "another user's keypair (user_id)"},
	FeatureListPaging:    {V2_35, "paged keypair lists"},
	FeatureExtendedNames: {V2_92, "a keypair name with '@' or '.'"},
}

// MinMicroversion is the first compute microversion that has f.
func (f Feature) MinMicroversion() Microversion { return features[f].min }

func (f Feature) String() string { return features[f].what }

// need is what one request needs: every feature of required, and the
// features of wanted where the endpoint offers them.
type need struct {
	required []Feature
	wanted   []Feature
}

// choose picks the microversion for a request: the lowest that carries
// every required feature and, where the endpoint offers it, every wanted
// one; never above what the endpoint supports. "" means send no header
// (legacy endpoint).
func (r versionRange) choose(n need) (string, error) {
	minV, blocking := V2_1, FeatureKeypairs
	for _, f := range n.required {
		if minV.Less(f.MinMicroversion()) {
			minV, blocking = f.MinMicroversion(), f
		}
	}
	if r.max.Less(minV) {
		return "", &MicroversionError{Feature: blocking, Required: minV, Max: r.max, Legacy: r.legacy, Capped: r.capped}
	}
	if r.legacy {
		return "", nil
	}
	v := minV
	for _, f := range n.wanted {
		if v.Less(f.MinMicroversion()) {
			v = f.MinMicroversion()
		}
	}
	if r.max.Less(v) {
		v = r.max
	}
	if v.Less(r.min) {
		v = r.min
	}
	return v.String(), nil
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
		minV, err := ParseMicroversion(cmp.Or(versions[0].MinVersion, V2_1.String()))
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
// region's compute endpoint (after the configured maximum microversion)
// cannot serve every one of fs; it reads the version document if fs is
// not empty. With no features it only makes sure the client can
// authenticate (an *AuthError otherwise) and that the catalog has a
// compute endpoint for region (an *EndpointError otherwise). Other errors
// are the endpoint's discovery failing.
func (c *Client) Require(ctx context.Context, region string, fs ...Feature) error {
	if len(fs) == 0 {
		_, err := c.endpoint(ctx, region)
		return err
	}
	_, versions, err := c.versions(ctx, region)
	if err != nil {
		return err
	}
	_, err = versions.choose(need{required: fs})
	return err
}
