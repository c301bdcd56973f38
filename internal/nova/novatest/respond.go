package novatest

import (
	"encoding/json"
	"io"
	"net/http"
)

// WriteJSON answers status with body (sent as is; "" for none) and the
// given headers as name, value pairs. Content-Type is application/json when
// there is a body and the headers do not name another. For hooks that
// answer what no recording shows.
func WriteJSON(w http.ResponseWriter, status int, body string, headers ...string) {
	for i := 0; i+1 < len(headers); i += 2 {
		w.Header().Set(headers[i], headers[i+1])
	}
	if body != "" && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// NovaError answers Nova's error form: status with the body
// {"<kind>": {"code": <status>, "message": <message>}} and Content-Type
// "application/json; charset=UTF-8" (Recording: "duplicate name" shows
// both), plus the given headers as name, value pairs, e.g.
// NovaError(w, 503, "computeFault", "Service Unavailable", "Retry-After", "1").
func NovaError(w http.ResponseWriter, status int, kind, message string, headers ...string) {
	b, _ := json.Marshal(map[string]any{kind: map[string]any{"code": status, "message": message}})
	WriteJSON(w, status, string(b), append([]string{"Content-Type", "application/json; charset=UTF-8"}, headers...)...)
}

// ResetConnection drops the connection without an answer: the client sees
// a connection reset or EOF after its request went out, as when a load
// balancer or the network loses the answer. No recording shows this; it is
// for hooks.
func ResetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic("novatest: ResetConnection: " + err.Error())
	}
	conn.Close()
}

// FailFirst is a Hook that answers the first n requests it sees with fail
// (e.g. ResetConnection, or a NovaError) and lets the fake answer the rest.
func FailFirst(n int, fail func(http.ResponseWriter)) Hook {
	return func(w http.ResponseWriter, _ *http.Request, i int) bool {
		if i <= n {
			fail(w)
			return true
		}
		return false
	}
}
