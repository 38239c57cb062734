package checkcmd

import (
	"bytes"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/trust"
)

// TestExitCodes checks the code of each problem, and that the precedence of
// trust.Problems is the order of the documented codes.
func TestExitCodes(t *testing.T) {
	want := map[trust.Problem]int{
		trust.ProblemNone:       diag.ExitOK,
		trust.ProblemConfig:     diag.ExitConfig,
		trust.ProblemNotTrusted: diag.ExitNotTrusted,
		trust.ProblemUserOnly:   diag.ExitUserOnly,
		trust.ProblemShadowed:   diag.ExitShadowed,
		trust.ProblemRestart:    diag.ExitRestart,
		trust.ProblemDisagree:   diag.ExitDisagree,
		trust.ProblemCache:      diag.ExitCacheUnused,
	}
	for p, code := range want {
		if got := ExitCode(&trust.Report{Problem: p}); got != code {
			t.Errorf("%q: %d, want %d", p, got, code)
		}
	}
	prev := 0
	for _, p := range trust.Problems[1:] {
		if c := ExitCode(&trust.Report{Problem: p}); c <= prev {
			t.Errorf("%q (%d) comes after code %d", p, c, prev)
		} else {
			prev = c
		}
	}
}

func TestMainErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--key", "test-key-1:AAAA"}, diag.ExitDataErr, "nixsign-check: error: public key \"test-key-1\" is not valid"},
		{[]string{"--key", "no/such/file.pub"}, diag.ExitNoInput, "neither a public key"},
		{[]string{"--nope"}, diag.ExitUsage, "flag provided but not defined"},
	} {
		var stdout, stderr bytes.Buffer
		if code := Main(append([]string{"nixsign-check"}, tc.args...), &stdout, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.msg) {
			t.Errorf("%q: exit %d, stderr %q; want %d, %q", tc.args, code, stderr.String(), tc.code, tc.msg)
		}
	}
}
