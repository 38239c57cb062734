package hookcmd

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/conf/config"
)

func TestNixsignPath(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hook := mk("pkg/bin/nixsign-hook", 0o755)
	nixsign := mk("pkg/bin/nixsign", 0o755)
	lone := mk("lone/nixsign-hook", 0o755)
	mk("noexec/nixsign-hook", 0o755)
	mk("noexec/nixsign", 0o644)
	mk("isdir/nixsign-hook", 0o755)
	if err := os.MkdirAll(filepath.Join(dir, "isdir/nixsign"), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "profile/bin/nixsign-hook")
	os.MkdirAll(filepath.Dir(link), 0o755)
	if err := os.Symlink(hook, link); err != nil {
		t.Fatal(err)
	}
	real := func(p string) string { r, _ := filepath.EvalSymlinks(p); return r }

	exe := func(p string) func() (string, error) { return func() (string, error) { return p, nil } }
	noExe := func() (string, error) { return "", errors.New("no /proc") }
	none := func(where string) string {
		return "nixsign-hook hands push_to over to the nixsign binary installed with it, and there is none " + where + ": install nixsign next to nixsign-hook"
	}
	for _, tt := range []struct {
		name string
		exe  func() (string, error)
		want string
		err  string
	}{
		{"next to it", exe(hook), real(nixsign), ""},
		{"through a symlink", exe(link), real(nixsign), ""},
		{"alone", exe(lone), "", none("in " + filepath.Dir(real(lone)))},
		{"not executable", exe(filepath.Join(dir, "noexec/nixsign-hook")), "", none("in " + filepath.Join(real(dir), "noexec"))},
		{"a directory", exe(filepath.Join(dir, "isdir/nixsign-hook")), "", none("in " + filepath.Join(real(dir), "isdir"))},
		{"no executable", noExe, "", none("next to nixsign-hook")},
		{"broken executable", exe(filepath.Join(dir, "gone/nixsign-hook")), "", none("next to nixsign-hook")},
	} {
		got, err := nixsignPath(tt.exe)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("%s: %q, %v; want %q, %q", tt.name, got, err, tt.want, tt.err)
		}
	}
}

// Execute hands the run over, with push_to, when Main set it to; the
// failure to hand over then fails the push (here the key fails first).
func TestExecuteHandOff(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	env := config.Env{Home: dir, Vars: map[string]string{
		"NIXSIGN_CONFIG": cfg, "NIXSIGN_SYSTEM_CONFIG": "", "FLOX_CONFIG_DIR": dir, "FLOX_SYSTEM_CONFIG_DIR": "",
		"OUT_PATHS": "/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a",
	}}
	var stdout, stderr bytes.Buffer
	p := diag.Printer{Prog: "nixsign-hook", W: &stderr}
	var calls []string
	params := Params{handOff: func(c *config.Config) error {
		calls = append(calls, c.PushTo)
		return errors.New("no nixsign")
	}}
	for _, text := range []string{"on_error = \"warn\"\n", "on_error = \"warn\"\npush_to = \"file:///tmp/c\"\n"} {
		if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := Execute(context.Background(), params, env, &stdout, p); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
	}
	if !slices.Equal(calls, []string{"file:///tmp/c"}) || !strings.Contains(stderr.String(), "no signing key configured") {
		t.Errorf("hand-off calls %q, stderr %q", calls, stderr.String())
	}
}
