package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/cmd/internal/checkcmd"
	"github.com/nixsign/nixsign/cmd/internal/hookcmd"
	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("u", false, "update testscript golden files in place")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"nixsign":       func() { os.Exit(run(os.Args, os.Stdout, os.Stderr)) },
		"nixsign-check": func() { os.Exit(checkcmd.Main(os.Args, os.Stdout, os.Stderr)) },
		"nixsign-hook":  func() { os.Exit(hookcmd.Main(os.Args, os.Stdout, os.Stderr)) },
	})
}

// TestScript runs the user stories in testdata/script. Stories that need
// real Nix start with [!exec:nix] skip; those that also write to the real
// /nix/store add [!nixstore] skip.
func TestScript(t *testing.T) {
	vectors, err := filepath.Abs("../../testdata/vectors")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			return hermetic(env, vectors)
		},
		Condition: condition,
		Cmds:      map[string]func(ts *testscript.TestScript, neg bool, args []string){"lines": cmdLines},
	})
}

// cmdLines checks how many lines the last command wrote:
// "lines stdout|stderr N". Diagnostics are one line each, so a story can
// prove that an error took exactly one.
func cmdLines(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || (args[0] != "stdout" && args[0] != "stderr") {
		ts.Fatalf("usage: lines stdout|stderr N")
	}
	want, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("lines: %v", err)
	}
	got := strings.Count(ts.ReadFile(args[0]), "\n")
	if (got == want) == neg {
		ts.Fatalf("%s has %d lines, want %s%d", args[0], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// hermetic points every variable nixsign and Nix read into $WORK, so that no
// story reads or writes the real machine's configuration.
func hermetic(env *testscript.Env, vectors string) error {
	w := env.WorkDir
	home := filepath.Join(w, "home")
	vars := map[string]string{
		"HOME":                   home,
		"USER":                   currentUser(),
		"XDG_CONFIG_HOME":        filepath.Join(home, ".config"),
		"XDG_CONFIG_DIRS":        filepath.Join(w, "etc", "xdg"),
		"XDG_DATA_HOME":          filepath.Join(home, ".local", "share"),
		"XDG_STATE_HOME":         filepath.Join(home, ".local", "state"),
		"XDG_CACHE_HOME":         filepath.Join(home, ".cache"),
		"NIX_CONF_DIR":           filepath.Join(w, "etc", "nix"),
		"NIX_USER_CONF_FILES":    filepath.Join(home, ".config", "nix", "nix.conf"),
		"FLOX_CONFIG_DIR":        filepath.Join(home, ".config", "flox"),
		"FLOX_SYSTEM_CONFIG_DIR": filepath.Join(w, "etc"),
		"NIXSIGN_CONFIG":         filepath.Join(home, ".config", "nixsign", "config.toml"),
		"NIXSIGN_SYSTEM_CONFIG":  filepath.Join(w, "etc", "nixsign", "config.toml"),
		"NIX_CONFIG":             "experimental-features = nix-command flakes\nsandbox = false\nsubstituters =",
		"VECTORS":                vectors,
	}
	for k, v := range vars {
		env.Setenv(k, v)
	}
	for _, d := range []string{home, filepath.Join(w, "etc", "nix")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	return nil
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "root"
}

// condition answers the custom conditions of the stories:
//
//	nixstore  real Nix can write to /nix/store here (as root in CI)
//	root      the stories run as root
func condition(cond string) (bool, error) {
	switch cond {
	case "nixstore":
		if _, err := exec.LookPath("nix-store"); err != nil {
			return false, nil
		}
		return os.Geteuid() == 0, nil
	case "root":
		return os.Geteuid() == 0, nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}
