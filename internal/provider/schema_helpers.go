package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/id"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

// Nova's keypair name rules: 1-255 characters of [A-Za-z0-9 _-], from 2.92
// also `@` and `.`, with no whitespace at either end.
const (
	nameMaxLength = 255
	nameCharsBase = "letters, digits, space, `_` and `-`"
)

// keypairNameValidator checks what Nova checks of a name, before any API
// call. Whether the cloud allows `@` and `.` (2.92) is checked at plan
// time, when the provider knows the cloud.
type keypairNameValidator struct{}

func (keypairNameValidator) Description(context.Context) string {
	return fmt.Sprintf("1 to %d characters: %s (and `@`, `.` from compute microversion 2.92); no whitespace at either end", nameMaxLength, nameCharsBase)
}

func (v keypairNameValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (keypairNameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if why := keypairNameProblem(req.ConfigValue.ValueString()); why != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid keypair name", fmt.Sprintf("The keypair name %q %s.", req.ConfigValue.ValueString(), why))
	}
}

// keypairNameProblem says what is wrong with a name, or "".
func keypairNameProblem(name string) string {
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return "is empty; a name has 1 to 255 characters"
	case n > nameMaxLength:
		return fmt.Sprintf("has %d characters; Nova allows at most %d", n, nameMaxLength)
	case strings.TrimSpace(name) != name:
		return "starts or ends with whitespace, which Nova refuses; trim it"
	}
	for _, r := range name {
		if !nameRuneAllowed(r) {
			return fmt.Sprintf("contains %q; Nova allows only %s, and `@` and `.` from compute microversion 2.92", r, nameCharsBase)
		}
	}
	return ""
}

func nameRuneAllowed(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ' || r == '_' || r == '-' ||
		strings.ContainsRune(nova.ExtendedNameChars, r)
}

// Names made from name_prefix: the prefix, then id.PrefixedUniqueId's
// suffix (a UTC timestamp to 1/10000 s and a counter: digits and a-f,
// which every microversion allows), as the AWS provider names things.
const (
	generatedSuffixLength = id.UniqueIDSuffixLength
	namePrefixMaxLength   = nameMaxLength - generatedSuffixLength
	// maxNameTries is how many generated names a create tries when Nova
	// answers that the name is taken (409).
	maxNameTries = 3
)

// generateName is a keypair name made of prefix and a suffix unique to
// this moment and process, which sorts by creation time.
func generateName(prefix string) string {
	return id.PrefixedUniqueId(prefix)
}

// namePrefixValidator checks a name_prefix as keypairNameValidator checks
// a name: with room left for the generated suffix, and whitespace allowed
// at its end (the suffix follows it).
type namePrefixValidator struct{}

func (namePrefixValidator) Description(context.Context) string {
	return fmt.Sprintf("1 to %d characters: %s (and `@`, `.` from compute microversion 2.92); no whitespace at the start", namePrefixMaxLength, nameCharsBase)
}

func (v namePrefixValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (namePrefixValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	prefix := req.ConfigValue.ValueString()
	why := ""
	switch n := utf8.RuneCountInString(prefix); {
	case n == 0:
		why = fmt.Sprintf("is empty; a prefix has 1 to %d characters", namePrefixMaxLength)
	case n > namePrefixMaxLength:
		why = fmt.Sprintf("has %d characters; with the %d the provider adds, Nova's limit of %d allows at most %d", n, generatedSuffixLength, nameMaxLength, namePrefixMaxLength)
	default:
		// What the name made of it would break, but its length.
		why = keypairNameProblem(prefix + strings.Repeat("0", generatedSuffixLength))
		why = strings.Replace(why, "starts or ends with whitespace", "starts with whitespace", 1)
	}
	if why != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid keypair name prefix", fmt.Sprintf("The keypair name prefix %q %s.", prefix, why))
	}
}

// nameLacksPrefix is name_prefix's replacement rule: a new prefix
// replaces the keypair only when the keypair's name does not start with
// it (a name made from "web-" still fits "web").
func nameLacksPrefix(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	var name types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("name"), &name)...)
	resp.RequiresReplace = req.PlanValue.IsUnknown() || name.IsNull() || !strings.HasPrefix(name.ValueString(), req.PlanValue.ValueString())
}

// noSlash matches IDs without "/": a keypair's ID is user_id/name.
var noSlash = regexp.MustCompile(`^[^/]*$`)

// samePublicKey plans no change when the configured public key differs
// from the recorded one only in surrounding whitespace (file() keeps the
// trailing newline; Nova stores keys verbatim): it keeps the recorded
// value, which Terraform accepts as "the same as the configuration". It
// runs before RequiresReplace, which then sees nothing to replace.
type samePublicKey struct{}

func (samePublicKey) Description(context.Context) string {
	return "a public key that differs only in surrounding whitespace is not a change"
}

func (m samePublicKey) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (samePublicKey) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if keys.SamePublicKey(req.StateValue.ValueString(), req.ConfigValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}

// regexpValidator checks that a string is an RE2 regular expression.
type regexpValidator struct{}

func (regexpValidator) Description(context.Context) string {
	return "a regular expression (RE2 syntax)"
}

func (v regexpValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (regexpValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := regexp.Compile(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid regular expression", fmt.Sprintf("%q is not a regular expression (RE2 syntax): %s.", req.ConfigValue.ValueString(), err))
	}
}

func equalFold(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
