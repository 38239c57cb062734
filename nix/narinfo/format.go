package narinfo

import (
	"slices"
	"strconv"
	"strings"

	"github.com/nixsign/nixsign/nix/storepath"
)

// String returns the narinfo text exactly as Nix's NarInfo::to_string writes
// it: the keys in a fixed order, References and Sigs sorted byte-wise and
// without duplicates, and the optional lines (FileHash, FileSize, Deriver,
// System, Sig, CA) only when set. FileSize is written whenever FileHash is,
// as Nix 2.8.0 always writes both.
//
// The values are written as they are; none may contain '\n'.
func (n *NarInfo) String() string {
	var b strings.Builder
	b.Grow(512 + 100*len(n.Sigs) + 60*len(n.References))
	line := func(key, value string) {
		b.WriteString(key)
		b.WriteString(": ")
		b.WriteString(value)
		b.WriteByte('\n')
	}
	line("StorePath", n.Path())
	line("URL", n.URL)
	line("Compression", n.Compression)
	if !n.FileHash.IsZero() {
		line("FileHash", n.FileHash.String())
	}
	if !n.FileHash.IsZero() || n.FileSize != 0 {
		line("FileSize", strconv.FormatUint(n.FileSize, 10))
	}
	line("NarHash", n.NarHash.String())
	line("NarSize", strconv.FormatUint(n.NarSize, 10))

	refs := n.References
	if !slices.IsSortedFunc(refs, comparePaths) {
		refs = slices.SortedFunc(slices.Values(refs), comparePaths)
	}
	b.WriteString("References: ")
	for i, r := range refs {
		if i > 0 && r == refs[i-1] {
			continue
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(r.Base())
	}
	b.WriteByte('\n')

	if n.Deriver != "" {
		line("Deriver", n.Deriver)
	}
	if n.System != "" {
		line("System", n.System)
	}
	sigs := n.Sigs
	if !slices.IsSorted(sigs) {
		sigs = slices.Sorted(slices.Values(sigs))
	}
	for i, s := range sigs {
		if i == 0 || s != sigs[i-1] {
			line("Sig", s)
		}
	}
	if n.CA != "" {
		line("CA", n.CA)
	}
	return b.String()
}

// Path returns the absolute store path the narinfo describes.
func (n *NarInfo) Path() string { return n.StorePath.Abs(n.storeDir()) }

// ReferencePaths returns the references as absolute store paths, sorted and
// without duplicates: the form a fingerprint or `nix path-info --json` uses.
func (n *NarInfo) ReferencePaths() []string {
	dir := n.storeDir()
	paths := make([]string, 0, len(n.References))
	for _, r := range n.References {
		paths = append(paths, r.Abs(dir))
	}
	slices.Sort(paths)
	return slices.Compact(paths)
}

func (n *NarInfo) storeDir() string {
	if n.StoreDir == "" {
		return storepath.DefaultDir
	}
	return n.StoreDir
}
