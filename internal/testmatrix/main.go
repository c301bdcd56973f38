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
//	go run ./internal/testmatrix report DIR
//
// prints, for every acceptance test (TestAcc*) seen in DIR's files, what
// it did on each CLI, and each skip's reason. It exits 1 when a test
// failed anywhere, or when an acceptance test ran on no CLI of the matrix
// (it was skipped on every one).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// event is one line of `go test -json` (test2json).
type event struct {
	Action  string
	Package string `json:",omitempty"`
	Test    string `json:",omitempty"`
	Output  string `json:",omitempty"`
}

func main() {
	if len(os.Args) != 3 || (os.Args[1] != "stream" && os.Args[1] != "report") {
		fmt.Fprintln(os.Stderr, "usage: testmatrix stream DIR < go-test-json | testmatrix report DIR")
		os.Exit(2)
	}
	var err error
	if os.Args[1] == "stream" {
		err = stream(os.Stdin, os.Stdout, os.Args[2])
	} else {
		err = report(os.Stdout, os.Args[2])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testmatrix:", err)
		os.Exit(1)
	}
}

var cliVersion = regexp.MustCompile(`^(Terraform|OpenTofu) v(\S+)`)

// cliName is the CLI at path, as the matrix names it.
func cliName(path string) (string, error) {
	cmd := exec.Command(path, "version")
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null", "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s version: %w", path, err)
	}
	m := cliVersion.FindStringSubmatch(strings.TrimSpace(string(out)))
	if m == nil {
		return "", fmt.Errorf("%s version printed %q", path, out)
	}
	if m[1] == "OpenTofu" {
		return "tofu-" + m[2], nil
	}
	return "terraform-" + m[2], nil
}

// stream copies go test -json events from r to DIR/<cli>.json and their
// output to w.
func stream(r io.Reader, w io.Writer, dir string) error {
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		return errors.New("TF_ACC_TERRAFORM_PATH is not set: run under tools/with-devcloud")
	}
	cli, err := cliName(path)
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
		if e.Action == "output" {
			fmt.Fprint(w, e.Output)
		}
		if e.Action == "fail" {
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

// report prints the matrix of DIR's files.
func report(w io.Writer, dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no test results in %s", dir)
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
	sort.Strings(clis)
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
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	fmt.Fprintf(w, "%d acceptance tests, each ran on at least one CLI.\n", len(tests))
	return nil
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
