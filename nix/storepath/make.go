package storepath

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/nixbase32"
)

// Make computes a store path the way Nix's makeStorePath does:
//
//	s      = typ + ":sha256:" + base16(inner) + ":" + storeDir + ":" + name
//	digest = nixbase32(compress20(sha256(s)))
//
// where compress20 XOR-folds the 32 bytes into 20.
func Make(storeDir, typ string, inner hash.Hash, name string) Path {
	s := typ + ":" + inner.Algo.String() + ":" + inner.Base16() + ":" + storeDir + ":" + name
	sum := sha256.Sum256([]byte(s))
	var folded [20]byte
	for i, b := range sum {
		folded[i%20] ^= b
	}
	return Path{Digest: nixbase32.EncodeToString(folded[:]), Name: name}
}

// typeWithRefs is Nix's makeType: typ followed by ":<full path>" for each
// reference in sorted order and ":self" for a self-reference.
func typeWithRefs(typ string, refs []string, self bool) string {
	sorted := append([]string(nil), refs...)
	sort.Strings(sorted)
	var b strings.Builder
	b.WriteString(typ)
	for _, r := range sorted {
		b.WriteString(":" + r)
	}
	if self {
		b.WriteString(":self")
	}
	return b.String()
}

// CA is a parsed content address, as in a narinfo's CA field:
// "fixed:r:sha256:<hash>", "fixed:sha256:<hash>" or "text:sha256:<hash>".
type CA struct {
	Method string // "text", "fixed" or "fixed:r" (recursive, i.e. NAR)
	Hash   hash.Hash
}

// ParseCA parses a content address.
func ParseCA(s string) (CA, error) {
	var method, rest string
	switch {
	case strings.HasPrefix(s, "text:"):
		method, rest = "text", s[len("text:"):]
	case strings.HasPrefix(s, "fixed:r:"):
		method, rest = "fixed:r", s[len("fixed:r:"):]
	case strings.HasPrefix(s, "fixed:"):
		method, rest = "fixed", s[len("fixed:"):]
	default:
		return CA{}, fmt.Errorf("content address %q: want text:, fixed: or fixed:r:", s)
	}
	if !strings.Contains(rest, ":") {
		// Nix 2.8.0 refuses SRI here: "content address hash must be in form '<algo>:<hash>'".
		return CA{}, fmt.Errorf("content address %q: the hash must be in the form <algo>:<hash>", s)
	}
	h, err := hash.Parse(rest)
	if err != nil {
		return CA{}, fmt.Errorf("content address %q: %v", s, err)
	}
	if method == "text" && h.Algo != hash.SHA256 {
		return CA{}, fmt.Errorf("content address %q: text hashes must be sha256", s)
	}
	return CA{Method: method, Hash: h}, nil
}

// String returns the content address in Nix's form.
func (c CA) String() string { return c.Method + ":" + c.Hash.String() }

// MakeCA computes the store path that a content address, name and references
// (full paths, the path itself excluded) give, as Nix's makeFixedOutputPath
// and makeTextPath do. self says whether the path refers to itself.
func MakeCA(storeDir string, ca CA, name string, refs []string, self bool) (Path, error) {
	switch {
	case ca.Method == "text":
		if self {
			return Path{}, errors.New("text paths cannot refer to themselves")
		}
		return Make(storeDir, typeWithRefs("text", refs, false), ca.Hash, name), nil
	case ca.Method == "fixed:r" && ca.Hash.Algo == hash.SHA256:
		return Make(storeDir, typeWithRefs("source", refs, self), ca.Hash, name), nil
	default:
		if len(refs) > 0 || self {
			return Path{}, errors.New("fixed-output paths other than recursive sha256 cannot have references")
		}
		prefix := "fixed:out:"
		if ca.Method == "fixed:r" {
			prefix += "r:"
		}
		inner := sha256.Sum256([]byte(prefix + ca.Hash.Algo.String() + ":" + ca.Hash.Base16() + ":"))
		return Make(storeDir, "output:out", hash.SHA256Sum(inner), name), nil
	}
}
