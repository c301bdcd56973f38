package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
)

// publicKeyType is a string whose values are equal for Terraform when they
// differ only in surrounding whitespace: file() yields a trailing newline,
// Nova stores the key verbatim, and neither is a change of key.
type publicKeyType struct {
	basetypes.StringType
}

var _ basetypes.StringTypable = publicKeyType{}

func (t publicKeyType) Equal(o attr.Type) bool {
	other, ok := o.(publicKeyType)
	return ok && t.StringType.Equal(other.StringType)
}

func (t publicKeyType) String() string { return "publicKeyType" }

func (t publicKeyType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return publicKeyValue{StringValue: in}, nil
}

func (t publicKeyType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return publicKeyValue{StringValue: s}, nil
}

func (t publicKeyType) ValueType(context.Context) attr.Value { return publicKeyValue{} }

// publicKeyValue is a value of publicKeyType.
type publicKeyValue struct {
	basetypes.StringValue
}

var _ basetypes.StringValuableWithSemanticEquals = publicKeyValue{}

func (v publicKeyValue) Equal(o attr.Value) bool {
	other, ok := o.(publicKeyValue)
	return ok && v.StringValue.Equal(other.StringValue)
}

func (v publicKeyValue) Type(context.Context) attr.Type { return publicKeyType{} }

// StringSemanticEquals keeps the prior value when the new one is the same
// key but for surrounding whitespace.
func (v publicKeyValue) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	other, ok := newValuable.(publicKeyValue)
	if !ok {
		return false, nil
	}
	return keys.SamePublicKey(v.ValueString(), other.ValueString()), nil
}

func newPublicKey(s string) publicKeyValue {
	return publicKeyValue{StringValue: basetypes.NewStringValue(s)}
}

func nullPublicKey() publicKeyValue {
	return publicKeyValue{StringValue: basetypes.NewStringNull()}
}
