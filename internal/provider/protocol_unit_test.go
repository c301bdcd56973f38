package provider

import (
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// protocolServer is the provider behind its protocol 6 server, called the
// way Terraform calls it, but without Terraform: no CLI, no cloud. The
// provider is not configured (unless a test calls configure), as during
// a plan whose provider configuration is not known yet; everything the
// framework does (attribute validators, defaults, plan modifiers,
// ValidateConfig, ImportState) runs as it does under Terraform.
type protocolServer struct {
	t      *testing.T
	server tfprotov6.ProviderServer
	schema *tfprotov6.GetProviderSchemaResponse
}

const keypairTypeName = "nova_keypair"

func newProtocolServer(t *testing.T) *protocolServer {
	t.Helper()
	server := NewProtocol6Server("test")()
	resp, err := server.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatalf("GetProviderSchema: %s", err)
	}
	requireNoDiagnostics(t, "GetProviderSchema", resp.Diagnostics)
	return &protocolServer{t: t, server: server, schema: resp}
}

// clearOpenStackEnv empties, for the rest of test t, every environment
// variable the provider reads (OS_CLOUD, OS_CLIENT_CONFIG_FILE and each
// setting's OS_* variables) and any other OS_* variable: `make test` runs
// the unit tests with a real cloud's OS_* variables set, and a configured
// provider reads the environment. (t.Setenv: not in parallel tests.)
func clearOpenStackEnv(t *testing.T) {
	t.Helper()
	names := []string{"OS_CLOUD", "OS_CLIENT_CONFIG_FILE"}
	for _, s := range nova.Settings() {
		names = append(names, s.EnvVars()...)
	}
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "OS_") {
			names = append(names, name)
		}
	}
	for _, name := range names {
		t.Setenv(name, "")
	}
}

// isolatedServer is newProtocolServer with the OpenStack environment
// cleared, for tests that configure the provider: it sees only what the
// test sets.
func isolatedServer(t *testing.T) *protocolServer {
	t.Helper()
	clearOpenStackEnv(t)
	return newProtocolServer(t)
}

// fakeCloudAuth is the provider block that authenticates with the fake
// cloud as its admin (novatest.UserName in novatest.ProjectName).
func fakeCloudAuth(cloud *novatest.Cloud) attrs {
	return attrs{
		"auth_url":    cloud.URL() + "/v3",
		"user_name":   novatest.UserName,
		"password":    novatest.Password,
		"tenant_name": novatest.ProjectName,
	}
}

// configuredServer is an isolated server whose provider is configured
// (ConfigureProvider, without diagnostics) with fakeCloudAuth(cloud)
// and the provider arguments extra (a nil value removes an argument).
func configuredServer(t *testing.T, cloud *novatest.Cloud, extra attrs) *protocolServer {
	t.Helper()
	p := isolatedServer(t)
	requireNoDiagnostics(t, "ConfigureProvider", p.configure(fakeCloudAuth(cloud).with(extra), false))
	return p
}

// boolValue and numberValue are provider arguments of those types.
func boolValue(b bool) tftypes.Value { return tftypes.NewValue(tftypes.Bool, b) }

func numberValue(n int) tftypes.Value { return tftypes.NewValue(tftypes.Number, n) }

// stringMap is a map(string) argument, e.g. endpoint_overrides.
func stringMap(m map[string]string) tftypes.Value {
	values := map[string]tftypes.Value{}
	for k, v := range m {
		values[k] = tftypes.NewValue(tftypes.String, v)
	}
	return tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, values)
}

// in is the server for subtest t (failures are reported in t).
func (p *protocolServer) in(t *testing.T) *protocolServer {
	c := *p
	c.t = t
	return &c
}

// attrs are the attributes of an object: a string is a known string, a
// tftypes.Value is taken as it is; attributes left out are null.
type attrs map[string]any

// unknownString is an unknown string, as a configuration that refers to
// another resource's computed attribute has it during plan.
var unknownString = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)

