package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"lines": cmdLines,
			"exits": cmdExits,
		},
	})
}

// cmdExits runs a program as exec does and checks its exit code:
// "exits N prog [args...]". The program's stdout and stderr are then those
// of the last command, for stdout, stderr and lines to check.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exits (give the code: exits N)")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits N prog [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil || want < 0 || want > 255 {
		ts.Fatalf("exits: bad exit code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() < 0 {
			ts.Fatalf("exits: %s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with code %d, want %d", args[1], got, want)
	}
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
//	mount     the stories can mount a tmpfs (root, and not in a container
//	          that forbids it)
func condition(cond string) (bool, error) {
	switch cond {
	case "nixstore":
		if _, err := exec.LookPath("nix-store"); err != nil {
			return false, nil
		}
		return os.Geteuid() == 0, nil
	case "root":
		return os.Geteuid() == 0, nil
	case "mount":
		canMountOnce.Do(func() { canMount = tryMount() })
		return canMount, nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}

var (
	canMountOnce sync.Once
	canMount     bool
)

// tryMount reports whether a tmpfs can be mounted here, and unmounted, with
// the mount and umount commands the stories use. Being root is not enough:
// an unprivileged container's root may not mount.
func tryMount() bool {
	if os.Geteuid() != 0 {
		return false
	}
	if _, err := exec.LookPath("mount"); err != nil {
		return false
	}
	if _, err := exec.LookPath("umount"); err != nil {
		return false
	}
	dir, err := os.MkdirTemp("", "nixsign-mount-")
	if err != nil {
		return false
	}
	defer os.Remove(dir)
	if exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).Run() != nil {
		return false
	}
	if exec.Command("umount", dir).Run() != nil {
		exec.Command("umount", "-l", dir).Run()
		return false
	}
	return true
}
