package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// keypairResourceModel is a nova_keypair object (state, plan or
// configuration).
//
// It converts itself to and from Terraform's value: keypairModelOf reads
// it from a plan, state or configuration's Raw value, and the framework's
// Set uses its ToTerraform5Value (tftypes.ValueCreator). Both avoid the
// framework's reflection over the struct tags, which compiles a regular
// expression for every field on every call and was a fifth of the
// provider's allocations on a refresh.
type keypairResourceModel struct {
	ID         types.String `tfsdk:"id"`
	Name       types.String `tfsdk:"name"`
	NamePrefix types.String `tfsdk:"name_prefix"`
	PublicKey  types.String `tfsdk:"public_key"`
	// PublicKeyWO is in configurations only: Terraform keeps write-only
	// values out of plans and states (the framework nulls them).
	PublicKeyWO        types.String   `tfsdk:"public_key_wo"`
	PublicKeyWOVersion types.Int64    `tfsdk:"public_key_wo_version"`
	Type               types.String   `tfsdk:"type"`
	UserID             types.String   `tfsdk:"user_id"`
	KeyAlgorithm       types.String   `tfsdk:"key_algorithm"`
	Region             types.String   `tfsdk:"region"`
	Fingerprint        types.String   `tfsdk:"fingerprint"`
	PrivateKey         types.String   `tfsdk:"private_key"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

// keypairModelOf reads a nova_keypair object (the Raw value of a
// tfsdk.Plan, State or Config), adding an error to diags if it is not one.
func keypairModelOf(raw tftypes.Value, diags *diag.Diagnostics) keypairResourceModel {
	var m keypairResourceModel
	if raw.IsNull() {
		return m
	}
	if err := m.FromTerraform5Value(raw); err != nil {
		diags.AddError("Value Conversion Error", "An unexpected error was encountered reading a nova_keypair value. This is always an error in the provider; please report it: "+err.Error())
	}
	return m
}

var (
	_ tftypes.ValueConverter = (*keypairResourceModel)(nil)
	_ tftypes.ValueCreator   = keypairResourceModel{}
)

// keypairTimeoutsType is the type of the `timeouts` attribute.
var keypairTimeoutsType = func() timeouts.Type {
	t, ok := timeouts.Attributes(context.Background(), keypairTimeoutsOpts).GetType().(timeouts.Type)
	if !ok {
		panic("timeouts.Attributes is not of timeouts.Type")
	}
	return t
}()

var keypairTimeoutsOpts = timeouts.Opts{Create: true, Read: true, Delete: true}

// stringAttributes are the model's string attributes, by name.
func (m *keypairResourceModel) stringAttributes() map[string]*types.String {
	return map[string]*types.String{
		"id": &m.ID, "name": &m.Name, "name_prefix": &m.NamePrefix, "public_key": &m.PublicKey, "public_key_wo": &m.PublicKeyWO, "type": &m.Type, "user_id": &m.UserID,
		"key_algorithm": &m.KeyAlgorithm, "region": &m.Region, "fingerprint": &m.Fingerprint, "private_key": &m.PrivateKey,
	}
}

// FromTerraform5Value sets m from a nova_keypair object.
func (m *keypairResourceModel) FromTerraform5Value(v tftypes.Value) error {
	var values map[string]tftypes.Value
	if err := v.As(&values); err != nil {
		return err
	}
	for name, dst := range m.stringAttributes() {
		value, err := types.StringType.ValueFromTerraform(context.Background(), values[name])
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		s, ok := value.(types.String)
		if !ok {
			return fmt.Errorf("%s: a %T, not a string", name, value)
		}
		*dst = s
	}
	version, err := types.Int64Type.ValueFromTerraform(context.Background(), values["public_key_wo_version"])
	if err != nil {
		return fmt.Errorf("public_key_wo_version: %w", err)
	}
	if m.PublicKeyWOVersion, _ = version.(types.Int64); m.PublicKeyWOVersion.IsNull() && !version.IsNull() {
		return fmt.Errorf("public_key_wo_version: a %T, not a number", version)
	}
	t, err := keypairTimeoutsType.ValueFromTerraform(context.Background(), values["timeouts"])
	if err != nil {
		return fmt.Errorf("timeouts: %w", err)
	}
	if m.Timeouts, _ = t.(timeouts.Value); m.Timeouts.IsNull() && !t.IsNull() {
		return fmt.Errorf("timeouts: a %T, not timeouts", t)
	}
	return nil
}

// ToTerraform5Value is m as the attributes of a nova_keypair object.
func (m keypairResourceModel) ToTerraform5Value() (any, error) {
	ctx := context.Background()
	values := map[string]tftypes.Value{}
	for name, s := range m.stringAttributes() {
		v, err := s.ToTerraformValue(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		values[name] = v
	}
	version, err := m.PublicKeyWOVersion.ToTerraformValue(ctx)
	if err != nil {
		return nil, fmt.Errorf("public_key_wo_version: %w", err)
	}
	values["public_key_wo_version"] = version
	t := m.Timeouts
	if t.IsNull() && len(t.AttributeTypes(ctx)) == 0 { // the zero value: a null of the right type
		t = timeouts.Value{Object: types.ObjectNull(keypairTimeoutsType.AttrTypes)}
	}
	v, err := t.ToTerraformValue(ctx)
	if err != nil {
		return nil, fmt.Errorf("timeouts: %w", err)
	}
	values["timeouts"] = v
	return values, nil
}