// object is a value of the schema (a resource or data source type).
func (p *protocolServer) object(schema *tfprotov6.Schema, a attrs) tftypes.Value {
	p.t.Helper()
	typ, ok := schema.ValueType().(tftypes.Object)
	if !ok {
		p.t.Fatalf("schema type is %T, not an object", schema.ValueType())
	}
	values := map[string]tftypes.Value{}
	for name, attrType := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(attrType, nil)
	}
	for name, v := range a {
		attrType, ok := typ.AttributeTypes[name]
		if !ok {
			p.t.Fatalf("the schema has no attribute %q", name)
		}
		switch v := v.(type) {
		case string:
			values[name] = tftypes.NewValue(tftypes.String, v)
		case tftypes.Value:
			values[name] = v
		default:
			p.t.Fatalf("attribute %q: unsupported test value %T", name, v)
		}
		if !values[name].Type().Equal(attrType) {
			p.t.Fatalf("attribute %q: test value of type %s, schema type %s", name, values[name].Type(), attrType)
		}
	}
	return tftypes.NewValue(typ, values)
}

// keypairSchema is the nova_keypair schema.
func (p *protocolServer) keypairSchema() *tfprotov6.Schema {
	p.t.Helper()
	s, ok := p.schema.ResourceSchemas[keypairTypeName]
	if !ok {
		p.t.Fatalf("the provider has no resource %q", keypairTypeName)
	}
	return s
}

// keypair is a nova_keypair value (configuration, plan or state).
func (p *protocolServer) keypair(a attrs) tftypes.Value {
	p.t.Helper()
	return p.object(p.keypairSchema(), a)
}

// nullKeypair is the null nova_keypair: no prior state.
func (p *protocolServer) nullKeypair() tftypes.Value {
	return tftypes.NewValue(p.keypairSchema().ValueType(), nil)
}

// timeouts is a value of the nova_keypair's timeouts attribute.
func (p *protocolServer) timeouts(a attrs) tftypes.Value {
	p.t.Helper()
	for _, attr := range p.keypairSchema().Block.Attributes {
		if attr.Name != "timeouts" {
			continue
		}
		typ, ok := attr.ValueType().(tftypes.Object)
		if !ok {
			p.t.Fatalf("timeouts is a %s", attr.ValueType())
		}
		values := map[string]tftypes.Value{}
		for name, attrType := range typ.AttributeTypes {
			values[name] = tftypes.NewValue(attrType, nil)
		}
		for name, v := range a {
			s, ok := v.(string)
			if _, known := typ.AttributeTypes[name]; !ok || !known {
				p.t.Fatalf("timeouts: bad test value %s = %v", name, v)
			}
			values[name] = tftypes.NewValue(tftypes.String, s)
		}
		return tftypes.NewValue(typ, values)
	}
	p.t.Fatal("nova_keypair has no timeouts attribute")
	return tftypes.Value{}
}

func (p *protocolServer) dynamic(v tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	dv, err := tfprotov6.NewDynamicValue(v.Type(), v)
	if err != nil {
		p.t.Fatalf("encoding %s: %s", v, err)
	}
	return &dv
}

func (p *protocolServer) decode(typ tftypes.Type, dv *tfprotov6.DynamicValue) tftypes.Value {
	p.t.Helper()
	if dv == nil {
		p.t.Fatal("the provider returned no value")
	}
	v, err := dv.Unmarshal(typ)
	if err != nil {
		p.t.Fatalf("decoding the provider's value: %s", err)
	}
	return v
}

// validate is ValidateResourceConfig of a nova_keypair configuration, what
// Terraform calls first on every plan, from a CLI with write-only
// arguments (Terraform and OpenTofu 1.11 and later).
func (p *protocolServer) validate(config tftypes.Value) []*tfprotov6.Diagnostic {
	p.t.Helper()
	return p.validateFrom(config, true)
}

