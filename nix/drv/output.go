package drv

import (
	"fmt"
	"strings"

	"github.com/nixsign/nixsign/nix/hash"
)

// Output is one output of a derivation.
type Output struct {
	Name     string // e.g. "out", "dev"
	Path     string // absolute store path; "" unless the kind has one
	HashAlgo string // "" or the hash algorithm, "r:" first for a NAR hash: "sha256", "r:sha256"
	Hash     string // "", "impure" or the base16 hash of a fixed output
}

// OutputKind is the kind of a derivation output, as Nix's DerivationOutput
// variants.
type OutputKind uint8

// The output kinds. Only InputAddressed and CAFixed outputs have their
// paths in the .drv file; the store knows the others only once built.
const (
	InputAddressed OutputKind = iota // ("out","/nix/store/...","","")
	CAFixed                          // ("out","/nix/store/...","r:sha256","<base16>")
	CAFloating                       // ("out","","r:sha256","")
	Deferred                         // ("out","","","")
	Impure                           // ("out","","r:sha256","impure")
)

var kindNames = [...]string{
	InputAddressed: "input-addressed",
	CAFixed:        "fixed-output",
	CAFloating:     "floating content-addressed",
	Deferred:       "deferred",
	Impure:         "impure",
}

// String returns a description such as "fixed-output".
func (k OutputKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("OutputKind(%d)", k)
}

// HasPath reports whether outputs of kind k carry their store path.
func (k OutputKind) HasPath() bool { return k == InputAddressed || k == CAFixed }

// Kind returns the output's kind, read from its fields as Nix reads them.
func (o Output) Kind() OutputKind {
	switch {
	case o.HashAlgo == "" && o.Path == "":
		return Deferred
	case o.HashAlgo == "":
		return InputAddressed
	case o.Hash == "impure":
		return Impure
	case o.Hash == "":
		return CAFloating
	}
	return CAFixed
}

// output parses ("name","path","hashAlgo","hash") and checks the fields as
// Nix's parseDerivationOutput does, and more strictly: a hash needs an
// algorithm, and floating and impure outputs must not have a path.
func (p *parser) output() Output {
	var o Output
	var offs [4]int
	fields := [4]*string{&o.Name, &o.Path, &o.HashAlgo, &o.Hash}
	names := [4]string{"output name", "output path", "hash algorithm", "output hash"}
	p.expect('(')
	for i := range fields {
		if i > 0 {
			p.expect(',')
		}
		offs[i] = p.pos
		*fields[i] = p.plain(names[i])
	}
	p.expect(')')
	if p.err != nil {
		return o
	}
	bad := func(i int, format string, args ...any) {
		p.fail(offs[i], "output %q: %s", o.Name, fmt.Sprintf(format, args...))
	}
	badPath := o.Path == "" || o.Path[0] != '/'
	if o.HashAlgo == "" {
		switch {
		case o.Hash != "":
			bad(3, "hash %q without a hash algorithm", o.Hash)
		case o.Path != "" && badPath:
			bad(1, "bad path %q: must begin with '/'", o.Path)
		}
		return o
	}
	algo, err := hash.ParseAlgo(strings.TrimPrefix(o.HashAlgo, "r:"))
	switch {
	case err != nil:
		bad(2, "%v", err)
	case o.Hash == "" || o.Hash == "impure":
		if o.Path != "" {
			bad(1, "%s output has a path", o.Kind())
		}
	case badPath:
		bad(1, "bad path %q: must begin with '/'", o.Path)
	default:
		h, err := hash.ParseAs(algo, o.Hash)
		if err != nil {
			bad(3, "%v", err)
		}
		o.Hash = h.Base16() // as Nix writes it back
	}
	return o
}
