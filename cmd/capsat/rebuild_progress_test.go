package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"capsat/survey/surveytest"
)

// rebuild-summaries prints a progress line on stderr at its interval
// (shortened here: the test checks the lines, not the time), from the
// total at the start to every structure done at the end.
func TestRebuildSummariesPrintsProgress(t *testing.T) {
	t.Parallel()
	vars := testGetenv(t, nil)
	for _, name := range []string{"AI du Bocage", "AI du Bessin"} {
		mustRunJSON[map[string]string](t, vars, "admin", "create-structure",
			"--name", name, "--siret", surveytest.ValidSIRET, "--region", "Normandie", "--type", "AI")
	}
	var stdout, stderr syncBuffer
	err := run(context.Background(), []string{"admin", "rebuild-summaries", "--progress-every", "1ms"},
		func(k string) string { return vars[k] }, strings.NewReader(""), &stdout, &stderr)
	if err != nil {
		t.Fatalf("rebuild-summaries: %v\n%s", err, stderr.String())
	}
	line := regexp.MustCompile(`^rebuild-summaries: (\d+)/2 structures, \S+ elapsed, (.+)$`)
	var lines []string
	for l := range strings.Lines(stderr.String()) {
		if m := line.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			lines = append(lines, m[0])
		}
	}
	if len(lines) == 0 || !strings.Contains(lines[len(lines)-1], " 2/2 structures") || !strings.HasSuffix(lines[len(lines)-1], "done") {
		t.Fatalf("progress lines %q, want a last line with 2/2 structures, done; stderr:\n%s", lines, stderr.String())
	}
	if !strings.Contains(stdout.String(), `"summaries"`) {
		t.Errorf("the report is no longer printed on stdout: %q", stdout.String())
	}
	if _, err := runCapsat(t, vars, "admin", "rebuild-summaries", "--progress-every", "0s"); err == nil {
		t.Error("--progress-every 0s accepted")
	}
}
