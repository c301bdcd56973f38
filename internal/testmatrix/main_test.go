package main

import (
	"os"
	"path/filepath"
	"regexp"
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
	whyFunction  = `{"Action":"output","Test":"TestAccFingerprintFunction","Output":"    fingerprint_function_test.go:60: Terraform v1.5.7: provider functions need Terraform 1.8.0 or later\n"}`
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
	if err := report(&out, dir, nil); err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"TestAccFingerprintFunction", "SKIP pass", // 1.5.7 then 1.15.0, by version
		"skipped on terraform-1.5.7: fingerprint_function_test.go:60: Terraform v1.5.7: provider functions need Terraform 1.8.0 or later",
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
	err := report(&out, dir, nil)
	if err == nil || !strings.Contains(err.Error(), "TestAccFingerprintFunction ran on no CLI of the matrix") ||
		!strings.Contains(err.Error(), "TestAccKeypair_basic failed on tofu-1.10.10") {
		t.Fatalf("got %v, want both problems named", err)
	}
}

// Every CLI must run each test of the compatibility subset: one missing
// from a CLI's results, or skipped there for another reason than a
// capability gate, fails the report, as does an empty results file.
func TestReport_compatibilitySubsetOnEveryCLI(t *testing.T) {
	expect := regexp.MustCompile("^TestAcc(Keypair_basic|FingerprintFunction)$")
	otherSkip := `{"Action":"output","Test":"TestAccFingerprintFunction","Output":"    x_test.go:1: flaky on this machine\n"}`
	dir := t.TempDir()
	writeResults(t, dir, "terraform-1.15.0", passBasic, passFunction)
	writeResults(t, dir, "tofu-1.12.6", passBasic, otherSkip, skipFunction)
	writeResults(t, dir, "tofu-1.10.10", passFunction)
	writeResults(t, dir, "terraform-1.11.4")
	var out strings.Builder
	err := report(&out, dir, expect)
	for _, want := range []string{
		"TestAccFingerprintFunction was skipped on tofu-1.12.6, not for a capability it lacks",
		"TestAccKeypair_basic did not run on tofu-1.10.10",
		"TestAccKeypair_basic did not run on terraform-1.11.4",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("report error %v lacks %q", err, want)
		}
	}
}

// Compile errors reach the output: go test -json reports them as
// build-output events.
func TestStream_buildErrors(t *testing.T) {
	cli := filepath.Join(t.TempDir(), "terraform")
	if err := os.WriteFile(cli, []byte("#!/bin/sh\necho 'Terraform v1.15.0'\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TF_ACC_TERRAFORM_PATH", cli)
	in := strings.NewReader(`{"ImportPath":"x","Action":"build-output","Output":"x/broken.go:3:17: undefined: undefinedThing\n"}
{"ImportPath":"x","Action":"build-fail"}
{"Action":"fail","Package":"x"}
`)
	var out strings.Builder
	err := stream(in, &out, t.TempDir())
	if err == nil || !strings.Contains(out.String(), "undefined: undefinedThing") {
		t.Fatalf("stream: error %v, output %q; want the compile error shown and a failure", err, out.String())
	}
}
