package hookcmd

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/nixsign/nixsign/conf/config"
)

// nixsign-hook links no compressor (it does not import nix/cache/codecs),
// which would cost it most of a millisecond of start-up after every build.
// With push_to, the one setting that needs one, it hands the whole run over
// to `nixsign hook` before it opens the store: hook.Options.HandOff is
// execNixsign, set by Main only, so that `nixsign hook` never hands over
// again. The nixsign it runs is the one installed with it, never one found
// on PATH: the daemon runs the hook as root, and a nixsign of another
// version (or none at all) would not apply this run's on_error.

// execNixsign returns the hook.Options.HandOff of nixsign-hook run with
// args (after the program name): it replaces the process with
// `nixsign hook args...`, with the same environment, and returns only
// when it could not.
func execNixsign(args []string) func(*config.Config) error {
	return func(*config.Config) error {
		path, err := nixsignPath(os.Executable)
		if err != nil {
			return err
		}
		argv := append([]string{path, "hook"}, args...)
		err = syscall.Exec(path, argv, os.Environ())
		return fmt.Errorf("cannot hand push_to over to %s hook: %v", path, err)
	}
}

// nixsignPath returns the nixsign binary that nixsign-hook hands push_to
// over to: nixsign in the directory of the running executable (exe), with
// symlinks resolved, so that a link to nixsign-hook (a profile's, or
// /usr/local/bin's) finds the nixsign installed with it. The error names
// where it looked and the fix.
func nixsignPath(exe func() (string, error)) (string, error) {
	where := "next to nixsign-hook"
	if self, err := exe(); err == nil {
		if self, err = filepath.EvalSymlinks(self); err == nil {
			dir := filepath.Dir(self)
			where = "in " + dir
			if p := filepath.Join(dir, "nixsign"); isExecutable(p) {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("nixsign-hook hands push_to over to the nixsign binary installed with it, and there is none %s: install nixsign next to nixsign-hook", where)
}

// isExecutable reports whether name is a file anyone may execute, as
// exec.LookPath checks.
func isExecutable(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.Mode()&fs.ModeType == 0 && fi.Mode()&0o111 != 0
}
