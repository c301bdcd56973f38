package nova

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
)

// IsNotFound reports whether err is Nova's 404: the keypair does not exist
// for that user.
func IsNotFound(err error) bool {
	return gophercloud.ResponseCodeIs(err, http.StatusNotFound)
}

// IsConflict reports whether err is Nova's 409, or a create found to
// conflict after its answer was lost: a keypair of that name already
// exists for that user.
func IsConflict(err error) bool {
	var conflict *ConflictError
	return errors.As(err, &conflict) || gophercloud.ResponseCodeIs(err, http.StatusConflict)
}

// APIMessage returns the message of Nova's error body, e.g. "Key pair 'x'
// already exists.", or err's own text when there is none.
//
// Nova wraps errors as {"<kind>": {"code": 409, "message": "..."}}.
func APIMessage(err error) string {
	if err == nil {
		return ""
	}
	var conflict *ConflictError
	if errors.As(err, &conflict) {
		return conflict.Error()
	}
	var code gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &code) {
		var body map[string]struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(code.Body, &body) == nil {
			for _, v := range body {
				if v.Message != "" {
					return v.Message
				}
			}
		}
	}
	return err.Error()
}

// IsForbidden reports whether err is Nova's 403 for a policy: the caller
// may not do that (e.g. name another user's keypairs without being an
// admin).
func IsForbidden(err error) bool {
	return gophercloud.ResponseCodeIs(err, http.StatusForbidden) && !IsOverQuota(err)
}

// IsOverQuota reports whether err is Nova's 403 for the keypair quota:
// the user has as many keypairs as it may. Nova says so only in the
// message ("Quota exceeded, too many key pairs."); its kind is "forbidden"
// like a policy refusal.
func IsOverQuota(err error) bool {
	return gophercloud.ResponseCodeIs(err, http.StatusForbidden) && strings.Contains(strings.ToLower(APIMessage(err)), "quota exceeded")
}
