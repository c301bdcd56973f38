package novatest

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"unicode/utf8"

	"golang.org/x/crypto/ssh"
)

// targetUser is the user whose keypair a request names: ?user_id= (or the
// body's user_id on create) from 2.10, else the caller. Another user's
// keypairs are the admin's only; anyone else gets Nova's policy 403 for
// action (index, create, show, delete).
func targetUser(w http.ResponseWriter, named string, mv version, caller *user, action string) (string, bool) {
	if named == "" || mv.less(v2_10) || named == caller.id {
		return caller.id, true
	}
	if !caller.admin {
		// Recording: "demo lists admin's keypairs -> forbidden" (index)
		// Recording: "demo creates keypair for admin -> forbidden" (create)
		// show and delete are not recorded; Nova's policy names them alike.
		NovaError(w, http.StatusForbidden, "forbidden", fmt.Sprintf("Policy doesn't allow os_compute_api:os-keypairs:%s to be performed.", action))
		return "", false
	}
	// Recording: "admin lists demo's keypairs via ?user_id"
	return named, true
}

// view is a keypair as Nova shows it: in a list (name, public_key,
// fingerprint) or, with details, as the show answers it; type from 2.2.
func (kp *Keypair) view(mv version, details bool) map[string]any {
	m := map[string]any{
		"name":        kp.Name,
		"public_key":  kp.PublicKey,
		"fingerprint": kp.Fingerprint,
	}
	if mv.atLeast(v2_2) {
		m["type"] = kp.Type
	}
	if details {
		m["user_id"] = kp.UserID
		m["created_at"] = "2026-11-22T19:20:57.892728"
		m["deleted"] = false
		m["deleted_at"] = nil
		m["id"] = kp.ID
		m["updated_at"] = nil
	}
	return m
}

// member is one property of a JSON object, in the order it was sent.
type member struct {
	key   string
	value any
}

// orderedObject decodes a JSON object keeping the order of its properties,
// which Nova's messages repeat (Python dicts keep it).
func orderedObject(raw json.RawMessage) ([]member, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key, ok := tok.(string)
		if !ok {
			return nil, false
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		out = append(out, member{key, v})
	}
	return out, true
}

