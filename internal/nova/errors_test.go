package nova

import (
	"errors"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
)

func TestAPIMessage(t *testing.T) {
	// Bodies a real Nova 26.2.2 answered: the first two are recorded
	// (novatest/testdata/nova-26.2.2-keypairs.md, Recordings "duplicate
	// name" and "show missing"), the quota one was seen on the dev cloud
	// (tools/devcloud/FACTS.md).
	for body, want := range map[string]string{
		`{"conflictingRequest": {"code": 409, "message": "Key pair 'imp-rsa' already exists."}}`:                         "Key pair 'imp-rsa' already exists.",
		`{"itemNotFound": {"code": 404, "message": "Keypair nope not found for user 042fcf6326b14dccadb5ad9b582c979a"}}`: "Keypair nope not found for user 042fcf6326b14dccadb5ad9b582c979a",
		`{"forbidden": {"code": 403, "message": "Quota exceeded, too many key pairs."}}`:                                 "Quota exceeded, too many key pairs.",
	} {
		err := gophercloud.ErrUnexpectedResponseCode{Actual: 409, Body: []byte(body)}
		if got := APIMessage(err); got != want {
			t.Errorf("APIMessage(%s) = %q, want %q", body, got, want)
		}
	}
	plain := errors.New("connection refused")
	if got := APIMessage(plain); got != "connection refused" {
		t.Errorf("APIMessage(plain) = %q", got)
	}
	if APIMessage(nil) != "" {
		t.Error("APIMessage(nil) is not empty")
	}
}

func TestErrorClasses(t *testing.T) {
	notFound := gophercloud.ErrUnexpectedResponseCode{Actual: 404}
	conflict := gophercloud.ErrUnexpectedResponseCode{Actual: 409}
	if !IsNotFound(notFound) || IsNotFound(conflict) || IsNotFound(errors.New("x")) {
		t.Error("IsNotFound misclassifies")
	}
	if !IsConflict(conflict) || IsConflict(notFound) {
		t.Error("IsConflict misclassifies")
	}
}

// A create whose answer was lost and whose name turned out to hold another
// key is a conflict, with its own message rather than the lost answer's.
func TestConflictAfterUncertainCreate(t *testing.T) {
	lost := gophercloud.ErrUnexpectedResponseCode{Actual: 503, Body: []byte(`{"computeFault": {"code": 503, "message": "Service Unavailable"}}`)}
	err := error(&ConflictError{Name: "k", Err: lost})
	if !IsConflict(err) {
		t.Error("IsConflict is false for a ConflictError")
	}
	if got := APIMessage(err); got != `keypair "k" already exists with another public key` {
		t.Errorf("APIMessage = %q", got)
	}
}
