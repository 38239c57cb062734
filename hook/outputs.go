package hook

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nixsign/nixsign/internal/fsutil"

	"github.com/nixsign/nixsign/nix/drv"
	"github.com/nixsign/nixsign/nix/storepath"
)

// Where the hook found the paths it signs.
const (
	FromOutPaths = "OUT_PATHS" // Nix's $OUT_PATHS, checked against the .drv
	FromDrv      = "drv"       // the outputs listed in the .drv file ($DRV_PATH)
	FromStore    = "drv+store" // the .drv, and the store for outputs whose path only the build decides
)

// Outputs are the store paths one build produced.
type Outputs struct {
	Drv   string   // $DRV_PATH, or "" when Nix did not set it
	Paths []string // absolute store paths, sorted, without duplicates
	From  string   // FromOutPaths, FromDrv or FromStore
	// Why says, when the paths do not come from $OUT_PATHS, why it was not
	// used: it is empty, or it names a path that is not an output of Drv.
	Why string
	// Stale is true when $OUT_PATHS named paths that are not outputs of
	// Drv: a value inherited from the environment, which Nix keeps.
	Stale bool
}

// ErrNotHook is returned when neither DRV_PATH nor OUT_PATHS is set: the
// program was not started by Nix as a post-build-hook.
var ErrNotHook = errors.New("DRV_PATH and OUT_PATHS are not set: nixsign-hook signs what Nix just built when Nix runs it as its post-build-hook (post-build-hook = /path/to/nixsign-hook in nix.conf); to check the key before a build, run nixsign-hook --preflight")

// QueryOutputs returns the output paths of a built derivation as the store
// records them, as `nix-store --query --outputs DRV` prints them. FindOutputs
// needs it only for outputs whose path is not in the .drv (floating
// content-addressed and impure derivations); Run only when the store it
// signs in cannot say (see store.DerivationOutputser).
type QueryOutputs func(ctx context.Context, drvPath string) ([]string, error)

// maxDrvSize bounds what is read of a .drv (the largest are a few MiB).
const maxDrvSize = 64 << 20

// FindOutputs returns the paths a build produced, from the variables Nix
// sets for its post-build-hook: DRV_PATH, the derivation, and OUT_PATHS, the
// output paths separated by spaces.
//
// OUT_PATHS cannot be taken on trust. Nix 2.8.0 passes it empty
// (NixOS/nix#6446), so do 2.30 and 2.31 for rebuilds (NixOS/nix#14287), and
// Nix adds its variables to its own environment without replacing any that
// are already set, so an OUT_PATHS exported in the shell that started Nix
// reaches the hook unchanged. FindOutputs therefore uses OUT_PATHS only when
// every path in it is an output of DRV_PATH, and otherwise the outputs listed
// in the .drv file, asking query for those whose path only the build decides.
// When DRV_PATH is not set, OUT_PATHS is used as it is.
//
// Every path must be a store path in storeDir.
//
// Run does not call FindOutputs: for the outputs the .drv lacks, it asks
// the store it signs in first (see store.DerivationOutputser), since the
// usual query, `nix-store --query --outputs`, cannot resolve a floating
// content-addressed output with Nix 2.8.0 (it reads no realisations, and
// fails). FindOutputs suits builds whose outputs are all in the .drv, or a
// query that reads the store's realisations.
func FindOutputs(ctx context.Context, env map[string]string, storeDir string, query QueryOutputs) (*Outputs, error) {
	out, floating, err := findOutputs(env, storeDir)
	if err != nil || len(floating) == 0 {
		return out, err
	}
	if query == nil {
		return nil, fmt.Errorf("%s: output %q has no path in the .drv (%s), and no store was given to ask", out.Drv, floating[0].output, floating[0].kind)
	}
	paths, err := queryOutputs(ctx, query, out.Drv, storeDir)
	if err != nil {
		return nil, err
	}
	out.Paths = sortedSet(append(out.Paths, paths...))
	return out, nil
}

// queryOutputs asks query for the outputs of drvPath, and checks that they
// are store paths.
func queryOutputs(ctx context.Context, query QueryOutputs, drvPath, storeDir string) ([]string, error) {
	paths, err := query(ctx, drvPath)
	if err != nil {
		return nil, fmt.Errorf("%s: outputs: %w", drvPath, err)
	}
	for _, p := range paths {
		if _, err := storepath.Parse(storeDir, p); err != nil {
			return nil, fmt.Errorf("%s: outputs: %v", drvPath, err)
		}
	}
	return paths, nil
}

