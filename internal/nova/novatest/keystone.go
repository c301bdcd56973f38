package novatest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
)

// user is one Keystone user of the fake.
type user struct {
	id, name, password, token string
	projectID, projectName    string
	// admin may name other users' keypairs (Nova's default policy gives
	// that to the admin role).
	admin bool
	roles []map[string]string
	// extra holds the token fields Keystone answered for this user beyond
	// those it answered for both (see tokenBody).
	extra map[string]any
}

var (
	admin = &user{
		id: UserID, name: UserName, password: Password, token: Token,
		projectID: ProjectID, projectName: ProjectName, admin: true,
		roles: []map[string]string{
			{"id": "fa13f5ceaae2440fb323d41bc0e51328", "name": "reader"},
			{"id": "07209e50542a48f08f45b1c11eedefda", "name": "admin"},
			{"id": "64e1e1ad277e47078e0fc5dbb2be2041", "name": "member"},
		},
	}
	demo = &user{
		id: OtherUserID, name: OtherUserName, password: OtherPassword, token: OtherToken,
		projectID: OtherProjectID, projectName: OtherProjectName,
		roles: []map[string]string{
			{"id": "fa13f5ceaae2440fb323d41bc0e51328", "name": "reader"},
			{"id": "64e1e1ad277e47078e0fc5dbb2be2041", "name": "member"},
		},
		extra: map[string]any{
			"audit_ids": []string{"vuOon4FOSTyQhtoid9n2nw"},
			"issued_at": "2026-11-22T19:20:55.000000Z",
			"is_domain": false,
		},
	}
)

// userOfToken is the user a Nova request's X-Auth-Token stands for, nil for
// none or an unknown token.
func userOfToken(token string) *user {
	for _, u := range []*user{admin, demo} {
		if token != "" && token == u.token {
			return u
		}
	}
	return nil
}

// serveToken is Keystone's POST /v3/auth/tokens: a password (by user name
// or id) or an application credential of the admin.
func (c *Cloud) serveToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Auth struct {
			Identity struct {
				Methods  []string `json:"methods"`
				Password struct {
					User struct {
						Name     string `json:"name"`
						ID       string `json:"id"`
						Password string `json:"password"`
					} `json:"user"`
				} `json:"password"`
				ApplicationCredential struct {
					ID     string `json:"id"`
					Secret string `json:"secret"`
				} `json:"application_credential"`
			} `json:"identity"`
		} `json:"auth"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		// Not recorded.
		WriteJSON(w, http.StatusBadRequest, `{"error": {"code": 400, "message": "Malformed request body", "title": "Bad Request"}}`)
		return
	}
	id := req.Auth.Identity
	var who *user
	method := ""
	switch {
	case slices.Contains(id.Methods, "password"):
		pu := id.Password.User
		for _, u := range []*user{admin, demo} {
			if (pu.Name == u.name || pu.ID == u.id) && pu.Password == u.password {
				who, method = u, "password"
			}
		}
	case slices.Contains(id.Methods, "application_credential"):
		if id.ApplicationCredential.ID == AppCredentialID && id.ApplicationCredential.Secret == AppCredentialSecret {
			who, method = admin, "application_credential"
		}
	}
	if who == nil {
		// Not recorded for Keystone itself: the body Nova's auth middleware
		// relays (Recording: "no token").
		WriteJSON(w, http.StatusUnauthorized, `{"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}}`,
			"WWW-Authenticate", fmt.Sprintf("Keystone uri=%q", c.URL()+"/v3"))
		return
	}
	b, _ := json.Marshal(c.tokenBody(who, method))
	// Recording: "keystone: admin token"
	// Recording: "keystone: demo token"
	// (X-Subject-Token is not in the recordings, which mask tokens.)
	WriteJSON(w, http.StatusCreated, string(b), "X-Subject-Token", who.token, "Vary", "X-Auth-Token")
}

// tokenBody is Keystone's answer for u, as recorded for that user (Keystone
// answered the demo token with audit_ids, issued_at and is_domain, the admin
// token without them). The token never expires during a test. An
// application credential token (not recorded) is the admin's with its
// method.
func (c *Cloud) tokenBody(u *user, method string) map[string]any {
	domain := map[string]string{"id": "default", "name": "Default"}
	endpoint := func(id, iface, url string) map[string]string {
		return map[string]string{"id": id, "interface": iface, "region_id": "RegionOne", "url": url, "region": "RegionOne"}
	}
	token := map[string]any{
		"methods":    []string{method},
		"user":       map[string]any{"domain": domain, "id": u.id, "name": u.name, "password_expires_at": nil},
		"expires_at": "2099-11-22T20:20:55.000000Z",
		"project":    map[string]any{"domain": domain, "id": u.projectID, "name": u.projectName},
		"roles":      u.roles,
		"catalog": []map[string]any{
			{
				"endpoints": []map[string]string{
					endpoint("f9be078e70264f6f8482da61b7572af8", "public", c.URL()+"/v3"),
					endpoint("e074b7b6db4941b8998e7579cca6ef84", "internal", c.URL()+"/v3"),
					endpoint("c0fdd62e487545f3ac0073b8a4458b80", "admin", c.URL()+"/v3"),
				},
				"id": "3b1081a239254c00a03111a75b8f120f", "type": "identity", "name": "keystone",
			},
			{
				"endpoints": []map[string]string{
					endpoint("123708f9054b401d898737be06aec061", "public", c.URL()+"/v2.1"),
					endpoint("bb16d94ea2774143ae828fd9a2b0accf", "internal", c.URL()+"/v2.1"),
				},
				"id": "2f5f00f3b00244deb871864b1720e892", "type": "compute", "name": "nova",
			},
		},
	}
	for k, v := range u.extra {
		token[k] = v
	}
	return map[string]any{"token": token}
}