// validateFrom is validate from a CLI that has write-only arguments or
// not.
func (p *protocolServer) validateFrom(config tftypes.Value, writeOnly bool) []*tfprotov6.Diagnostic {
	p.t.Helper()
	resp, err := p.server.ValidateResourceConfig(p.t.Context(), &tfprotov6.ValidateResourceConfigRequest{
		TypeName:           keypairTypeName,
		Config:             p.dynamic(config),
		ClientCapabilities: &tfprotov6.ValidateResourceConfigClientCapabilities{WriteOnlyAttributesAllowed: writeOnly},
	})
	if err != nil {
		p.t.Fatalf("ValidateResourceConfig: %s", err)
	}
	return resp.Diagnostics
}

// validateDataSource is ValidateDataResourceConfig of a data source.
func (p *protocolServer) validateDataSource(typeName string, a attrs) []*tfprotov6.Diagnostic {
	p.t.Helper()
	s := p.dataSourceSchema(typeName)
	resp, err := p.server.ValidateDataResourceConfig(p.t.Context(), &tfprotov6.ValidateDataResourceConfigRequest{
		TypeName: typeName,
		Config:   p.dynamic(p.object(s, a)),
	})
	if err != nil {
		p.t.Fatalf("ValidateDataResourceConfig: %s", err)
	}
	return resp.Diagnostics
}

// plan is PlanResourceChange of a nova_keypair from prior state (null for
// a create) to config, with the proposed new state Terraform would send:
// the configuration, with computed attributes it leaves null taken from
// the prior state. It requires no diagnostics, and returns the response
// and the planned state.
func (p *protocolServer) plan(prior, config tftypes.Value) (*tfprotov6.PlanResourceChangeResponse, tftypes.Value) {
	p.t.Helper()
	resp := p.planResponse(prior, config)
	requireNoDiagnostics(p.t, "PlanResourceChange", resp.Diagnostics)
	return resp, p.decode(p.keypairSchema().ValueType(), resp.PlannedState)
}

// planResponse is plan's PlanResourceChange, diagnostics and all.
func (p *protocolServer) planResponse(prior, config tftypes.Value) *tfprotov6.PlanResourceChangeResponse {
	p.t.Helper()
	s := p.keypairSchema()
	proposed := config
	if !prior.IsNull() {
		var priorAttrs, configAttrs map[string]tftypes.Value
		if err := prior.As(&priorAttrs); err != nil {
			p.t.Fatal(err)
		}
		if err := config.As(&configAttrs); err != nil {
			p.t.Fatal(err)
		}
		values := map[string]tftypes.Value{}
		for _, a := range s.Block.Attributes {
			values[a.Name] = configAttrs[a.Name]
			if a.Computed && configAttrs[a.Name].IsNull() {
				values[a.Name] = priorAttrs[a.Name]
			}
		}
		proposed = tftypes.NewValue(s.ValueType(), values)
	}
	resp, err := p.server.PlanResourceChange(p.t.Context(), &tfprotov6.PlanResourceChangeRequest{
		TypeName:         keypairTypeName,
		PriorState:       p.dynamic(prior),
		ProposedNewState: p.dynamic(proposed),
		Config:           p.dynamic(config),
	})
	if err != nil {
		p.t.Fatalf("PlanResourceChange: %s", err)
	}
	return resp
}

// importState is ImportResourceState of a nova_keypair by import ID.
func (p *protocolServer) importState(id string) *tfprotov6.ImportResourceStateResponse {
	p.t.Helper()
	resp, err := p.server.ImportResourceState(p.t.Context(), &tfprotov6.ImportResourceStateRequest{
		TypeName: keypairTypeName,
		ID:       id,
	})
	if err != nil {
		p.t.Fatalf("ImportResourceState: %s", err)
	}
	return resp
}