// pyRepr renders a decoded JSON value as Python's repr() would the object
// Nova parsed, e.g. {'name': 'gen292'}: Nova's validation messages quote
// the offending value that way.
func pyRepr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case json.Number:
		return v.String()
	case string:
		q := "'"
		if strings.Contains(v, "'") && !strings.Contains(v, `"`) {
			q = `"`
		}
		r := strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`, "\t", `\t`, q, `\`+q)
		return q + r.Replace(v) + q
	case []member:
		parts := make([]string, len(v))
		for i, m := range v {
			parts[i] = pyRepr(m.key) + ": " + pyRepr(m.value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyRepr(k) + ": " + pyRepr(v[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// unexpected is jsonschema's additionalProperties message, e.g.
// "Additional properties are not allowed ('foo' was unexpected)".
func unexpected(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = pyRepr(n)
	}
	verb := "was"
	if len(names) > 1 {
		verb = "were"
	}
	return fmt.Sprintf("Additional properties are not allowed (%s %s unexpected)", strings.Join(quoted, ", "), verb)
}

// keypairNameChars are the characters Nova allows in a keypair name, in
// the order its message lists them: "_- " + digits + ASCII letters before
// 2.92, with "@." in front from 2.92.
func keypairNameChars(mv version) string {
	const base = "_- 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	if mv.atLeast(v2_92) {
		return "@." + base
	}
	return base
}

// colonHex is a digest in Nova's form: lowercase hex pairs joined by ':'.
func colonHex(sum []byte) string {
	h := hex.EncodeToString(sum)
	pairs := make([]string, 0, len(sum))
	for i := 0; i+1 < len(h); i += 2 {
		pairs = append(pairs, h[i:i+2])
	}
	return strings.Join(pairs, ":")
}

// fingerprint is what Nova computes for a public key of type typ, or the
// message of Nova's 400 when it cannot: for ssh the MD5 of the key blob
// (Recording: "import ed25519 @2.2"), for x509 the SHA-1 of the
// certificate's DER (Recording: "import x509 @2.2").
func fingerprint(typ, publicKey string) (string, string) {
	if typ == "x509" {
		block, _ := pem.Decode([]byte(publicKey))
		if block == nil {
			// Recording: "bad x509 cert" (what Python's cryptography says
			// of text that is not PEM)
			return "", "Keypair data is invalid: failed to generate X509 fingerprint. Error message: Unable to load PEM file. See https://cryptography.io/en/latest/faq/#why-can-t-i-import-my-pem-file for more details. MalformedFraming"
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			// Not recorded: PEM that is no certificate. cryptography's
			// wording differs; the status and the prefix are Nova's.
			return "", "Keypair data is invalid: failed to generate X509 fingerprint. Error message: " + err.Error()
		}
		sum := sha1.Sum(cert.Raw)
		return colonHex(sum[:]), ""
	}
	if strings.TrimLeft(publicKey, " \t\r\n") != publicKey {
		// Not recorded; seen on Nova 26.2.2 at 2.92 (issue 16): a key with
		// leading whitespace is refused as "bad public key" is, although
		// ParseAuthorizedKey below takes it. Trailing whitespace is fine.
		return "", "Keypair data is invalid: failed to generate fingerprint"
	}
	key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(publicKey))
	if err != nil {
		// Recording: "bad public key"
		return "", "Keypair data is invalid: failed to generate fingerprint"
	}
	sum := md5.Sum(key.Marshal())
	return colonHex(sum[:]), ""
}

// seedFingerprint is fingerprint for a seeded key; for a key Nova would
// have refused it is a stand-in Nova never computes: the MD5 of the text.
func seedFingerprint(typ, publicKey string) string {
	if fp, msg := fingerprint(typ, publicKey); msg == "" {
		return fp
	}
	sum := md5.Sum([]byte(publicKey))
	return colonHex(sum[:])
}

// badRequest answers Nova's 400.
func badRequest(w http.ResponseWriter, message string) {
	NovaError(w, http.StatusBadRequest, "badRequest", message)
}

// createKeypair is POST os-keypairs: import (public_key given) or, before
// 2.92, generation. Checks run in Nova's order: the request schema
// (properties, then required ones, then unexpected ones), policy, the key,
// then the name's uniqueness per user.
func (c *Cloud) createKeypair(w http.ResponseWriter, r *http.Request, mv version, caller *user) {
	var body map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		// Not recorded: a body that is no JSON object.
		badRequest(w, "Malformed request body")
		return
	}
	raw, ok := body["keypair"]
	if !ok {
		// Recording: "missing keypair wrapper"
		badRequest(w, "'keypair' is a required property")
		return
	}
	members, ok := orderedObject(raw)
	if !ok {
		// Not recorded: a keypair that is no object.
		var v any
		_ = json.Unmarshal(raw, &v)
		badRequest(w, fmt.Sprintf("Invalid input for field/attribute keypair. Value: %s. %s is not of type 'object'", pyRepr(v), pyRepr(v)))
		return
	}
	fields := map[string]any{}
	for _, m := range members {
		fields[m.key] = m.value
	}
	str := func(k string) (string, bool) { s, ok := fields[k].(string); return s, ok }
	name, _ := str("name")
	publicKey, hasKey := str("public_key")
	typ, hasType := str("type")
	named, _ := str("user_id")
	allowed := map[string]bool{"name": true, "public_key": true, "type": mv.atLeast(v2_2), "user_id": mv.atLeast(v2_10)}

	// properties: name, type
	switch {
	case utf8.RuneCountInString(name) > 255:
		// Recording: "name 256 chars"
		badRequest(w, fmt.Sprintf("Invalid input for field/attribute name. Value: %s. %s is too long", name, pyRepr(name)))
		return
	case strings.ContainsFunc(name, func(r rune) bool { return !strings.ContainsRune(keypairNameChars(mv), r) }):
		// Recording: "invalid name @2.2"
		// Recording: "name with @ and . @2.2"
		// (From 2.92 "@." lead the list; not recorded, Nova's validator.)
		badRequest(w, fmt.Sprintf("An invalid 'name' value was provided. The name must be: Only expected characters: [%s]", keypairNameChars(mv)))
		return
	case hasType && allowed["type"] && typ != "ssh" && typ != "x509":
		// Recording: "bad type"
		badRequest(w, fmt.Sprintf("Invalid input for field/attribute type. Value: %s. %s is not one of ['ssh', 'x509']", typ, pyRepr(typ)))
		return
	}
	// required
	switch {
	case fields["name"] == nil:
		// Not recorded; jsonschema's wording.
		badRequest(w, fmt.Sprintf("Invalid input for field/attribute keypair. Value: %s. 'name' is a required property", pyRepr(members)))
		return
	case !hasKey && mv.atLeast(v2_92):
		// Recording: "generate @2.92 (refused)"
		badRequest(w, fmt.Sprintf("Invalid input for field/attribute keypair. Value: %s. 'public_key' is a required property", pyRepr(members)))
		return
	}
	// additionalProperties
	var extra []string
	for _, m := range members {
		if !allowed[m.key] {
			extra = append(extra, m.key)
		}
	}
	if len(extra) > 0 {
		// Recording: "user_id field @2.2 (additionalProperties)"
		badRequest(w, fmt.Sprintf("Invalid input for field/attribute keypair. Value: %s. %s", pyRepr(members), unexpected(extra)))
		return
	}
	var topExtra []string
	for k := range body {
		if k != "keypair" {
			topExtra = append(topExtra, k)
		}
	}
	if len(topExtra) > 0 {
		// Not recorded; the form of Recording: "list @2.75 unknown query param".
		sort.Strings(topExtra)
		badRequest(w, unexpected(topExtra))
		return
	}

	owner, ok := targetUser(w, named, mv, caller, "create")
	if !ok {
		return
	}
	kp := &Keypair{Name: name, Type: "ssh", UserID: owner}
	if hasType {
		kp.Type = typ
	}
	switch {
	case hasKey:
		// Recording: "import ed25519 @2.2"
		// Recording: "import ecdsa @2.2"
		// Recording: "import x509 @2.2"
		// Recording: "import @2.92 with '@' and '.' in name"
		fp, msg := fingerprint(kp.Type, publicKey)
		if msg != "" {
			badRequest(w, msg)
			return
		}
		kp.PublicKey, kp.Fingerprint = publicKey, fp
	case kp.Type == "x509":
		// Recording: "generate x509 @2.2 (server-side, needs openssl binary)"
		kp.PublicKey, kp.PrivateKey, kp.Fingerprint = GeneratedCertificate, GeneratedPKCS12, GeneratedCertificateFingerprint
	default:
		// Recording: "generate @2.1"
		// Recording: "generate @2.2"
		kp.PublicKey, kp.PrivateKey, kp.Fingerprint = GeneratedPublicKey, GeneratedPrivateKey, GeneratedPublicKeyFingerprint
	}

	c.mu.Lock()
	if _, exists := c.keypairs[kp.UserID][kp.Name]; exists {
		c.mu.Unlock()
		// Recording: "duplicate name"
		NovaError(w, http.StatusConflict, "conflictingRequest", fmt.Sprintf("Key pair '%s' already exists.", kp.Name))
		return
	}
	private := kp.PrivateKey
	kp.PrivateKey = "" // Nova keeps no private key
	c.storeLocked(kp)
	out := kp.view(mv, false)
	c.mu.Unlock()

	// Recording: "import rsa @2.1" (200, no type)
	// Recording: "import rsa @2.2" (201)
	// Recording: "admin creates keypair for demo user @2.10"
	// Recording: "same name, different user"
	out["user_id"] = kp.UserID
	if private != "" {
		out["private_key"] = private
	}
	b, _ := json.Marshal(map[string]any{"keypair": out})
	status := http.StatusCreated
	if mv.less(v2_2) {
		status = http.StatusOK
	}
	WriteJSON(w, status, string(b))
}

// showKeypair is GET os-keypairs/{name}.
func (c *Cloud) showKeypair(w http.ResponseWriter, r *http.Request, mv version, caller *user, name string) {
	owner, ok := targetUser(w, r.URL.Query().Get("user_id"), mv, caller, "show")
	if !ok {
		return
	}
	c.mu.Lock()
	kp, found := c.keypairs[owner][name]
	var out map[string]any
	if found {
		out = kp.view(mv, true)
	}
	c.mu.Unlock()
	if !found {
		// Recording: "show missing"
		// Recording: "demo shows admin's keypair by name"
		NovaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Keypair %s not found for user %s", name, owner))
		return
	}
	// Recording: "show @2.1"
	// Recording: "show @2.2"
	// Recording: "admin shows demo's keypair"
	// Recording: "show @2.92 a@b.c"
	b, _ := json.Marshal(map[string]any{"keypair": out})
	WriteJSON(w, http.StatusOK, string(b))
}

// deleteKeypair is DELETE os-keypairs/{name}.
func (c *Cloud) deleteKeypair(w http.ResponseWriter, r *http.Request, mv version, caller *user, name string) {
	owner, ok := targetUser(w, r.URL.Query().Get("user_id"), mv, caller, "delete")
	if !ok {
		return
	}
	c.mu.Lock()
	_, found := c.keypairs[owner][name]
	delete(c.keypairs[owner], name)
	c.mu.Unlock()
	if !found {
		// Recording: "delete missing"
		NovaError(w, http.StatusNotFound, "itemNotFound", fmt.Sprintf("Keypair %s not found for user %s", name, owner))
		return
	}
	// Recording: "delete @2.1" (202)
	// Recording: "delete @2.2" (204)
	// Recording: "admin deletes demo's keypair @2.10"
	// Recording: "demo cleanup"
	status := http.StatusNoContent
	if mv.less(v2_2) {
		status = http.StatusAccepted
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
}

// queryNames are the query parameter names of a request, in the order
// sent, each once.
func queryNames(rawQuery string) []string {
	var names []string
	for part := range strings.SplitSeq(rawQuery, "&") {
		if part == "" {
			continue
		}
		k, _, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(k); err == nil && !slices.Contains(names, k) {
			names = append(names, k)
		}
	}
	return names
}

// listKeypairs is GET os-keypairs: the user's keypairs sorted by name; from
// 2.35 at most min(limit, max_limit) after marker, with a next link when
// the page is full.
func (c *Cloud) listKeypairs(w http.ResponseWriter, r *http.Request, mv version, caller *user) {
	q := r.URL.Query()
	if mv.atLeast(v2_75) {
		var extra []string
		for _, k := range queryNames(r.URL.RawQuery) {
			if k != "user_id" && k != "limit" && k != "marker" {
				extra = append(extra, k)
			}
		}
		if len(extra) > 0 {
			// Recording: "list @2.75 unknown query param"
			badRequest(w, unexpected(extra))
			return
		}
	}
	owner, ok := targetUser(w, q.Get("user_id"), mv, caller, "index")
	if !ok {
		return
	}
	c.mu.Lock()
	var kps []Keypair
	for _, kp := range c.keypairs[owner] {
		kps = append(kps, *kp)
	}
	maxLimit := c.maxLimit
	c.mu.Unlock()
	slices.SortFunc(kps, func(a, b Keypair) int { return strings.Compare(a.Name, b.Name) })

	var links []map[string]string
	if mv.atLeast(v2_35) {
		if m := q.Get("marker"); m != "" {
			i := slices.IndexFunc(kps, func(kp Keypair) bool { return kp.Name == m })
			if i < 0 {
				// Recording: "list @2.35 bad marker"
				badRequest(w, fmt.Sprintf("Marker %s could not be found.", m))
				return
			}
			kps = kps[i+1:]
		}
		limit := maxLimit
		if l, err := strconv.Atoi(q.Get("limit")); err == nil && l < limit {
			limit = l
		}
		if len(kps) >= limit {
			// Recording: "list @2.35 limit=2 marker=gen22"
			// Recording: "list @2.35 limit=2 marker=imp-ecdsa"
			// Recording: "list @2.35 limit=2 marker=imp-rsa" (a full last
			// page links to an empty one)
			kps = kps[:limit]
			next := r.URL.Query()
			next.Set("marker", kps[len(kps)-1].Name)
			links = append(links, map[string]string{"rel": "next", "href": c.URL() + r.URL.Path + "?" + next.Encode()})
		}
	}
	entries := []map[string]any{}
	for _, kp := range kps {
		entries = append(entries, map[string]any{"keypair": kp.view(mv, false)})
	}
	// Recording: "list @2.1"
	// Recording: "list @2.2"
	// Recording: "list @2.34 limit ignored"
	// Recording: "list @2.35 limit=2"
	// Recording: "list @2.35 limit=2 marker=imp21-rsa" (empty, no links)
	// Recording: "demo lists own keypairs"
	// Recording: "legacy /v2/os-keypairs (no microversions)"
	out := map[string]any{"keypairs": entries}
	if links != nil {
		out["keypairs_links"] = links
	}
	b, _ := json.Marshal(out)
	WriteJSON(w, http.StatusOK, string(b))
}
