// Package drv reads and writes Nix derivations (.drv files) in their ATerm
// form.
//
// A .drv file is one line with no spaces outside strings:
//
//	Derive([outputs],[inputDrvs],[inputSrcs],"platform","builder",[args],[env])
//
//	outputs   = ("name","path","hashAlgo","hash"),...      sorted by name
//	inputDrvs = ("/nix/store/...drv",["out",...]),...     sorted by path, names sorted
//	inputSrcs = "/nix/store/...",...                      sorted
//	args      = "arg",...                                 in order
//	env       = ("key","value"),...                       sorted by key
//
// For example the test vector sigtest-a.drv (shortened here) is
//
//	Derive([("dev","/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev","",""),
//	("out","/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a","","")],[],
//	["/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh","/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"],
//	"x86_64-linux","/bin/sh",["-c","echo ..."],[("builder","/bin/sh"),...,
//	("weird","quote\" backslash\\ nl\n tab\t cr\r end")])
//
// An output's kind shows in its fields (see OutputKind): an input-addressed
// output has only a path; a fixed-output one a path, an algorithm such as
// "r:sha256" ("r:" for a NAR hash) and the base16 hash; a floating
// content-addressed one only the algorithm; a deferred one nothing; an impure
// one the algorithm and the hash "impure".
//
// Strings are quoted with '"'. Nix's printString escapes '"' and '\' with a
// backslash and LF, CR and TAB as \n, \r and \t, and writes every other byte
// as it is; its parseString decodes \n, \r and \t and reads \X as X for any
// other byte X. Only the builder, the args and the env are escaped on output;
// the other fields are written verbatim, so Parse rejects them when they
// hold a byte that would need escaping.
//
// Parse is stricter than Nix's parser, which does not check the order of
// lists, merges duplicates and ignores trailing bytes. Parse accepts only
// comma-separated lists, sorted without duplicates where Nix keeps a sorted
// map or set; paths that begin with '/' (CheckPaths checks them against a
// store dir, as Nix does); output fields that make sense for their kind; and
// nothing after the final ')'. It keeps a fixed output's hash in base16, as
// Nix writes it back.
//
// String writes what Nix's Derivation::unparse writes, so String(Parse(x))
// == x for every file Nix writes, and Parse(String(d)) gives back d. (For a
// fixed output Nix writes the path it computes from the hash; String writes
// Path as it is.)
package drv

import (
	"errors"
	"fmt"

	"github.com/nixsign/nixsign/nix/storepath"
)

// Derivation is a parsed .drv file. Parse returns every list sorted as Nix
// keeps it; String sorts a copy of any list that is not.
type Derivation struct {
	Outputs   []Output   // sorted by Name
	InputDrvs []InputDrv // sorted by Path
	InputSrcs []string   // sorted
	Platform  string     // e.g. "x86_64-linux"
	Builder   string
	Args      []string
	Env       []EnvVar // sorted by Name
}

// InputDrv is a derivation this one depends on, and which of its outputs.
type InputDrv struct {
	Path    string   // the .drv store path
	Outputs []string // output names, sorted
}

// EnvVar is one variable of the builder's environment.
type EnvVar struct {
	Name, Value string
}

// Output returns the output called name.
func (d *Derivation) Output(name string) (Output, bool) {
	for _, o := range d.Outputs {
		if o.Name == name {
			return o, true
		}
	}
	return Output{}, false
}

// ErrNoPath is returned (wrapped) by OutputPaths when an output's path is not
// in the .drv file, so only the store can tell it (after the build).
var ErrNoPath = errors.New("output path not known before the build")

// OutputPaths returns the store paths of all outputs in output-name order
// (`nix-store -q --outputs` prints the same paths sorted by path). If an
// output is floating content-addressed, deferred or impure, it fails with an
// error wrapping ErrNoPath that names the output and its kind.
func (d *Derivation) OutputPaths() ([]string, error) {
	paths := make([]string, 0, len(d.Outputs))
	for _, o := range d.Outputs {
		if k := o.Kind(); !k.HasPath() {
			return nil, fmt.Errorf("%w: output %q is %s", ErrNoPath, o.Name, k)
		}
		paths = append(paths, o.Path)
	}
	return paths, nil
}

// Getenv returns the value of the environment variable name.
func (d *Derivation) Getenv(name string) (string, bool) {
	for _, e := range d.Env {
		if e.Name == name {
			return e.Value, true
		}
	}
	return "", false
}

// CheckPaths checks that the output paths, input derivations and input
// sources are store paths in storeDir, as Nix's parser does (Parse only
// checks that they begin with '/').
func (d *Derivation) CheckPaths(storeDir string) error {
	check := func(what, p string) error {
		if _, err := storepath.Parse(storeDir, p); err != nil {
			return fmt.Errorf("derivation: %s: %v", what, err)
		}
		return nil
	}
	for _, o := range d.Outputs {
		if o.Path != "" {
			if err := check(fmt.Sprintf("output %q", o.Name), o.Path); err != nil {
				return err
			}
		}
	}
	for _, in := range d.InputDrvs {
		if err := check("input derivation", in.Path); err != nil {
			return err
		}
	}
	for _, src := range d.InputSrcs {
		if err := check("input source", src); err != nil {
			return err
		}
	}
	return nil
}
