package provider

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

// TestKeypairImportState: the import ID is `name` or `user_id/name`;
// the rest of the state is null until the read that follows the import.
func TestKeypairImportState(t *testing.T) {
	p := newProtocolServer(t)
	for _, tc := range []struct {
		id   string
		want attrs // the imported state; nil: an "Invalid import ID" error
	}{
		{"deployer", attrs{"id": "deployer", "name": "deployer"}},
		{"my deploy key", attrs{"id": "my deploy key", "name": "my deploy key"}},
		{"deployer@example.com", attrs{"id": "deployer@example.com", "name": "deployer@example.com"}},
		{"7c6e2b0f5d0a/deployer", attrs{"id": "7c6e2b0f5d0a/deployer", "name": "deployer", "user_id": "7c6e2b0f5d0a"}},
		{"", nil},
		{"/", nil},
		{"a/", nil},
		{"a/b/c", nil},
		{" deployer", nil},
		{"u/deployer\n", nil},
		{"user/team/deployer", nil},
		{"/b", nil},
	} {
		t.Run(tc.id, func(t *testing.T) {
			p := p.in(t)
			resp := p.importState(tc.id)
			if tc.want == nil {
				requireError(t, resp.Diagnostics, "", "Invalid import ID",
					fmt.Sprintf("The import ID %q ", tc.id), "Use the keypair's name for your own keypair, or USER_ID/NAME for another user's.")
				if len(resp.ImportedResources) != 0 {
					t.Errorf("imported %d resources, want none", len(resp.ImportedResources))
				}
				return
			}
			requireNoDiagnostics(t, "ImportResourceState", resp.Diagnostics)
			if len(resp.ImportedResources) != 1 {
				t.Fatalf("imported %d resources, want 1", len(resp.ImportedResources))
			}
			imported := resp.ImportedResources[0]
			if imported.TypeName != keypairTypeName {
				t.Errorf("imported a %q, want %q", imported.TypeName, keypairTypeName)
			}
			requireAttributes(t, p.decode(p.nullKeypair().Type(), imported.State), p.keypair(tc.want))
		})
	}
}

// requireAttributes compares two objects attribute by attribute.
func requireAttributes(t *testing.T, got, want tftypes.Value) {
	t.Helper()
	g, w := attributes(t, got), attributes(t, want)
	for name, wv := range w {
		if !g[name].Equal(wv) {
			t.Errorf("%s = %s, want %s", name, g[name], wv)
		}
	}
}

// recordedKeypair is the state of an imported keypair after a refresh.
func recordedKeypair() attrs {
	return attrs{
		"id":            "deployer",
		"name":          "deployer",
		"public_key":    testPublicKey,
		"type":          "ssh",
		"user_id":       "7c6e2b0f5d0a",
		"key_algorithm": "ed25519",
		"region":        "RegionOne",
		"fingerprint":   testFingerprint,
	}
}

