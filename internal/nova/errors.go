package nova

import (
	"encoding/json"
	"errors"
	"net/http"

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
