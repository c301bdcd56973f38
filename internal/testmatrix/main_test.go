package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeResults(t *testing.T, dir, cli string, lines ...string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, cli+".json"), []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

const (
	passBasic    = `{"Action":"pass","Test":"TestAccKeypair_basic"}`
	runFunction  = `{"Action":"output","Test":"TestAccFingerprintFunction","Output":"=== RUN   TestAccFingerprintFunction\n"}`
	whyFunction  = `{"Action":"output","Test":"TestAccFingerprintFunction","Output":"    fingerprint_function_test.go:60: Terraform CLI version 1.5.7 is below minimum version 1.8.0: skipping test\n"}`
	skipFunction = `{"Action":"skip","Test":"TestAccFingerprintFunction"}`
	passFunction = `{"Action":"pass","Test":"TestAccFingerprintFunction"}`
	unitTest     = `{"Action":"pass","Test":"TestSomethingUnit"}`
	subtest      = `{"Action":"skip","Test":"TestAccKeypair_basic/step"}`
)

// A test skipped on one CLI and run on another is fine; the skip's reason
// is printed.
func TestReport_skipWithReason(t *testing.T) {
	dir := t.TempDir()
	writeResults(t, dir, "terraform-1.5.7", passBasic, runFunction, whyFunction, skipFunction, unitTest, subtest)
	writeResults(t, dir, "terraform-1.15.0", passBasic, passFunction)
	var out strings.Builder
	if err := report(&out, dir); err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"TestAccFingerprintFunction", "pass SKIP", // 1.15.0 then 1.5.7, sorted
		"skipped on terraform-1.5.7: fingerprint_function_test.go:60: Terraform CLI version 1.5.7 is below minimum version 1.8.0: skipping test",
		"2 acceptance tests, each ran on at least one CLI.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "TestSomethingUnit") || strings.Contains(out.String(), "/step") {
		t.Errorf("report lists unit tests or subtests:\n%s", out.String())
	}
}

// A test skipped on every CLI fails the report, as does a failure.
func TestReport_ranNowhereOrFailed(t *testing.T) {
	dir := t.TempDir()
	writeResults(t, dir, "terraform-1.5.7", runFunction, whyFunction, skipFunction)
	writeResults(t, dir, "tofu-1.10.10", skipFunction, `{"Action":"fail","Test":"TestAccKeypair_basic"}`)
	var out strings.Builder
	err := report(&out, dir)
	if err == nil || !strings.Contains(err.Error(), "TestAccFingerprintFunction ran on no CLI of the matrix") ||
		!strings.Contains(err.Error(), "TestAccKeypair_basic failed on tofu-1.10.10") {
		t.Fatalf("got %v, want both problems named", err)
	}
}