// findOutputs is FindOutputs without asking anyone: when the paths do not
// come from OUT_PATHS and the .drv lacks some, it returns those outputs as
// floating, with From = FromStore, and Paths holds those the .drv has.
func findOutputs(env map[string]string, storeDir string) (*Outputs, []floatingOutput, error) {
	drvPath := env["DRV_PATH"]
	outPaths := strings.Fields(env["OUT_PATHS"])
	if drvPath == "" {
		if len(outPaths) == 0 {
			return nil, nil, ErrNotHook
		}
		paths := make([]string, len(outPaths))
		for i, p := range outPaths {
			sp, err := storepath.Parse(storeDir, p)
			if err != nil {
				return nil, nil, fmt.Errorf("OUT_PATHS: %v", err)
			}
			paths[i] = sp.Abs(storeDir)
		}
		return &Outputs{Paths: sortedSet(paths), From: FromOutPaths}, nil, nil
	}

	d, err := readDrv(storeDir, drvPath)
	if err != nil {
		return nil, nil, err
	}
	known, floating := outputNames(d, storeDir, drvName(drvPath))
	out := &Outputs{Drv: drvPath}
	if len(outPaths) > 0 {
		paths, bad := make([]string, 0, len(outPaths)), ""
		for _, p := range outPaths {
			abs, ok := asOutput(storeDir, p, known, floating)
			if !ok {
				bad = p
				break
			}
			paths = append(paths, abs)
		}
		if bad == "" {
			out.Paths, out.From = sortedSet(paths), FromOutPaths
			return out, nil, nil
		}
		out.Stale = true
		out.Why = fmt.Sprintf("OUT_PATHS names %q, which is not an output of %s; it was probably inherited from the environment (Nix keeps an OUT_PATHS that is already set): unset it where Nix is started", bad, drvPath)
	} else {
		out.Why = "OUT_PATHS is empty (Nix bug NixOS/nix#6446 in 2.8.0, #14287 in rebuilds on 2.30-2.31)"
	}
	out.Paths, out.From = sortedSet(known), FromDrv
	if len(floating) > 0 {
		out.From = FromStore
		return out, floating, nil
	}
	return out, nil, nil
}

// readDrv reads and parses the derivation at drvPath, a .drv in storeDir.
func readDrv(storeDir, drvPath string) (*drv.Derivation, error) {
	p, err := storepath.Parse(storeDir, drvPath)
	if err != nil {
		return nil, fmt.Errorf("DRV_PATH: %v", err)
	}
	if !strings.HasSuffix(p.Name, ".drv") {
		return nil, fmt.Errorf("DRV_PATH: %q is not a derivation (.drv)", drvPath)
	}
	data, err := fsutil.ReadSmallFile(drvPath, maxDrvSize)
	if err != nil {
		return nil, fmt.Errorf("DRV_PATH: %w", err)
	}
	d, err := drv.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", drvPath, err)
	}
	if err := d.CheckPaths(storeDir); err != nil {
		return nil, fmt.Errorf("%s: %w", drvPath, err)
	}
	return d, nil
}

// floatingOutput is an output whose path the .drv does not hold.
type floatingOutput struct {
	output   string // the output's name, e.g. "dev"
	pathName string // the store path name it gets, e.g. "hello-dev"
	kind     drv.OutputKind
}

// outputNames returns the output paths the .drv holds, in canonical form
// (Nix's parser takes "//nix/store/x" as /nix/store/x too), and the outputs
// it does not hold a path for. d has passed CheckPaths(storeDir).
func outputNames(d *drv.Derivation, storeDir, name string) (known []string, floating []floatingOutput) {
	for _, o := range d.Outputs {
		if k := o.Kind(); !k.HasPath() {
			pathName := name
			if o.Name != "out" {
				pathName += "-" + o.Name
			}
			floating = append(floating, floatingOutput{o.Name, pathName, k})
			continue
		}
		p := o.Path
		if sp, err := storepath.Parse(storeDir, p); err == nil {
			p = sp.Abs(storeDir)
		}
		known = append(known, p)
	}
	return known, floating
}

// asOutput reports whether p, from OUT_PATHS, is one of the outputs (one of
// the known paths, or a store path with the name a floating output gets),
// and returns it in canonical form.
func asOutput(storeDir, p string, known []string, floating []floatingOutput) (string, bool) {
	sp, err := storepath.Parse(storeDir, p)
	if err != nil {
		return "", false
	}
	abs := sp.Abs(storeDir)
	if slices.Contains(known, abs) {
		return abs, true
	}
	for _, f := range floating {
		if sp.Name == f.pathName {
			return abs, true
		}
	}
	return "", false
}

// drvName returns the derivation's name: its store path name without ".drv".
func drvName(drvPath string) string {
	base := drvPath[strings.LastIndexByte(drvPath, '/')+1:]
	if len(base) > storepath.HashLen+1 {
		base = base[storepath.HashLen+1:]
	}
	return strings.TrimSuffix(base, ".drv")
}

// sortedSet returns the paths sorted, without duplicates, in a new slice.
func sortedSet(paths []string) []string {
	s := slices.Clone(paths)
	slices.Sort(s)
	return slices.Compact(s)
}