// with is a copy of a with the changes applied; a nil change removes the
// attribute (null).
func (a attrs) with(changes attrs) attrs {
	out := attrs{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// requireReplace requires the plan to replace the keypair because of
// exactly these attributes (none: no replacement), as Terraform reads
// RequiresReplace: it ignores the paths whose planned value equals the
// prior one. (The framework reports more: RequiresReplace runs before
// UseStateForUnknown, so it sees the unknown the framework plans for a
// computed attribute the configuration leaves null, e.g. user_id, and
// asks for a replacement that UseStateForUnknown then makes moot.)
func requireReplace(t *testing.T, resp *tfprotov6.PlanResourceChangeResponse, prior, planned tftypes.Value, attrs ...string) {
	t.Helper()
	var got []string
	for _, path := range resp.RequiresReplace {
		steps := path.Steps()
		var name tftypes.AttributeName
		ok := len(steps) == 1
		if ok {
			name, ok = steps[0].(tftypes.AttributeName)
		}
		if !ok {
			t.Errorf("RequiresReplace holds %s, not a root attribute", path)
			continue
		}
		if prior.IsNull() || !attributes(t, planned)[string(name)].Equal(attributes(t, prior)[string(name)]) {
			got = append(got, string(name))
		}
	}
	sort.Strings(got)
	sort.Strings(attrs)
	if strings.Join(got, ",") != strings.Join(attrs, ",") {
		t.Errorf("replaced for %v, want %v (RequiresReplace: %v)", got, attrs, resp.RequiresReplace)
	}
}

// TestKeypairPlan_update: the plan of an existing keypair, through the
// framework's plan modifiers (samePublicKey, RequiresReplace,
// UseStateForUnknown) and defaults.
func TestKeypairPlan_update(t *testing.T) {
	p := newProtocolServer(t)
	recorded := recordedKeypair()
	config := attrs{"name": "deployer", "public_key": testPublicKey}

	for _, tc := range []struct {
		what    string
		prior   attrs
		config  attrs
		replace []string // nil: no change at all (planned state == prior state)
	}{
		{"same configuration", recorded, config, nil},
		{"trailing newline (file())", recorded, config.with(attrs{"public_key": testPublicKey + "\n"}), nil},
		{"surrounding whitespace", recorded, config.with(attrs{"public_key": "  " + testPublicKey + "\n\n"}), nil},
		{"Nova's verbatim newline in state", recorded.with(attrs{"public_key": testPublicKey + "\n"}), config, nil},
		{"type ssh spelled out", recorded, config.with(attrs{"type": "ssh"}), nil},
		{"user_id and region as recorded", recorded, config.with(attrs{"user_id": "7c6e2b0f5d0a", "region": "RegionOne"}), nil},
		{"another key", recorded, config.with(attrs{"public_key": fpRSAKey}), []string{"public_key"}},
		{"another comment", recorded, config.with(attrs{"public_key": strings.Replace(testPublicKey, "probe-ed25519", "other", 1)}), []string{"public_key"}},
		{"another name", recorded, config.with(attrs{"name": "deployer-2"}), []string{"name"}},
		{"another type", recorded, config.with(attrs{"type": "x509"}), []string{"type"}},
		{"another user", recorded, config.with(attrs{"user_id": "0b3f"}), []string{"user_id"}},
		{"another region", recorded, config.with(attrs{"region": "RegionTwo"}), []string{"region"}},
		{"another name and key", recorded, config.with(attrs{"name": "deployer-2", "public_key": fpRSAKey}), []string{"name", "public_key"}},
	} {
		t.Run(tc.what, func(t *testing.T) {
			p := p.in(t)
			prior := p.keypair(tc.prior)
			resp, planned := p.plan(prior, p.keypair(tc.config))
			requireReplace(t, resp, prior, planned, tc.replace...)
			if tc.replace == nil {
				if !planned.Equal(prior) {
					t.Errorf("planned a change:\nplanned %s\nprior   %s", planned, prior)
				}
				return
			}
			// The plan only decides the replacement (Terraform plans the
			// new keypair again from a null state); the configured
			// attributes are planned as configured, and UseStateForUnknown
			// keeps the computed ones.
			want := tc.prior.with(tc.config)
			requireAttributes(t, planned, p.keypair(want))
		})
	}
}

// TestKeypairPlan_generated: a keypair the provider generated keeps its
// key from plan to plan; another key_algorithm replaces it.
func TestKeypairPlan_generated(t *testing.T) {
	p := newProtocolServer(t)
	pair, err := keys.Generate(keys.ED25519)
	if err != nil {
		t.Fatal(err)
	}
	recorded := recordedKeypair().with(attrs{
		"public_key":  pair.PublicKey,
		"private_key": pair.PrivateKeyPEM,
		"fingerprint": "0b:1c:2d:3e:4f:50:61:72:83:94:a5:b6:c7:d8:e9:fa",
	})
	prior := p.keypair(recorded)

	for _, config := range []attrs{{"name": "deployer"}, {"name": "deployer", "key_algorithm": "ed25519"}} {
		resp, planned := p.plan(prior, p.keypair(config))
		requireReplace(t, resp, prior, planned)
		if !planned.Equal(prior) {
			t.Errorf("config %v: planned a change:\nplanned %s\nprior   %s", config, planned, prior)
		}
	}

	resp, planned := p.plan(prior, p.keypair(attrs{"name": "deployer", "key_algorithm": "rsa"}))
	requireReplace(t, resp, prior, planned, "key_algorithm")
	requireAttributes(t, planned, p.keypair(recorded.with(attrs{"key_algorithm": "rsa"})))
}

// TestKeypairPlan_timeouts: new timeouts are an update in place, and
// UseStateForUnknown keeps every computed attribute (which the framework
// first marks unknown because the plan differs from the state).
func TestKeypairPlan_timeouts(t *testing.T) {
	p := newProtocolServer(t)
	pair, err := keys.Generate(keys.ED25519)
	if err != nil {
		t.Fatal(err)
	}
	for what, recorded := range map[string]attrs{
		"imported":  recordedKeypair(),
		"generated": recordedKeypair().with(attrs{"public_key": pair.PublicKey, "private_key": pair.PrivateKeyPEM}),
	} {
		t.Run(what, func(t *testing.T) {
			p := p.in(t)
			config := attrs{"name": "deployer", "timeouts": p.timeouts(attrs{"create": "10m"})}
			if recorded["private_key"] == nil {
				config["public_key"] = testPublicKey
			}
			prior := p.keypair(recorded)
			resp, planned := p.plan(prior, p.keypair(config))
			requireReplace(t, resp, prior, planned)
			requireAttributes(t, planned, p.keypair(recorded.with(attrs{"timeouts": config["timeouts"]})))
		})
	}
}

// TestKeypairPlan_create: what a new keypair's plan knows before apply.
func TestKeypairPlan_create(t *testing.T) {
	p := newProtocolServer(t)
	computed := attrs{
		"id": unknownString, "user_id": unknownString, "key_algorithm": unknownString, "region": unknownString,
		"fingerprint": unknownString, "private_key": unknownString,
	}
	for _, tc := range []struct {
		what    string
		config  attrs
		planned attrs
	}{
		{"imported", attrs{"name": "deployer", "public_key": testPublicKey + "\n"},
			computed.with(attrs{"name": "deployer", "public_key": testPublicKey + "\n", "type": "ssh"})},
		{"generated", attrs{"name": "deployer"},
			computed.with(attrs{"name": "deployer", "public_key": unknownString, "type": "ssh"})},
		{"generated ecdsa for another user", attrs{"name": "deployer", "key_algorithm": "ecdsa", "user_id": "0b3f", "region": "RegionTwo"},
			computed.with(attrs{"name": "deployer", "public_key": unknownString, "type": "ssh", "key_algorithm": "ecdsa", "user_id": "0b3f", "region": "RegionTwo"})},
		{"x509", attrs{"name": "deployer", "type": "x509", "public_key": "PEM"},
			computed.with(attrs{"name": "deployer", "public_key": "PEM", "type": "x509"})},
	} {
		t.Run(tc.what, func(t *testing.T) {
			p := p.in(t)
			resp, planned := p.plan(p.nullKeypair(), p.keypair(tc.config))
			if len(resp.RequiresReplace) != 0 {
				t.Errorf("RequiresReplace = %v on create, want none", resp.RequiresReplace)
			}
			if want := p.keypair(tc.planned); !planned.Equal(want) {
				t.Errorf("planned\n%s\nwant\n%s", planned, want)
			}
		})
	}
}

// TestKeypair_unconfigured: while the provider's configuration is not
// known (no ConfigureProvider), a refresh keeps the state with a warning,
// create and destroy fail with an error that says why, and an update (new
// timeouts) records the plan.
func TestKeypair_unconfigured(t *testing.T) {
	p := newProtocolServer(t)
	state := p.keypair(recordedKeypair())

	readResp, refreshed := p.read(state)
	if len(readResp.Diagnostics) != 1 || readResp.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityWarning ||
		readResp.Diagnostics[0].Summary != "Keypair not refreshed" || !strings.Contains(readResp.Diagnostics[0].Detail, `keypair "deployer" keeps its recorded state`) {
		t.Errorf("read: want the warning \"Keypair not refreshed\", got:\n%s", formatDiagnostics(readResp.Diagnostics))
	}
	if !refreshed.Equal(state) {
		t.Errorf("read changed the state:\n%s\nwant\n%s", refreshed, state)
	}

	config := p.keypair(attrs{"name": "deployer", "public_key": testPublicKey})
	_, planned := p.plan(p.nullKeypair(), config)
	createResp, _ := p.apply(p.nullKeypair(), planned, config)
	requireError(t, createResp.Diagnostics, "", "Provider not configured", "cannot create a keypair")

	destroyResp, _ := p.apply(state, p.nullKeypair(), p.nullKeypair())
	requireError(t, destroyResp.Diagnostics, "", "Provider not configured", "cannot delete a keypair")

	config = p.keypair(attrs{"name": "deployer", "public_key": testPublicKey, "timeouts": p.timeouts(attrs{"delete": "1m"})})
	_, planned = p.plan(state, config)
	updateResp, updated := p.apply(state, planned, config)
	requireNoDiagnostics(t, "ApplyResourceChange (update)", updateResp.Diagnostics)
	if !updated.Equal(planned) {
		t.Errorf("update stored\n%s\nwant the plan\n%s", updated, planned)
	}
}

// TestGeneratedKeyReplaced: a generated keypair whose public key is no
// longer the private key's was replaced outside Terraform.
func TestGeneratedKeyReplaced(t *testing.T) {
	pair, err := keys.Generate(keys.ED25519)
	if err != nil {
		t.Fatal(err)
	}
	material := strings.Join(strings.Fields(pair.PublicKey)[:2], " ")
	for _, tc := range []struct {
		what       string
		publicKey  types.String
		privateKey types.String
		want       bool
	}{
		{"own key", types.StringValue(pair.PublicKey), types.StringValue(pair.PrivateKeyPEM), false},
		{"own key, another comment", types.StringValue(material + " Generated-by-Nova"), types.StringValue(pair.PrivateKeyPEM), false},
		{"own key, no comment", types.StringValue(material), types.StringValue(pair.PrivateKeyPEM), false},
		{"own key, Nova's newline", types.StringValue(pair.PublicKey + "\n"), types.StringValue(pair.PrivateKeyPEM), false},
		{"another key", types.StringValue(testPublicKey), types.StringValue(pair.PrivateKeyPEM), true},
		{"another key, same comment", types.StringValue(strings.Fields(testPublicKey)[0] + " " + strings.Fields(testPublicKey)[1] + " " + keys.Comment), types.StringValue(pair.PrivateKeyPEM), true},
		{"imported (no private key)", types.StringValue(testPublicKey), types.StringNull(), false},
		{"empty private key", types.StringValue(testPublicKey), types.StringValue(""), false},
		{"no public key", types.StringNull(), types.StringValue(pair.PrivateKeyPEM), false},
		{"private key that does not parse", types.StringValue(testPublicKey), types.StringValue("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"), false},
	} {
		state := keypairResourceModel{PublicKey: tc.publicKey, PrivateKey: tc.privateKey}
		if got := generatedKeyReplaced(state); got != tc.want {
			t.Errorf("%s: generatedKeyReplaced = %v, want %v", tc.what, got, tc.want)
		}
	}
}

func TestSameKeyMaterial(t *testing.T) {
	f := strings.Fields(testPublicKey)
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{testPublicKey, testPublicKey, true},
		{f[0] + " " + f[1] + " alice", f[0] + " " + f[1] + " bob", true},
		{f[0] + " " + f[1], f[0] + " " + f[1] + " with a comment of words\n", true},
		{f[0] + " " + f[1], "ssh-rsa " + f[1], false},
		{f[0] + " " + f[1], f[0] + " " + f[1][:len(f[1])-2] + "Cu", false},
		{f[0], f[0], false},
		{"", "", false},
	} {
		if got := sameKeyMaterial(tc.a, tc.b); got != tc.want {
			t.Errorf("sameKeyMaterial(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestCreatedAt: Nova's created_at (UTC without a zone) becomes RFC 3339.
func TestCreatedAt(t *testing.T) {
	for in, want := range map[string]types.String{
		"2026-11-22T19:20:58.707318":       types.StringValue("2026-11-22T19:20:58.707318Z"),
		"2026-11-22T19:20:58.700000":       types.StringValue("2026-11-22T19:20:58.7Z"),
		"2026-11-22T19:20:58.000000":       types.StringValue("2026-11-22T19:20:58Z"),
		"2026-11-22T19:20:58":              types.StringValue("2026-11-22T19:20:58Z"),
		"2026-11-22T19:20:58Z":             types.StringValue("2026-11-22T19:20:58Z"),
		"2026-11-22T20:20:58.5+01:00":      types.StringValue("2026-11-22T19:20:58.5Z"),
		"2026-11-22T19:20:58.707318+00:00": types.StringValue("2026-11-22T19:20:58.707318Z"),
		"":                                 types.StringNull(),
		"yesterday":                        types.StringValue("yesterday"),
	} {
		if got := createdAt(in); !got.Equal(want) {
			t.Errorf("createdAt(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestKeypairID(t *testing.T) {
	for _, tc := range []struct{ userID, name, id string }{
		{"", "deployer", "deployer"},
		{"7c6e", "deployer", "7c6e/deployer"},
	} {
		if got := keypairID(tc.userID, tc.name); got != tc.id {
			t.Errorf("keypairID(%q, %q) = %q, want %q", tc.userID, tc.name, got, tc.id)
		}
		if u, n := parseKeypairID(tc.id); u != tc.userID || n != tc.name {
			t.Errorf("parseKeypairID(%q) = %q, %q, want %q, %q", tc.id, u, n, tc.userID, tc.name)
		}
	}
}

// TestSchemas: every attribute is documented, and exactly the secrets
// are sensitive.
func TestSchemas(t *testing.T) {
	p := newProtocolServer(t)
	schemas := map[string]*tfprotov6.Schema{"provider": p.schema.Provider}
	for name, s := range p.schema.ResourceSchemas {
		schemas["resource "+name] = s
	}
	for name, s := range p.schema.DataSourceSchemas {
		schemas["data source "+name] = s
	}
	if len(schemas) != 4 {
		t.Errorf("%d schemas, want the provider's, nova_keypair's, data.nova_keypair's and data.nova_keypairs'", len(schemas))
	}
	sensitive := map[string][]string{}
	for what, s := range schemas {
		if s.Block.Description == "" || s.Block.DescriptionKind != tfprotov6.StringKindMarkdown {
			t.Errorf("%s: no MarkdownDescription", what)
		}
		var check func(prefix string, attrs []*tfprotov6.SchemaAttribute)
		check = func(prefix string, attrs []*tfprotov6.SchemaAttribute) {
			for _, a := range attrs {
				name := prefix + a.Name
				if a.Sensitive {
					sensitive[what] = append(sensitive[what], name)
				}
				if a.NestedType != nil {
					check(name+".", a.NestedType.Attributes)
				}
				switch {
				case strings.HasPrefix(name, "timeouts."):
					// terraform-plugin-framework-timeouts' own (plain)
					// descriptions.
					if a.Description == "" {
						t.Errorf("%s: %s has no description", what, name)
					}
				case name == "timeouts":
					// The library's block has no description.
				case a.Description == "" || a.DescriptionKind != tfprotov6.StringKindMarkdown:
					t.Errorf("%s: %s has no MarkdownDescription", what, name)
				}
			}
		}
		check("", s.Block.Attributes)
	}
	if got := strings.Join(sensitive["resource nova_keypair"], ","); got != "private_key" {
		t.Errorf("nova_keypair's sensitive attributes: %s, want private_key", got)
	}
	providerSecrets := map[string]bool{}
	for _, name := range sensitive["provider"] {
		providerSecrets[name] = true
	}
	for _, secret := range []string{"password", "token", "application_credential_secret"} {
		if !providerSecrets[secret] {
			t.Errorf("the provider's %s is not sensitive", secret)
		}
	}
	for what, names := range sensitive {
		if strings.HasPrefix(what, "data source") {
			t.Errorf("%s: sensitive attributes %v, want none", what, names)
		}
	}
}

// TestDataSourceValidation: the data sources' arguments are checked at
// validation: name_regex is a regular expression, user_id is not empty.
func TestDataSourceValidation(t *testing.T) {
	p := newProtocolServer(t)
	for _, re := range []string{"^tf-", "deploy(er)?$", ""} {
		requireNoDiagnostics(t, "name_regex "+re, p.validateDataSource("nova_keypairs", attrs{"name_regex": re}))
	}
	requireNoDiagnostics(t, "unknown name_regex", p.validateDataSource("nova_keypairs", attrs{"name_regex": unknownString}))
	requireError(t, p.validateDataSource("nova_keypairs", attrs{"name_regex": "tf-("}), "name_regex", "Invalid regular expression",
		`"tf-(" is not a regular expression (RE2 syntax): error parsing regexp: missing closing ): `+"`tf-(`.")
	requireError(t, p.validateDataSource("nova_keypairs", attrs{"name_regex": `(?<name>x)\K`}), "name_regex", "Invalid regular expression",
		`is not a regular expression (RE2 syntax): error parsing regexp: invalid escape sequence: `+"`\\K`.")
	requireError(t, p.validateDataSource("nova_keypairs", attrs{"type": "dsa"}), "type", "Invalid Attribute Value Match",
		`Attribute type value must be one of: ["ssh" "x509"], got: "dsa"`)

	for _, typeName := range []string{"nova_keypair", "nova_keypairs"} {
		a := attrs{"user_id": ""}
		if typeName == "nova_keypair" {
			a["name"] = "deployer"
		}
		requireError(t, p.validateDataSource(typeName, a), "user_id", "Invalid Attribute Value Length", "Attribute user_id string length must be at least 1, got: 0")
		a["user_id"] = "7c6e"
		requireNoDiagnostics(t, typeName, p.validateDataSource(typeName, a))
	}
}

// novaError is the error gophercloud returns for Nova's answer status with
// body.
func novaError(status int, body string) error {
	return gophercloud.ErrUnexpectedResponseCode{
		URL:      "https://nova.example.com/v2.1/os-keypairs",
		Method:   "POST",
		Expected: []int{200, 201},
		Actual:   status,
		Body:     []byte(body),
	}
}

// TestCreateErrorDetail: a failed create says what it means and what to
// do next, with Nova's own message.
func TestCreateErrorDetail(t *testing.T) {
	conflict := novaError(409, `{"conflictingRequest": {"code": 409, "message": "Key pair 'x' already exists."}}`)
	quota := novaError(403, `{"forbidden": {"code": 403, "message": "Quota exceeded, too many key pairs."}}`)
	policy := novaError(403, `{"forbidden": {"code": 403, "message": "Policy doesn't allow os_compute_api:os-keypairs:create to be performed."}}`)
	const adopt = "; keypair names are unique per user. Choose another name, or adopt the existing keypair with an import block (below). " +
		"If this is a replacement with create_before_destroy, the old keypair still holds the name: use name_prefix instead of name, so that each replacement gets a name of its own.\n\n"
	for _, tc := range []struct {
		what         string
		name, userID string
		err          error
		want         string
	}{
		{"409", "x", "", conflict,
			`A keypair named "x" already exists for the authenticated user in region "RegionOne"` + adopt +
				"import {\n  to = nova_keypair.<resource name>\n  id = \"x\"\n}\n\nor: terraform import nova_keypair.<resource name> x\n\n" +
				"Nova said: Key pair 'x' already exists."},
		{"409 for another user", "x", "7c6e", conflict,
			`A keypair named "x" already exists for user "7c6e" in region "RegionOne"` + adopt +
				"import {\n  to = nova_keypair.<resource name>\n  id = \"7c6e/x\"\n}\n\nor: terraform import nova_keypair.<resource name> 7c6e/x\n\n" +
				"Nova said: Key pair 'x' already exists."},
		{"lost answer, another key under the name", "x", "", &nova.ConflictError{Name: "x", Err: novaError(502, "Bad Gateway")},
			`A keypair named "x" already exists for the authenticated user in region "RegionOne"` + adopt +
				"import {\n  to = nova_keypair.<resource name>\n  id = \"x\"\n}\n\nor: terraform import nova_keypair.<resource name> x\n\n" +
				`Nova said: keypair "x" already exists with another public key`},
		{"over quota", "x", "", quota,
			`The per-user keypair quota is reached: the authenticated user already has as many keypairs as the cloud allows in region "RegionOne". ` +
				"Delete keypairs it no longer needs, or ask the cloud's administrators to raise its key_pairs quota.\n\nNova said: Quota exceeded, too many key pairs."},
		{"over quota, another user", "x", "7c6e", quota,
			`The per-user keypair quota is reached: user "7c6e" already has as many keypairs as the cloud allows in region "RegionOne". ` +
				"Delete keypairs it no longer needs, or ask the cloud's administrators to raise its key_pairs quota.\n\nNova said: Quota exceeded, too many key pairs."},
		{"forbidden with user_id", "x", "7c6e", policy,
			`Nova's policy does not let the authenticated user manage keypairs of user "7c6e": managing another user's keypairs (user_id) needs an admin. ` +
				"Remove user_id to manage your own keypair, or authenticate as an admin or as that user.\n\n" +
				"Nova said: Policy doesn't allow os_compute_api:os-keypairs:create to be performed."},
		{"forbidden without user_id", "x", "", policy,
			`Creating keypair "x" in region "RegionOne" failed: Policy doesn't allow os_compute_api:os-keypairs:create to be performed.`},
		{"400", "x", "7c6e", novaError(400, `{"badRequest": {"code": 400, "message": "Keypair data is invalid: failed to generate fingerprint"}}`),
			`Creating keypair "x" of user "7c6e" in region "RegionOne" failed: Keypair data is invalid: failed to generate fingerprint`},
		{"not Nova's body", "x", "", novaError(502, "<html>Bad Gateway</html>\n"),
			`Creating keypair "x" in region "RegionOne" failed: Expected HTTP response code [200 201] when accessing [POST https://nova.example.com/v2.1/os-keypairs], but got 502 instead: <html>Bad Gateway</html>`},
		{"x509 on a legacy endpoint", "x", "", &nova.MicroversionError{Feature: nova.FeatureKeypairType, Required: nova.V2_2, Max: nova.V2_1, Legacy: true},
			`In region "RegionOne", type = "x509" needs compute API microversion 2.2 or later, but the compute endpoint is a legacy one (/v2 or /v1.1) without microversions, i.e. 2.1.`},
		{"user_id before 2.10", "x", "7c6e", &nova.MicroversionError{Feature: nova.FeatureOtherUser, Required: nova.V2_10, Max: nova.Microversion{Major: 2, Minor: 8}},
			`In region "RegionOne", user_id (another user's keypair) needs compute API microversion 2.10 or later, but the compute endpoint supports at most 2.8.`},
		{"@ in the name, capped", "a@b", "", &nova.MicroversionError{Feature: nova.FeatureExtendedNames, Required: nova.V2_92, Max: nova.Microversion{Major: 2, Minor: 91}, Capped: true},
			"In region \"RegionOne\", the keypair name \"a@b\" (with `@` or `.`) needs compute API microversion 2.92 or later, but the provider's `max_microversion` caps it at 2.91 (set in the provider block, as compute_api_version in clouds.yaml, or as OS_COMPUTE_API_VERSION)."},
	} {
		if got := createErrorDetail(tc.name, tc.userID, "RegionOne", tc.err); got != tc.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tc.what, got, tc.want)
		}
	}
}