// read is ReadResource of a nova_keypair state (a refresh).
func (p *protocolServer) read(state tftypes.Value) (*tfprotov6.ReadResourceResponse, tftypes.Value) {
	p.t.Helper()
	resp, err := p.server.ReadResource(p.t.Context(), &tfprotov6.ReadResourceRequest{
		TypeName:     keypairTypeName,
		CurrentState: p.dynamic(state),
	})
	if err != nil {
		p.t.Fatalf("ReadResource: %s", err)
	}
	return resp, p.decode(state.Type(), resp.NewState)
}

// apply is ApplyResourceChange of a nova_keypair: a create (prior null),
// an update, or a destroy (planned null).
func (p *protocolServer) apply(prior, planned, config tftypes.Value) (*tfprotov6.ApplyResourceChangeResponse, tftypes.Value) {
	p.t.Helper()
	resp, err := p.server.ApplyResourceChange(p.t.Context(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName:     keypairTypeName,
		PriorState:   p.dynamic(prior),
		PlannedState: p.dynamic(planned),
		Config:       p.dynamic(config),
	})
	if err != nil {
		p.t.Fatalf("ApplyResourceChange: %s", err)
	}
	return resp, p.decode(prior.Type(), resp.NewState)
}

// create plans and applies a new nova_keypair of configuration a, and
// returns the apply's response and new state.
func (p *protocolServer) create(a attrs) (*tfprotov6.ApplyResourceChangeResponse, tftypes.Value) {
	p.t.Helper()
	config := p.keypair(a)
	_, planned := p.plan(p.nullKeypair(), config)
	return p.apply(p.nullKeypair(), planned, config)
}

// destroy is the ApplyResourceChange that destroys a nova_keypair of
// state. A destroy without diagnostics must leave no state; a failed one
// must keep state.
func (p *protocolServer) destroy(state tftypes.Value) *tfprotov6.ApplyResourceChangeResponse {
	p.t.Helper()
	resp, newState := p.apply(state, p.nullKeypair(), p.nullKeypair())
	switch {
	case len(resp.Diagnostics) == 0 && !newState.IsNull():
		p.t.Errorf("destroy left the state %s, want null", newState)
	case len(resp.Diagnostics) > 0 && !newState.Equal(state):
		p.t.Errorf("failed destroy changed the state to %s, want it kept", newState)
	}
	return resp
}

// configure is ConfigureProvider with the provider block a.
func (p *protocolServer) configure(a attrs, deferralAllowed bool) []*tfprotov6.Diagnostic {
	p.t.Helper()
	resp, err := p.server.ConfigureProvider(p.t.Context(), &tfprotov6.ConfigureProviderRequest{
		TerraformVersion:   "1.14.0",
		Config:             p.dynamic(p.object(p.schema.Provider, a)),
		ClientCapabilities: &tfprotov6.ConfigureProviderClientCapabilities{DeferralAllowed: deferralAllowed},
	})
	if err != nil {
		p.t.Fatalf("ConfigureProvider: %s", err)
	}
	return resp.Diagnostics
}

// dataSourceSchema is the schema of data source typeName.
func (p *protocolServer) dataSourceSchema(typeName string) *tfprotov6.Schema {
	p.t.Helper()
	s, ok := p.schema.DataSourceSchemas[typeName]
	if !ok {
		p.t.Fatalf("the provider has no data source %q", typeName)
	}
	return s
}

// readDataSource is ReadDataSource of a data source configuration.
func (p *protocolServer) readDataSource(typeName string, a attrs) *tfprotov6.ReadDataSourceResponse {
	p.t.Helper()
	s := p.dataSourceSchema(typeName)
	resp, err := p.server.ReadDataSource(p.t.Context(), &tfprotov6.ReadDataSourceRequest{
		TypeName: typeName,
		Config:   p.dynamic(p.object(s, a)),
	})
	if err != nil {
		p.t.Fatalf("ReadDataSource: %s", err)
	}
	return resp
}

