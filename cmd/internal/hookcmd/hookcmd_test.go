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

	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/conf/config"
	"github.com/nixsign/nixsign/hook"
	"github.com/nixsign/nixsign/nix/drv"
	"github.com/nixsign/nixsign/nix/store"
	"github.com/nixsign/nixsign/sign/secretkey"
)

func TestCodeOf(t *testing.T) {
	fe := func(k secretkey.Kind) error {
		return &hook.Error{Stage: hook.StageKey, Err: &hook.KeyError{Source: hook.FlagSource, Err: &secretkey.FileError{Kind: k}}}
	}
	for _, tt := range []struct {
		err  error
		want int
	}{
		{fe(secretkey.Missing), diag.ExitNoInput},
		{fe(secretkey.Malformed), diag.ExitDataErr},
		{fe(secretkey.UnusableName), diag.ExitDataErr},
		{fe(secretkey.Unreadable), diag.ExitIOErr},
		{fe(secretkey.TooOpen), diag.ExitNoPerm},
		{fe(secretkey.NotAbsolute), diag.ExitNoPerm},
		{fe(secretkey.Symlink), diag.ExitNoPerm},
		{&hook.Error{Stage: hook.StageKey, Err: &hook.KeyError{Err: hook.ErrNoKey}}, diag.ExitConfig},
		{&hook.Error{Stage: hook.StageKey, Err: &hook.KeyError{Source: hook.FlagSource, Err: errors.New("relative path")}}, diag.ExitNoPerm},
		{&hook.Error{Stage: hook.StageKey, Err: errors.New("flox config: bad toml")}, diag.ExitConfig},
		{&hook.Error{Stage: hook.StageConfig, Err: errors.New("x")}, diag.ExitConfig},
		{&hook.Error{Stage: hook.StageOutputs, Err: hook.ErrNotHook}, diag.ExitUsage},
		{&hook.Error{Stage: hook.StageOutputs, Err: fmt.Errorf("DRV_PATH: %w", fs.ErrNotExist)}, diag.ExitNoInput},
		{&hook.Error{Stage: hook.StageOutputs, Err: &drv.SyntaxError{}}, diag.ExitDataErr},
		{&hook.Error{Stage: hook.StageOutputs, Err: fmt.Errorf("x: %w", hook.ErrUnknownOutputs)}, diag.ExitConfig},
		// A store that cannot tell, and nix-store that is not there: the
		// unknown outputs decide.
		{&hook.Error{Stage: hook.StageOutputs, Err: fmt.Errorf("%w: %w", fmt.Errorf("nix-store: %w", fs.ErrNotExist), hook.ErrUnknownOutputs)}, diag.ExitConfig},
		{&hook.Error{Stage: hook.StageStore, Err: &store.UnavailableError{Err: errors.New("x")}}, diag.ExitUnavailable},
		{&hook.Error{Stage: hook.StageSign, Err: &store.NotValidError{}}, diag.ExitNoInput},
		{&hook.Error{Stage: hook.StageSign, Err: store.ErrNotPrivileged}, diag.ExitUnavailable},
		{&hook.Error{Stage: hook.StagePush, Err: errors.New("disk full")}, diag.ExitUnavailable},
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
		{[]string{"--help"}, diag.ExitOK, "usage: nixsign-hook [--preflight"},
		{[]string{"--nope"}, diag.ExitUsage, "flag provided but not defined: -nope"},
		{[]string{"extra"}, diag.ExitUsage, `nixsign-hook: error: unexpected argument "extra" (see --help)`},
		{[]string{"--require-trusted"}, diag.ExitUsage, "nixsign-hook: error: --require-trusted needs --preflight (see --help)"},
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
	p := diag.Printer{Prog: "nixsign-hook", W: &stderr}
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
	if diag.CodeOf(err) != diag.ExitConfig || stderr.Len() != 0 ||
		!strings.HasPrefix(err.Error(), "/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a left unsigned: no signing key configured: ") {
		t.Errorf("fail: %v (code %d), stderr %q", err, diag.CodeOf(err), stderr.String())
	}
}
