package nova

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// terraformWords are names that exist only in the provider's Terraform
// schema (the OpenStack names of the same things are username, cacert,
// compute_api_version, ...), and the backtick quoting the provider's
// diagnostics use for attributes.
var terraformWords = regexp.MustCompile("`|\\b(max_microversion|cacert_file|user_name|endpoint_overrides|max_retries|allow_reauth|public_key_wo|key_algorithm)\\b")

// TestNoTerraformWords: the layer under Terraform speaks OpenStack. No
// string in its code names a Terraform attribute; the provider turns its
// typed errors into diagnostics with attribute paths.
func TestNoTerraformWords(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		ast.Inspect(file, func(n ast.Node) bool {
			if field, ok := n.(*ast.Field); ok && field.Tag != nil {
				return false // a struct tag names JSON fields, not attributes
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if m := terraformWords.FindString(s); m != "" {
				t.Errorf("%s: string %s names %q, a Terraform word", fset.Position(lit.Pos()), lit.Value, m)
			}
			return true
		})
	}
	if checked < 5 {
		t.Fatalf("checked %d files", checked)
	}
}
