package hook

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/nixsign/nixsign/conf/config"
	"github.com/nixsign/nixsign/nix/store"
)

// Stage is the step of the hook that failed.
type Stage int

// The steps of the hook, in order.
const (
	StageOutputs Stage = iota + 1 // finding what was built (DRV_PATH, OUT_PATHS, the .drv)
	StageConfig                   // reading nixsign's config
	StageKey                      // resolving and checking the key
	StageStore                    // opening the store
	StageSign                     // signing in the store
	StagePush                     // copying to push_to
)

var stageNames = [...]string{"", "outputs", "config", "key", "store", "sign", "push"}

func (s Stage) String() string {
	if s > 0 && int(s) < len(stageNames) {
		return stageNames[s]
	}
	return fmt.Sprintf("Stage(%d)", int(s))
}

// Error is a run of the hook that left paths unsigned or not pushed. It
// prints as one line: the paths, then the cause, which names where the
// failing setting came from and what to do.
type Error struct {
	Stage    Stage
	Unsigned []string // paths left without the key's signature
	Unpushed []string // signed paths not copied to push_to
	// Drv and Outputs name the outputs left unsigned whose paths were not
	// known yet: those of a floating content-addressed derivation, before
	// the store was asked. They print as "DRV (outputs dev, out)".
	Drv     string
	Outputs []string
	Err     error
}

// maxListed bounds how many paths one message lists.
const maxListed = 4

func (e *Error) Error() string { return e.message("") }

func (e *Error) Unwrap() error { return e.Err }

// Warning is the message when on_error = "warn" lets the build go on.
func (e *Error) Warning() string { return e.message(` (on_error = "warn")`) }

func (e *Error) message(note string) string {
	unsigned := e.Unsigned
	if len(e.Outputs) > 0 {
		what := " (output "
		if len(e.Outputs) > 1 {
			what = " (outputs "
		}
		unsigned = append(slices.Clip(unsigned), e.Drv+what+strings.Join(e.Outputs, ", ")+")")
	}
	switch {
	case len(unsigned) > 0:
		return listPaths(unsigned) + " left unsigned" + note + ": " + e.Err.Error()
	case len(e.Unpushed) > 0:
		return listPaths(e.Unpushed) + " signed but not pushed" + note + ": " + e.Err.Error()
	}
	if note != "" {
		return e.Err.Error() + note
	}
	return e.Err.Error()
}

func listPaths(paths []string) string {
	if len(paths) <= maxListed {
		return strings.Join(paths, ", ")
	}
	return fmt.Sprintf("%s and %d more paths", strings.Join(paths[:maxListed-1], ", "), len(paths)-maxListed+1)
}

// storeFix adds to a store error what to do about it. name is the store
// that was opened, "" when none was.
func storeFix(cfg *config.Config, name string, err error) error {
	setting := storeSetting(cfg)
	var ue *store.UnavailableError
	var nv *store.NotValidError
	switch {
	case errors.Is(err, store.ErrNotPrivileged):
		return fmt.Errorf("%w: the daemon lets only trusted users add signatures; add this user (uid %d) to trusted-users in the daemon's nix.conf, or set post-build-hook in the daemon's nix.conf so that the daemon runs the hook as root", err, os.Geteuid())
	case errors.Is(err, store.ErrReadOnly):
		return fmt.Errorf("store %s cannot record signatures (%s): start nix-daemon, or run the hook as the store's owner, or set push_to to publish signed paths to a binary cache", name, setting)
	case errors.As(err, &ue) && ue.Store == "daemon":
		return fmt.Errorf("%w (%s): start nix-daemon, or set store = \"local\" in nixsign's config when the hook runs as the store's owner", err, setting)
	case errors.As(err, &ue):
		return fmt.Errorf("%w (%s)", err, setting)
	case errors.As(err, &nv):
		return fmt.Errorf("%w: is %s the store Nix built in?", err, setting)
	}
	return err
}
