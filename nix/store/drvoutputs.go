package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nixsign/nixsign/nix/daemon"
)

// DerivationOutputser is implemented by stores that can say at which paths
// a derivation's outputs were built: the stores that speak the worker
// protocol (daemon, unix://, local, ssh-ng), with its QueryDerivationOutputMap.
// It is the one way to find the outputs of a floating content-addressed
// derivation, whose .drv holds no output paths: only the store's
// realisations do, and Nix 2.8.0's `nix-store --query --outputs` does not
// read those.
//
// The files store cannot answer (it has no database), nor can a file://
// binary cache (Nix keeps a cache's realisations in realisations/*.doi
// files, which nixsign does not read).
type DerivationOutputser interface {
	// DerivationOutputs returns the path of each output of the derivation
	// drvPath (an absolute .drv path), by output name, "" for an output
	// whose path the store does not know. A .drv the store does not hold
	// gives a *NotValidError; a store that cannot answer (a daemon older
	// than Nix 2.4), an error wrapping errors.ErrUnsupported.
	//
	// Nix 2.8.0's daemon knows the outputs of an input-addressed or
	// fixed-output derivation, and those of a floating content-addressed
	// one only when its own configuration enables the experimental feature
	// ca-derivations: without it, the map of such a derivation is empty,
	// even once built.
	DerivationOutputs(ctx context.Context, drvPath string) (map[string]string, error)
}

// DerivationOutputs returns s.DerivationOutputs(ctx, drvPath) when s is a
// DerivationOutputser, and otherwise an error wrapping
// errors.ErrUnsupported.
func DerivationOutputs(ctx context.Context, s Store, drvPath string) (map[string]string, error) {
	if d, ok := s.(DerivationOutputser); ok {
		return d.DerivationOutputs(ctx, drvPath)
	}
	return nil, fmt.Errorf("the %s store cannot tell a derivation's outputs: %w", s, errors.ErrUnsupported)
}

// DerivationOutputs asks the daemon (see DerivationOutputser).
func (s *daemonStore) DerivationOutputs(ctx context.Context, drvPath string) (map[string]string, error) {
	m, err := s.c.QueryDerivationOutputMap(ctx, drvPath)
	if err == nil {
		return m, nil
	}
	if errors.Is(err, errors.ErrUnsupported) {
		return nil, err // nothing was sent: the connection is fine
	}
	var re *daemon.RemoteError
	if errors.As(err, &re) && notValidError(re, drvPath) {
		return nil, &NotValidError{Path: drvPath, Store: s.name}
	}
	return nil, s.wrap(err)
}

// notValidError reports whether re is Nix's InvalidPath error for path
// itself, as Nix 2.8.0's daemon words it: "path '/nix/store/…-x.drv' is not
// valid" (the path highlighted, which RemoteError.Error strips). With
// ca-derivations, the daemon reads the input derivations too: the same
// error about one of those is not about path, and stays the daemon's.
func notValidError(re *daemon.RemoteError, path string) bool {
	return strings.TrimPrefix(re.Error(), "nix-daemon: ") == "path '"+path+"' is not valid"
}
