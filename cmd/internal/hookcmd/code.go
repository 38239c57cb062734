package hookcmd

import (
	"errors"
	"io/fs"

	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/cmd/internal/keycode"
	"github.com/nixsign/nixsign/hook"
	"github.com/nixsign/nixsign/nix/drv"
	"github.com/nixsign/nixsign/nix/store"
	"github.com/nixsign/nixsign/sign/secretkey"
)

// codeOf maps a hook failure to its exit code: a key file's problem by its
// kind, as the `nixsign key` commands do, anything else by the step that
// failed.
func codeOf(err error) int {
	var fe *secretkey.FileError
	if errors.As(err, &fe) {
		return keycode.Of(fe.Kind)
	}
	var he *hook.Error
	if !errors.As(err, &he) {
		return diag.ExitFailure
	}
	var se *drv.SyntaxError
	var nv *store.NotValidError
	switch he.Stage {
	case hook.StageOutputs:
		switch {
		case errors.Is(err, hook.ErrNotHook):
			return diag.ExitUsage
		case errors.Is(err, hook.ErrUnknownOutputs):
			// The store lacks the outputs' realisations (a daemon, local
			// or ssh-ng store without ca-derivations, or with no
			// realisation of them), or cannot tell them at all: the fix is
			// in a configuration.
			return diag.ExitConfig
		case errors.Is(err, fs.ErrNotExist):
			return diag.ExitNoInput
		case errors.Is(err, fs.ErrPermission):
			return diag.ExitNoPerm
		case errors.As(err, &se):
			return diag.ExitDataErr
		}
		return diag.ExitDataErr
	case hook.StageConfig:
		return diag.ExitConfig
	case hook.StageKey:
		var ke *hook.KeyError
		if errors.As(err, &ke) && !errors.Is(err, hook.ErrNoKey) {
			return diag.ExitNoPerm // a relative path or "~" in flox's config
		}
		return diag.ExitConfig
	case hook.StageSign:
		if errors.As(err, &nv) {
			return diag.ExitNoInput
		}
	}
	return diag.ExitUnavailable
}
