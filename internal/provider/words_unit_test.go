package provider

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// openStackWords are attribute names of this provider's schemas that are
// also OpenStack's own words (clouds.yaml keys, Nova's JSON fields, catalog
// placeholders) or plain English, so internal/nova may use them.
var openStackWords = map[string]bool{
	"auth_url": true, "cloud": true, "region": true, "user_id": true, "password": true, "tenant_id": true,
	"user_domain_name": true, "user_domain_id": true, "project_domain_name": true, "project_domain_id": true,
	"domain_name": true, "domain_id": true, "default_domain": true, "token": true,
	"application_credential_id": true, "application_credential_name": true, "application_credential_secret": true,
	"system_scope": true, "insecure": true, "cert": true, "key": true,
	"name": true, "public_key": true, "private_key": true, "type": true, "fingerprint": true, "created_at": true, "id": true,
	"timeouts": true, "names": true, "keypairs": true,
}

// TestNovaSpeaksOpenStack: no string or comment of internal/nova names a
// Terraform attribute of this provider that is not also an OpenStack word
// (max_microversion, cacert_file, user_name, tenant_name, key_algorithm,
// endpoint_overrides, ...), and no string quotes anything in backticks as
// the provider's diagnostics quote attributes. The provider turns the nova
// layer's typed errors into diagnostics in Terraform's words. New
// attributes are covered as they are added to a schema.
func TestNovaSpeaksOpenStack(t *testing.T) {
	p := newProtocolServer(t)
	var terraformOnly []string
	add := func(names []string) {
		for _, n := range names {
			if !openStackWords[n] {
				terraformOnly = append(terraformOnly, n)
			}
		}
	}
	add(attributeNames(p.schema.Provider.Block.Attributes))
	for _, s := range p.schema.ResourceSchemas {
		add(attributeNames(s.Block.Attributes))
	}
	for _, s := range p.schema.DataSourceSchemas {
		add(attributeNames(s.Block.Attributes))
	}
	sort.Strings(terraformOnly)
	if len(terraformOnly) < 8 {
		t.Fatalf("only %d Terraform-only attribute names: %v", len(terraformOnly), terraformOnly)
	}
	word := regexp.MustCompile(`\b(` + strings.Join(terraformOnly, "|") + `)\b`)

	files, err := filepath.Glob("../nova/*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, group := range file.Comments {
			if m := word.FindString(group.Text()); m != "" {
				t.Errorf("%s: a comment names %q, a Terraform attribute", fset.Position(group.Pos()), m)
			}
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if field, ok := n.(*ast.Field); ok && field.Tag != nil {
				return false // a struct tag names JSON fields
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if m := word.FindString(lit.Value); m != "" {
				t.Errorf("%s: string %s names %q, a Terraform attribute", fset.Position(lit.Pos()), lit.Value, m)
			}
			if strings.HasPrefix(lit.Value, `"`) && strings.Contains(lit.Value, "`") {
				t.Errorf("%s: string %s quotes in backticks, as diagnostics quote attributes", fset.Position(lit.Pos()), lit.Value)
			}
			return true
		})
	}
	if checked < 5 {
		t.Fatalf("checked %d files of internal/nova", checked)
	}
}

func attributeNames(attrs []*tfprotov6.SchemaAttribute) []string {
	names := make([]string, len(attrs))
	for i, a := range attrs {
		names[i] = a.Name
	}
	return names
}
