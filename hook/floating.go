package hook

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/nixsign/nixsign/conf/config"
	"github.com/nixsign/nixsign/nix/store"
	"github.com/nixsign/nixsign/nix/storepath"
)

// ErrUnknownOutputs is wrapped by the error of a run whose store does not
// know the path of an output that the .drv does not hold (a floating
// content-addressed derivation's, typically): a daemon whose configuration
// lacks the experimental feature ca-derivations, a store with no
// realisation of the output, or a store that cannot tell at all (files, a
// file:// binary cache, a daemon older than Nix 2.4), when `nix-store
// --query --outputs` cannot either. The error says which output, or why the
// store cannot tell, and the fix for the store in use.
var ErrUnknownOutputs = errors.New("the store does not know the output's path")

// unknownOutputError is an output the store gave no path for.
type unknownOutputError struct {
	output string
	msg    string
}

func (e *unknownOutputError) Error() string        { return fmt.Sprintf("output %q: %s", e.output, e.msg) }
func (e *unknownOutputError) Is(target error) bool { return target == ErrUnknownOutputs }

// cannotTellError is err, from a store that cannot tell a derivation's
// outputs and the fallback query that failed too, as an ErrUnknownOutputs.
type cannotTellError struct{ err error }

func (e *cannotTellError) Error() string        { return e.err.Error() }
func (e *cannotTellError) Unwrap() error        { return e.err }
func (e *cannotTellError) Is(target error) bool { return target == ErrUnknownOutputs }

// resolveFloating finds the paths of the outputs the .drv lacks, once the
// key has passed and the store is open: it asks that store, over the same
// connection (store.DerivationOutputs), and only a store that cannot say
// (files, a binary cache, a daemon older than Nix 2.4) makes it run query
// (`nix-store --query --outputs`) instead; when that fails too (as Nix
// 2.8.0's does for a floating content-addressed output), the error wraps
// ErrUnknownOutputs and says what to do for that store. A build with every
// output path in its .drv never comes here.
func (r *run) resolveFloating(ctx context.Context, floating []floatingOutput, query QueryOutputs) error {
	outs := r.res.Outputs
	fail := func(stage Stage, err error) error {
		return &Error{Stage: stage, Unsigned: outs.Paths, Drv: outs.Drv, Outputs: outputList(floating), Err: err}
	}
	m, err := store.DerivationOutputs(ctx, r.store, outs.Drv)
	if errors.Is(err, errors.ErrUnsupported) {
		paths, qerr := queryOutputs(ctx, query, outs.Drv, r.dir)
		if qerr != nil {
			return fail(StageOutputs, &cannotTellError{fmt.Errorf("%w; and %v: %s", qerr, err, cannotTellFix(r.store))})
		}
		outs.Paths = sortedSet(append(outs.Paths, paths...))
		return nil
	}
	if err != nil {
		return fail(StageStore, storeFix(r.cfg, r.res.Store, fmt.Errorf("asking for the outputs: %w", err)))
	}
	paths := outs.Paths
	for _, f := range floating {
		p, ok := m[f.output]
		if p == "" {
			return fail(StageOutputs, &unknownOutputError{f.output, unknownOutputFix(r.store.String(), r.cfg, f, ok)})
		}
		sp, err := storepath.Parse(r.dir, p)
		if err == nil && sp.Name != f.pathName {
			err = fmt.Errorf("%s is not named %s", p, f.pathName)
		}
		if err != nil {
			return fail(StageStore, fmt.Errorf("the %s store gives output %q a wrong path: %v", r.store, f.output, err))
		}
		paths = append(paths, sp.Abs(r.dir))
	}
	outs.Paths = sortedSet(paths)
	return nil
}

// unknownOutputFix says why the store named storeName gave no path for the
// output f, and what to do. listed tells whether the store's answer listed
// the output at all: Nix 2.8.0's daemon lists every output of a floating
// content-addressed derivation (without a path until it is built) when its
// configuration has ca-derivations, and none without it.
func unknownOutputFix(storeName string, cfg *config.Config, f floatingOutput, listed bool) string {
	if listed {
		return fmt.Sprintf("the %s store has no record of its path (no realisation of this %s derivation's output): is %s the store Nix built in?",
			storeName, f.kind, storeSetting(cfg))
	}
	what := "the outputs of this " + f.kind.String() + " derivation"
	switch {
	case storeName == "daemon":
		return "the daemon does not know " + what +
			": enable ca-derivations in the experimental-features of the nix.conf the daemon reads, and restart it" +
			" (or, when the hook runs as the store's owner, set store = \"local\" in nixsign's config; now " + storeSetting(cfg) + ")"
	case storeName == "local":
		return "nix-daemon --stdio (store \"local\") does not know " + what +
			": it inherits the hook's environment: enable ca-derivations in the experimental-features of NIX_CONFIG or of the nix.conf it reads"
	case strings.HasPrefix(storeName, "ssh-ng://"):
		return "the nix-daemon of " + storeName + " does not know " + what +
			": enable ca-derivations in the experimental-features of the nix.conf it reads on that machine"
	}
	return "the " + storeName + " store does not know " + what + ": enable ca-derivations in the experimental-features of its Nix"
}

// cannotTellFix says what to do when the store s cannot tell a
// derivation's outputs (store.DerivationOutputs failed with
// errors.ErrUnsupported). A store that speaks the worker protocol can only
// be a daemon older than Nix 2.4 (protocol 1.22), which has no
// QueryDerivationOutputMap; the others (files, a file:// binary cache)
// never can.
func cannotTellFix(s store.Store) string {
	if _, ok := s.(store.DerivationOutputser); ok {
		return fmt.Sprintf("upgrade the nix-daemon of the %s store to Nix 2.4 or later, with ca-derivations in its experimental-features", s)
	}
	return `sign in a store that can tell (store = "daemon" or "local" in nixsign's config)`
}

// storeSetting names where the store setting came from.
func storeSetting(cfg *config.Config) string {
	if src, ok := cfg.Source(config.Store); ok {
		return src.String()
	}
	return `store = "` + cfg.Store + `" (the default)`
}

// outputList returns the names of the outputs.
func outputList(floating []floatingOutput) []string {
	names := make([]string, len(floating))
	for i, f := range floating {
		names[i] = f.output
	}
	return names
}

// nixStoreOutputs asks `nix-store --query --outputs` for a derivation's
// outputs; the hook runs it only for outputs whose path the .drv lacks, when
// the store it signs in cannot say. Nix 2.8.0's refuses floating
// content-addressed outputs ("Cannot use output path of floating
// content-addressed derivation until we know what it is"): it reads no
// realisations.
func nixStoreOutputs(ctx context.Context, drvPath string) ([]string, error) {
	out, err := exec.CommandContext(ctx, "nix-store", "--query", "--outputs", drvPath).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
			return nil, fmt.Errorf("nix-store --query --outputs: %s", strings.TrimSpace(string(ee.Stderr)))
		}
		return nil, fmt.Errorf("nix-store --query --outputs: %w", err)
	}
	return strings.Fields(string(out)), nil
}
