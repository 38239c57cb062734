package hookcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/cmd/internal/cli"
	"github.com/nixsign/nixsign/conf/config"
	"github.com/nixsign/nixsign/hook"
	"github.com/nixsign/nixsign/nix/drv"
	"github.com/nixsign/nixsign/nix/store"
	"github.com/nixsign/nixsign/sign/secretkey"
)

// The codes copied from cmd/internal/cli must stay equal to them.
func TestExitCodesMatchCLI(t *testing.T) {
	for _, c := range []struct{ ours, cli int }{
		{exitOK, cli.ExitOK}, {exitFailure, cli.ExitFailure}, {exitNotTrusted, cli.ExitNotTrusted},
		{exitUserOnly, cli.ExitUserOnly}, {exitShadowed, cli.ExitShadowed}, {exitRestart, cli.ExitRestart},
		{exitUsage, cli.ExitUsage}, {exitDataErr, cli.ExitDataErr}, {exitNoInput, cli.ExitNoInput},
		{exitUnavailable, cli.ExitUnavailable}, {exitIOErr, cli.ExitIOErr}, {exitNoPerm, cli.ExitNoPerm},
		{exitConfig, cli.ExitConfig},
	} {
		if c.ours != c.cli {
			t.Errorf("code %d here is %d in cmd/internal/cli", c.ours, c.cli)
		}
	}
	// cli.Run reads the code of an error Execute returns.
	if got := cli.CodeOf(withCode(exitNoPerm, errors.New("x"))); got != cli.ExitNoPerm {
		t.Errorf("cli.CodeOf = %d", got)
	}
}

// Printer writes what cli.Printer writes.
func TestPrinterMatchesCLI(t *testing.T) {
	var ours, theirs bytes.Buffer
	p, q := Printer{Prog: "p", W: &ours}, cli.Printer{Prog: "p", W: &theirs}
	for _, msg := range []string{"one line", "two\nlines\n", "100% %s"} {
		p.Errorf("%s", msg)
		q.Errorf("%s", msg)
		p.Warnf("%s", msg)
		q.Warnf("%s", msg)
		p.Infof("%s", msg)
		q.Infof("%s", msg)
	}
	if ours.String() != theirs.String() {
		t.Errorf("ours:\n%s\ncli's:\n%s", ours.String(), theirs.String())
	}
}

func TestCodeOf(t *testing.T) {
	fe := func(k secretkey.Kind) error {
		return &hook.Error{Stage: hook.StageKey, Err: &hook.KeyError{Source: hook.FlagSource, Err: &secretkey.FileError{Kind: k}}}
	}
	for _, tt := range []struct {
		err  error
		want int
	}{
		{fe(secretkey.Missing), cli.ExitNoInput},
		{fe(secretkey.Malformed), cli.ExitDataErr},
		{fe(secretkey.UnusableName), cli.ExitDataErr},
		{fe(secretkey.Unreadable), cli.ExitIOErr},
		{fe(secretkey.TooOpen), cli.ExitNoPerm},
		{fe(secretkey.NotAbsolute), cli.ExitNoPerm},
		{fe(secretkey.Symlink), cli.ExitNoPerm},
		{&hook.Error{Stage: hook.StageKey, Err: &hook.KeyError{Err: hook.ErrNoKey}}, cli.ExitConfig},
		{&hook.Error{Stage: hook.StageKey, Err: &hook.KeyError{Source: hook.FlagSource, Err: errors.New("relative path")}}, cli.ExitNoPerm},
		{&hook.Error{Stage: hook.StageKey, Err: errors.New("flox config: bad toml")}, cli.ExitConfig},
		{&hook.Error{Stage: hook.StageConfig, Err: errors.New("x")}, cli.ExitConfig},
		{&hook.Error{Stage: hook.StageOutputs, Err: hook.ErrNotHook}, cli.ExitUsage},
		{&hook.Error{Stage: hook.StageOutputs, Err: fmt.Errorf("DRV_PATH: %w", fs.ErrNotExist)}, cli.ExitNoInput},
		{&hook.Error{Stage: hook.StageOutputs, Err: &drv.SyntaxError{}}, cli.ExitDataErr},
		{&hook.Error{Stage: hook.StageStore, Err: &store.UnavailableError{Err: errors.New("x")}}, cli.ExitUnavailable},
		{&hook.Error{Stage: hook.StageSign, Err: &store.NotValidError{}}, cli.ExitNoInput},
		{&hook.Error{Stage: hook.StageSign, Err: store.ErrNotPrivileged}, cli.ExitUnavailable},
		{&hook.Error{Stage: hook.StagePush, Err: errors.New("disk full")}, cli.ExitUnavailable},
	} {
		if got := codeOf(tt.err); got != tt.want {
			t.Errorf("codeOf(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestMainFlags(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"--help"}, cli.ExitOK, "usage: nixsign-hook [--preflight"},
		{[]string{"--nope"}, cli.ExitUsage, "flag provided but not defined: -nope"},
		{[]string{"extra"}, cli.ExitUsage, `nixsign-hook: error: unexpected argument "extra" (see --help)`},
		{[]string{"--require-trusted"}, cli.ExitUsage, "nixsign-hook: error: --require-trusted needs --preflight (see --help)"},
	} {
		var stdout, stderr bytes.Buffer
		code := Main(append([]string{"nixsign-hook"}, tt.args...), &stdout, &stderr)
		if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) || stdout.Len() != 0 {
			t.Errorf("%q: code %d, stderr %q, stdout %q", tt.args, code, stderr.String(), stdout.String())
		}
	}
}

// With on_error = "warn", Execute prints the failure as a warning and
// returns nil; with the default it returns it, for the caller to print.
func TestExecuteOnError(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	env := config.Env{Home: dir, Vars: map[string]string{
		"NIXSIGN_CONFIG": cfg, "NIXSIGN_SYSTEM_CONFIG": "", "FLOX_CONFIG_DIR": dir, "FLOX_SYSTEM_CONFIG_DIR": "",
		"OUT_PATHS": "/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a",
	}}
	var stdout, stderr bytes.Buffer
	p := Printer{Prog: "nixsign-hook", W: &stderr}
	if err := os.WriteFile(cfg, []byte("on_error = \"warn\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Execute(context.Background(), Params{}, env, &stdout, p); err != nil {
		t.Fatalf("warn: %v", err)
	}
	want := "nixsign-hook: warning: /nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a left unsigned (on_error = \"warn\"): no signing key configured: "
	if !strings.HasPrefix(stderr.String(), want) || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("stderr %q", stderr.String())
	}

	stderr.Reset()
	if err := os.WriteFile(cfg, []byte("on_error = \"fail\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Execute(context.Background(), Params{}, env, &stdout, p)
	if cli.CodeOf(err) != cli.ExitConfig || stderr.Len() != 0 ||
		!strings.HasPrefix(err.Error(), "/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a left unsigned: no signing key configured: ") {
		t.Errorf("fail: %v (code %d), stderr %q", err, cli.CodeOf(err), stderr.String())
	}
}
