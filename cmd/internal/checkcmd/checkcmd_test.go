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
		trust.ProblemStore:      diag.ExitUnavailable,
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
	for _, p := range trust.Problems {
		if _, ok := want[p]; !ok {
			t.Errorf("problem %q has no documented code", p)
		}
	}
	// After the problems that stop every nix command (codes from 64 on),
	// the trust problems come in the order of their codes.
	prev := 0
	for _, p := range trust.Problems {
		c := ExitCode(&trust.Report{Problem: p})
		if c >= 64 {
			if prev != 0 {
				t.Errorf("%q (%d) comes after a trust problem", p, c)
			}
			continue
		}
		if c <= prev {
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

// TestPrintProblems: a store the user cannot open is an error with the
// fix as a hint (exit 69); a malformed trusted-public-keys entry is one
// error line however many keys it fails (exit 78).
func TestPrintProblems(t *testing.T) {
	var out, errs bytes.Buffer
	p := diag.Printer{Prog: "nixsign-check", W: &errs}
	r := &trust.Report{Problem: trust.ProblemStore, Store: trust.StoreInfo{Mode: trust.ModeDaemon, Socket: "/s",
		Error: "nix cannot open the store: getting status of /s: permission denied",
		Fix:   &trust.Fix{Message: "add user alice to the group nix-users", Command: "sudo usermod -aG nix-users alice"}}}
	if code, err := Print(&out, p, r, false); code != diag.ExitUnavailable || err != nil {
		t.Errorf("store: %d, %v", code, err)
	}
	want := "nixsign-check: error: nix cannot open the store: getting status of /s: permission denied\n" +
		"nixsign-check: hint: add user alice to the group nix-users: sudo usermod -aG nix-users alice\n"
	if errs.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errs.String(), want)
	}
	errs.Reset()
	bad := trust.Reason{Code: "malformed", Message: `/etc/nix/nix.conf:1: trusted-public-keys entry "k:AAAA" is not a valid public key`}
	r = &trust.Report{Problem: trust.ProblemConfig, Keys: []trust.KeyReport{
		{Name: "a", Verdict: trust.BadConfig, Reasons: []trust.Reason{bad}},
		{Name: "b", Verdict: trust.BadConfig, Reasons: []trust.Reason{bad}},
	}}
	if code, _ := Print(&out, p, r, false); code != diag.ExitConfig {
		t.Errorf("config: %d", code)
	}
	if errs.String() != "nixsign-check: error: "+bad.Message+"\n" {
		t.Errorf("stderr:\n%s", errs.String())
	}
}
