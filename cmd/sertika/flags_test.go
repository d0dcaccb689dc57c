package main

import (
	"strings"
	"testing"
)

// A wrong flag is reported once, on standard error, with a pointer to --help; standard
// output stays empty, so "sertika export siasn --fromat csv > x.csv" never writes the usage
// into x.csv. -h still prints the usage on standard output.
func TestWrongFlagReportedOnce(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"export", "siasn", "--fromat", "csv"},
		{"rescore", "--bogus"},
		{"migrate", "status", "--bogus"},
		{"keys", "retire", "ABCDEFGH", "--bogus"},
		{"certificates", "issue", "--request", "abc", "--as", "kepala"},
		{"version", "--bogus"},
	} {
		code, out, errOut := importTestRun(t, "", append(args, "--data-dir", dir)...)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if code != 2 || out != "" || len(lines) != 1 || !strings.HasPrefix(lines[0], "sertika "+args[0]+": ") ||
			!strings.Contains(lines[0], "--help") {
			t.Errorf("%v: exit %d, want 2 and one line on stderr; stdout %q; stderr %q", args, code, out, errOut)
		}
	}
	code, out, errOut := importTestRun(t, "", "rescore", "-h")
	if code != 0 || !strings.HasPrefix(out, "Usage:\n  sertika rescore") || !strings.Contains(out, "-force") || errOut != "" {
		t.Errorf("rescore -h: exit %d; stdout %q; stderr %q", code, out, errOut)
	}
	if code, _, errOut := importTestRun(t, "", "version", "extra"); code != 2 || !strings.Contains(errOut, "unexpected arguments: extra") {
		t.Errorf("version extra: exit %d, stderr %q", code, errOut)
	}
}

// "migrate up --data-dir D" works like "migrate --data-dir D up", as the other commands
// with a subcommand take their flags on either side of it.
func TestMigrateFlagsAfterSubcommand(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := importTestRun(t, "", "migrate", "up", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "applied") {
		t.Fatalf("migrate up --data-dir: exit %d; stdout %q; stderr %q", code, out, errOut)
	}
	code, out, errOut = importTestRun(t, "", "migrate", "status", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "00001") || strings.Contains(out, "pending") {
		t.Errorf("migrate status --data-dir: exit %d; stdout %q; stderr %q", code, out, errOut)
	}
	if code, out, _ := importTestRun(t, "", "migrate", "--data-dir", dir, "up"); code != 0 || !strings.Contains(out, "up to date") {
		t.Errorf("migrate --data-dir D up: exit %d; stdout %q", code, out)
	}
	for _, args := range [][]string{{"migrate"}, {"migrate", "down"}, {"migrate", "up", "status"}} {
		if code, _, errOut := importTestRun(t, "", append(args, "--data-dir", dir)...); code != 2 || !strings.Contains(errOut, "want exactly one of: up, status") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}
