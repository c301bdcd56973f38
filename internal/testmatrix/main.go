// Command testmatrix records which tests ran on which Terraform or
// OpenTofu CLI, and reports it.
//
//	go test -json ... | go run ./internal/testmatrix stream DIR
//
// prints the test output as `go test -v` would, and saves the events to
// DIR/<cli>.json, <cli> being what $TF_ACC_TERRAFORM_PATH says it is
// ("terraform-1.15.0", "tofu-1.12.6"). It exits 1 when a test or package
// failed.
//
//	go run ./internal/testmatrix report DIR [REGEXP]
//
// prints, for every acceptance test (TestAcc*) seen in DIR's files, what
// it did on each CLI, and each skip's reason. It exits 1 when a test
// failed anywhere, when an acceptance test ran on no CLI of the matrix
// (it was skipped on every one), and, for the tests matching REGEXP (the
// compatibility subset), when one is missing from a CLI's results or was
// skipped there for another reason than a capability the CLI lacks.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/go-version"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
)

// event is one line of `go test -json` (test2json).
type event struct {
	Action  string
	Package string `json:",omitempty"`
	Test    string `json:",omitempty"`
	Output  string `json:",omitempty"`
}

func main() {
	var err error
	switch {
	case len(os.Args) == 3 && os.Args[1] == "stream":
		err = stream(os.Stdin, os.Stdout, os.Args[2])
	case len(os.Args) == 3 && os.Args[1] == "report":
		err = report(os.Stdout, os.Args[2], nil)
	case len(os.Args) == 4 && os.Args[1] == "report":
		var expect *regexp.Regexp
		if expect, err = regexp.Compile(os.Args[3]); err == nil {
			err = report(os.Stdout, os.Args[2], expect)
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: testmatrix stream DIR < go-test-json | testmatrix report DIR [REGEXP]")
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testmatrix:", err)
		os.Exit(1)
	}
}

// stream copies go test -json events from r to DIR/<cli>.json and their
// output to w.
func stream(r io.Reader, w io.Writer, dir string) error {
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		return errors.New("TF_ACC_TERRAFORM_PATH is not set: run under tools/with-devcloud")
	}
	cli, err := acctest.CLIName(path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, cli+".json"))
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(w, "testmatrix: running on %s (%s)\n", cli, path)

	failed := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if json.Unmarshal(line, &e) != nil {
			fmt.Fprintln(w, string(line)) // build errors are not JSON
			failed = failed || len(line) > 0
			continue
		}
		if _, err := f.Write(append(line, '\n')); err != nil {
			return err
		}
		if e.Action == "output" || e.Action == "build-output" {
			fmt.Fprint(w, e.Output) // build-output: compile errors
		}
		if e.Action == "fail" || e.Action == "build-fail" {
			failed = true
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if failed {
		return fmt.Errorf("tests failed on %s", cli)
	}
	return nil
}

// result is what one test did on one CLI.
type result struct {
	action string   // pass, fail, skip
	output []string // its output, for a skip's reason
}

// gatedSkip is the reason acctest.Capability gives: a CLI without the
// capability a test needs.
var gatedSkip = regexp.MustCompile(`: .+ (need (Terraform|OpenTofu) \S+ or later|are a Terraform-only capability)$`)

// report prints the matrix of DIR's files; expect, when not nil, selects
// the tests every CLI must have run (or skipped for a capability it lacks).
func report(w io.Writer, dir string, expect *regexp.Regexp) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no test results in %s", dir)
	}
	if expect != nil {
		fmt.Fprintf(w, "Every CLI must run the tests matching %s.\n", expect)
	}
	matrix := map[string]map[string]*result{} // test -> cli -> result
	var clis []string
	for _, file := range files {
		cli := strings.TrimSuffix(filepath.Base(file), ".json")
		clis = append(clis, cli)
		if err := readResults(file, cli, matrix); err != nil {
			return err
		}
	}
	sort.Slice(clis, func(i, j int) bool { return cliLess(clis[i], clis[j]) })
	var tests []string
	for t := range matrix {
		tests = append(tests, t)
	}
	sort.Strings(tests)

	fmt.Fprintf(w, "\nWhich acceptance test ran on which CLI (%s):\n", strings.Join(clis, ", "))
	var problems []string
	for _, t := range tests {
		ran := false
		cells := make([]string, len(clis))
		for i, cli := range clis {
			r := matrix[t][cli]
			switch {
			case r == nil:
				cells[i] = "-"
			case r.action == "pass":
				cells[i], ran = "pass", true
			case r.action == "skip":
				cells[i] = "SKIP"
			default:
				cells[i] = strings.ToUpper(r.action)
				problems = append(problems, fmt.Sprintf("%s failed on %s", t, cli))
			}
		}
		fmt.Fprintf(w, "  %-60s %s\n", t, strings.Join(cells, " "))
		for _, cli := range clis {
			if r := matrix[t][cli]; r != nil && r.action == "skip" {
				fmt.Fprintf(w, "      skipped on %s: %s\n", cli, skipReason(r.output))
			}
		}
		if !ran && !slices.Contains(cells, "FAIL") {
			problems = append(problems, t+" ran on no CLI of the matrix")
		}
		if expect != nil && expect.MatchString(t) {
			for _, cli := range clis {
				switch r := matrix[t][cli]; {
				case r == nil || r.action == "":
					problems = append(problems, fmt.Sprintf("%s did not run on %s", t, cli))
				case r.action == "skip" && !gatedSkip.MatchString(skipReason(r.output)):
					problems = append(problems, fmt.Sprintf("%s was skipped on %s, not for a capability it lacks", t, cli))
				}
			}
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	fmt.Fprintf(w, "%d acceptance tests, each ran on at least one CLI.\n", len(tests))
	return nil
}

// cliLess orders CLIs Terraform first, then by version.
func cliLess(a, b string) bool {
	ka, va, _ := strings.Cut(a, "-")
	kb, vb, _ := strings.Cut(b, "-")
	if ka != kb {
		return ka == "terraform"
	}
	x, errA := version.NewVersion(va)
	y, errB := version.NewVersion(vb)
	if errA != nil || errB != nil {
		return a < b
	}
	return x.LessThan(y)
}

// readResults adds the top-level acceptance tests of one CLI's file.
func readResults(file, cli string, matrix map[string]map[string]*result) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if !strings.HasPrefix(e.Test, "TestAcc") || strings.Contains(e.Test, "/") {
			continue
		}
		if matrix[e.Test] == nil {
			matrix[e.Test] = map[string]*result{}
		}
		r := matrix[e.Test][cli]
		if r == nil {
			r = &result{}
			matrix[e.Test][cli] = r
		}
		switch e.Action {
		case "output":
			r.output = append(r.output, e.Output)
		case "pass", "fail", "skip":
			r.action = e.Action
		}
	}
	return sc.Err()
}

// skipReason is the message t.Skip printed: the output line after the
// "--- SKIP" line, or before it.
func skipReason(output []string) string {
	var lines []string
	for _, o := range output {
		o = strings.TrimSpace(o)
		if o == "" || strings.HasPrefix(o, "=== ") || strings.HasPrefix(o, "--- SKIP") {
			continue
		}
		lines = append(lines, o)
	}
	if len(lines) == 0 {
		return "(no reason printed)"
	}
	return lines[len(lines)-1]
}
