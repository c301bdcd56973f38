package novatest

import (
	"fmt"
	"strconv"
	"strings"
)

// version is a compute API microversion as the fake reads it. The fake
// keeps its own parser (rather than package nova's) so that package nova's
// tests can import novatest without an import cycle, and so that the fake
// does not agree with the client merely because both share one parser.
type version struct{ major, minor int }

// Microversions at which the keypair API changes (Nova 26.2.2).
var (
	v2_1  = version{2, 1}  // the base; legacy /v2 speaks it without headers
	v2_2  = version{2, 2}  // keypair `type`; create 201 and delete 204
	v2_10 = version{2, 10} // `user_id` for another user's keypair
	v2_35 = version{2, 35} // list pages with `limit` and `marker`
	v2_75 = version{2, 75} // unknown query parameters are refused
	v2_92 = version{2, 92} // `@` and `.` in names; no more generation
)

// parseVersion reads "2.10" as Nova does: two non-negative integers.
func parseVersion(s string) (version, bool) {
	major, minor, ok := strings.Cut(s, ".")
	if !ok {
		return version{}, false
	}
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil || ma < 0 || mi < 0 || strings.HasPrefix(major, "+") || strings.HasPrefix(minor, "+") {
		return version{}, false
	}
	return version{ma, mi}, true
}

func (v version) String() string { return fmt.Sprintf("%d.%d", v.major, v.minor) }

// less reports whether v comes before o (minor versions compare as
// numbers: 2.9 before 2.10).
func (v version) less(o version) bool {
	return v.major < o.major || (v.major == o.major && v.minor < o.minor)
}

// atLeast reports whether v is o or later.
func (v version) atLeast(o version) bool { return !v.less(o) }