// dataSourceState is the state a data source read returned, required
// without diagnostics.
func (p *protocolServer) dataSourceState(typeName string, resp *tfprotov6.ReadDataSourceResponse) tftypes.Value {
	p.t.Helper()
	requireNoDiagnostics(p.t, "ReadDataSource", resp.Diagnostics)
	return p.decode(p.dataSourceSchema(typeName).ValueType(), resp.State)
}

// callFunction is CallFunction of a provider function.
func (p *protocolServer) callFunction(name string, args ...tftypes.Value) *tfprotov6.CallFunctionResponse {
	p.t.Helper()
	dvs := make([]*tfprotov6.DynamicValue, len(args))
	for i, a := range args {
		dvs[i] = p.dynamic(a)
	}
	resp, err := p.server.CallFunction(p.t.Context(), &tfprotov6.CallFunctionRequest{Name: name, Arguments: dvs})
	if err != nil {
		p.t.Fatalf("CallFunction: %s", err)
	}
	return resp
}

// attributes is a value's attributes, for comparing them one by one.
func attributes(t *testing.T, v tftypes.Value) map[string]tftypes.Value {
	t.Helper()
	var m map[string]tftypes.Value
	if err := v.As(&m); err != nil {
		t.Fatalf("%s is not an object: %s", v, err)
	}
	return m
}

func requireNoDiagnostics(t *testing.T, what string, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	if len(diags) > 0 {
		t.Fatalf("%s: want no diagnostics, got:\n%s", what, formatDiagnostics(diags))
	}
}

// requireError requires diags to be exactly one error, on the root
// attribute attr (none when ""), with that summary, whose detail holds
// each part in order.
func requireError(t *testing.T, diags []*tfprotov6.Diagnostic, attr, summary string, detail ...string) {
	t.Helper()
	requireDiagnostic(t, diags, tfprotov6.DiagnosticSeverityError, attr, summary, detail...)
}

// requireWarning is requireError for exactly one warning.
func requireWarning(t *testing.T, diags []*tfprotov6.Diagnostic, attr, summary string, detail ...string) {
	t.Helper()
	requireDiagnostic(t, diags, tfprotov6.DiagnosticSeverityWarning, attr, summary, detail...)
}

func requireDiagnostic(t *testing.T, diags []*tfprotov6.Diagnostic, severity tfprotov6.DiagnosticSeverity, attr, summary string, detail ...string) {
	t.Helper()
	if len(diags) != 1 {
		t.Fatalf("want exactly one %s diagnostic, got %d:\n%s", severity, len(diags), formatDiagnostics(diags))
	}
	d := diags[0]
	if d.Severity != severity {
		t.Errorf("severity %s, want %s", d.Severity, severity)
	}
	var want *tftypes.AttributePath
	if attr != "" {
		want = tftypes.NewAttributePath().WithAttributeName(attr)
	}
	if !d.Attribute.Equal(want) {
		t.Errorf("attribute path %s, want %s", d.Attribute, want)
	}
	if d.Summary != summary {
		t.Errorf("summary %q, want %q", d.Summary, summary)
	}
	if i := indexInOrder(d.Detail, detail); i >= 0 {
		t.Errorf("detail %q\nlacks %q (after the parts before it)", d.Detail, detail[i])
	}
}

// indexInOrder is the index of the first part s does not hold after the
// parts before it, or -1 when it holds them all in order.
func indexInOrder(s string, parts []string) int {
	for i, part := range parts {
		j := strings.Index(s, part)
		if j < 0 {
			return i
		}
		s = s[j+len(part):]
	}
	return -1
}

func formatDiagnostics(diags []*tfprotov6.Diagnostic) string {
	var sb strings.Builder
	for _, d := range diags {
		sb.WriteString("  " + d.Severity.String() + " at " + d.Attribute.String() + ": " + d.Summary + ": " + d.Detail + "\n")
	}
	return sb.String()
}
