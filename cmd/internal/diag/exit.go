// Package diag holds what every nixsign binary shares without depending on
// a command-line library: the exit codes, the one output style for
// diagnostics and the version. nixsign-hook, which Nix runs after every
// build, links only this.
package diag

import (
	"errors"
	"fmt"
	"io/fs"
)

// Exit codes. They are stable: scripts and the README rely on them, and a
// test checks that the README's table lists each of them, with its number,
// and nothing else. Codes 1, 2 and 4 are Nix's own for `nix store verify`
// and are ORed together by `nixsign verify` exactly as Nix does.
const (
	ExitOK          = 0  // success
	ExitFailure     = 1  // a failure with no more specific code; verify: a path is corrupted
	ExitUntrusted   = 2  // verify: a path lacks enough valid trusted signatures
	ExitFailed      = 4  // verify: a path could not be checked
	ExitNotTrusted  = 10 // trust check: no configuration the daemon reads trusts the key
	ExitUserOnly    = 11 // trust check: only the user's config trusts the key, and the daemon ignores it
	ExitShadowed    = 12 // trust check: another key with the same name comes first and wins
	ExitRestart     = 13 // trust check: the daemon started before its config last changed
	ExitDisagree    = 14 // trust check: `nix` reports a different effective config than nixsign computes
	ExitCacheUnused = 15 // trust check --cache: the cache is not a substituter this user may use
	ExitUsage       = 64 // bad command line
	ExitDataErr     = 65 // malformed input: a key, narinfo, NAR, .drv or signature that does not parse
	ExitNoInput     = 66 // a named file or store path does not exist
	ExitUnavailable = 69 // the store (daemon, cache) cannot be reached or refused the operation
	ExitCantCreate  = 73 // an output file exists (use --force) or cannot be created
	ExitIOErr       = 74 // reading or writing failed
	ExitNoPerm      = 77 // a key file breaks the policy (path, type, mode, owner) or a permission is missing
	ExitConfig      = 78 // a configuration file (nixsign, flox, nix.conf) is malformed or lacks a setting the work needs
)

// Error carries an exit code with the error to print.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// ExitCode reports the code the process exits with.
func (e *Error) ExitCode() int { return e.Code }

// Wrap attaches an exit code to err; a nil err stays nil.
func Wrap(code int, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// Silent is an error with a code whose message has already been printed.
type Silent struct{ Code int }

func (s Silent) Error() string { return "" }

// ExitCode reports the code the process exits with.
func (s Silent) ExitCode() int { return s.Code }

// CodeOf returns the exit code for err: the code it carries, else one
// derived from well-known errors, else ExitFailure.
func CodeOf(err error) int {
	if err == nil {
		return ExitOK
	}
	var c interface{ ExitCode() int }
	if errors.As(err, &c) {
		return c.ExitCode()
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ExitNoInput
	case errors.Is(err, fs.ErrPermission):
		return ExitNoPerm
	case errors.Is(err, fs.ErrExist):
		return ExitCantCreate
	}
	return ExitFailure
}

// Usagef returns a usage error (ExitUsage) that points at --help.
func Usagef(format string, args ...any) error {
	return &Error{Code: ExitUsage, Err: fmt.Errorf(format+" (see --help)", args...)}
}
