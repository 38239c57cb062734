package hookcmd

import (
	"errors"
	"io/fs"

	"github.com/nixsign/nixsign/hook"
	"github.com/nixsign/nixsign/nix/drv"
	"github.com/nixsign/nixsign/nix/store"
	"github.com/nixsign/nixsign/sign/secretkey"
)

// The exit codes of cmd/internal/cli that the hook uses. They are copied
// here because package cli imports urfave/cli, whose initialisation alone
// costs the hook, which blocks Nix's build loop, about 1 ms; a test checks
// that each equals cli's.
const (
	exitOK          = 0  // cli.ExitOK
	exitFailure     = 1  // cli.ExitFailure
	exitNotTrusted  = 10 // cli.ExitNotTrusted
	exitUserOnly    = 11 // cli.ExitUserOnly
	exitShadowed    = 12 // cli.ExitShadowed
	exitRestart     = 13 // cli.ExitRestart
	exitUsage       = 64 // cli.ExitUsage
	exitDataErr     = 65 // cli.ExitDataErr
	exitNoInput     = 66 // cli.ExitNoInput
	exitUnavailable = 69 // cli.ExitUnavailable
	exitIOErr       = 74 // cli.ExitIOErr
	exitNoPerm      = 77 // cli.ExitNoPerm
	exitConfig      = 78 // cli.ExitConfig
)

// codeError is an error with its exit code; cli.CodeOf reads the code
// through the ExitCode method.
type codeError struct {
	code int
	err  error
}

func (e *codeError) Error() string { return e.err.Error() }
func (e *codeError) Unwrap() error { return e.err }
func (e *codeError) ExitCode() int { return e.code }

func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &codeError{code, err}
}

// exitCode returns the code err carries (see codeError), exitFailure for
// any other error, exitOK for nil.
func exitCode(err error) int {
	var c interface{ ExitCode() int }
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &c):
		return c.ExitCode()
	}
	return exitFailure
}

// codeOf maps a hook failure to its exit code: a key file's problem by its
// kind, as the `nixsign key` commands do, anything else by the step that
// failed.
func codeOf(err error) int {
	var fe *secretkey.FileError
	if errors.As(err, &fe) {
		switch fe.Kind {
		case secretkey.Missing:
			return exitNoInput
		case secretkey.Malformed, secretkey.UnusableName:
			return exitDataErr
		case secretkey.Unreadable:
			return exitIOErr
		}
		return exitNoPerm
	}
	var he *hook.Error
	if !errors.As(err, &he) {
		return exitFailure
	}
	var se *drv.SyntaxError
	var nv *store.NotValidError
	switch he.Stage {
	case hook.StageOutputs:
		switch {
		case errors.Is(err, hook.ErrNotHook):
			return exitUsage
		case errors.Is(err, fs.ErrNotExist):
			return exitNoInput
		case errors.Is(err, fs.ErrPermission):
			return exitNoPerm
		case errors.As(err, &se):
			return exitDataErr
		}
		return exitDataErr
	case hook.StageConfig:
		return exitConfig
	case hook.StageKey:
		var ke *hook.KeyError
		if errors.As(err, &ke) && !errors.Is(err, hook.ErrNoKey) {
			return exitNoPerm // a relative path or "~" in flox's config
		}
		return exitConfig
	case hook.StageSign:
		if errors.As(err, &nv) {
			return exitNoInput
		}
	}
	return exitUnavailable
}
