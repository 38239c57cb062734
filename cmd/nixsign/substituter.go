package main

// The stores of verify -s/--substituter.

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/nix/store"
	ucli "github.com/urfave/cli/v2"
)

// openSubstituters opens the stores of -s, once each and read-only, with
// the store dir of the store verified. As with Nix, a spec that names no
// store, or a store that cannot be used, is an error before anything is
// verified: a usage error (64) for a spec nixsign cannot parse or will not
// use (the files store, which holds no signatures), else the store is
// unavailable (69). The parameters of a spec that only matter to Nix's
// substitution (see substituterSpec) are dropped. Two cases go on without
// the store, with a warning, since Nix finds nothing in them either: a
// daemon or ssh-ng store that cannot be reached (Nix opens it on first use
// and prints its error for each path), and a file:// cache directory that
// does not exist (Nix creates it, empty; nixsign does not write to a
// substituter). On error, the stores opened so far are returned too, for
// the caller to close.
func openSubstituters(c *ucli.Context, dir string) ([]store.Store, error) {
	list, _ := c.Generic("substituter").(*stringList)
	if list == nil {
		return nil, nil
	}
	p := printer(c)
	var subs []store.Store
	for _, given := range *list {
		spec, err := substituterSpec(given)
		if err != nil {
			return subs, diag.Usagef("verify: --substituter: %v", err)
		}
		s, err := store.Open(c.Context, spec, &store.Options{StoreDir: dir, NoFilesFallback: true})
		var ue *store.UnavailableError
		file, isFile := strings.CutPrefix(spec, "file://")
		switch {
		case err == nil:
			if c.Bool("verbose") {
				p.Infof("substituter: using %s", s)
			}
			subs = append(subs, s)
		case errors.Is(err, store.ErrUnknownStore),
			isFile && (!strings.HasPrefix(file, "/") || strings.ContainsAny(file, "?#")):
			return subs, diag.Usagef("verify: --substituter: %v", err)
		case isFile && errors.Is(err, fs.ErrNotExist):
			p.Warnf("substituter %s: no such directory, so it holds no path (Nix would create it empty)", spec)
		case errors.As(err, &ue):
			p.Warnf("substituter %s: %v; like Nix, verify goes on without its signatures", spec, err)
		default:
			// The cache's errors name it: say it once.
			msg := strings.TrimPrefix(err.Error(), "binary cache "+spec+": ")
			return subs, diag.Wrap(diag.ExitUnavailable, fmt.Errorf("verify: --substituter %s: %s", spec, msg))
		}
	}
	return subs, nil
}

// ignoredParams are the store URL parameters that -s drops. Nix's
// substituters setting holds specs such as "file:///c?trusted=1&priority=10",
// which users copy, and nix store verify -s takes them; they only steer
// substitution (whether the store's paths need signatures, the order stores
// are tried in, whether to ask it for many paths at once), and none changes
// which signatures the store holds or how they are checked.
var ignoredParams = []string{"trusted", "priority", "want-mass-query"}

// substituterSpec returns the store spec of -s given, without its
// ignoredParams. It refuses, saying why, the files store, which holds no
// signatures (it makes each path's record from its files, re-hashing them),
// and any other parameter but an ssh-ng store's (for store.Open to take or
// refuse): those of a file:// cache, say, are about writing to it.
func substituterSpec(given string) (string, error) {
	if given == "files" || strings.HasPrefix(given, "files?") {
		return "", fmt.Errorf("%q holds no signatures (it reads the store's files and would re-hash every path): give a store that records them, such as daemon or file:///DIR", given)
	}
	base, query, ok := strings.Cut(given, "?")
	if !ok {
		return given, nil
	}
	var kept []string
	for _, kv := range strings.Split(query, "&") {
		name, _, _ := strings.Cut(kv, "=")
		if kv == "" || slices.Contains(ignoredParams, name) {
			continue
		}
		if !strings.HasPrefix(base, "ssh-ng://") {
			return "", fmt.Errorf("%q: parameter %q is not supported: -s drops trusted, priority and want-mass-query, and takes no other but an ssh-ng store's",
				given, name)
		}
		kept = append(kept, kv)
	}
	if len(kept) == 0 {
		return base, nil
	}
	return base + "?" + strings.Join(kept, "&"), nil
}

// repeatedFlag is a GenericFlag whose value is a fresh stringList each time
// the command runs, under all its names. urfave/cli would reuse one Value
// across runs; a StringSliceFlag splits its values at commas, which store
// specs may hold; and with aliases urfave/cli copies the value from one
// name to the others (appending it again) and refuses "-s A --substituter
// B", so Names gives it just the one name (its String, for help, all).
type repeatedFlag struct{ ucli.GenericFlag }

func (f *repeatedFlag) Apply(set *flag.FlagSet) error {
	v := &stringList{}
	for _, name := range f.GenericFlag.Names() {
		set.Var(v, name, f.Usage)
	}
	return nil
}

func (f *repeatedFlag) Names() []string { return []string{f.Name} }

// stringList is a flag value that collects every value given, in order.
type stringList []string

func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }
func (l *stringList) String() string     { return strings.Join(*l, " ") }
func (l *stringList) Get() any           { return *l }
