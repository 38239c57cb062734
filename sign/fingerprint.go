package sign

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/storepath"
)

// Fingerprint returns the string Nix signs for a store path:
//
//	"1;" + storeDir + "/" + base + ";" + "sha256:" + nix32(narHash) + ";" + narSize + ";" + refs
//
// where refs are the full store paths of the references, sorted byte-wise,
// deduplicated and joined by ",". With no references it ends in ";".
//
// Like Nix it fails when narSize is 0 ("the size is not known"). It also
// fails for a NAR hash that is not SHA-256 and for a reference that is not a
// store path in storeDir, which Nix cannot represent.
func Fingerprint(storeDir string, p storepath.Path, narHash hash.Hash, narSize uint64, refs []string) (string, error) {
	paths := make([]storepath.Path, len(refs))
	for i, r := range refs {
		rp, err := storepath.Parse(storeDir, r)
		if err != nil {
			return "", fmt.Errorf("cannot calculate fingerprint of path '%s': reference: %v", p.Abs(storeDir), err)
		}
		paths[i] = rp
	}
	return fingerprint(storeDir, p, narHash, narSize, paths)
}

func fingerprint(storeDir string, p storepath.Path, narHash hash.Hash, narSize uint64, refs []storepath.Path) (string, error) {
	if err := checkStoreDir(storeDir); err != nil {
		return "", err
	}
	if _, err := storepath.ParseBase(p.Base()); err != nil {
		return "", fmt.Errorf("cannot calculate fingerprint: %v", err)
	}
	abs := p.Abs(storeDir)
	switch {
	case narSize == 0:
		return "", fmt.Errorf("cannot calculate fingerprint of path '%s' because its size is not known", abs)
	case narHash.Algo != hash.SHA256 || len(narHash.Digest) != hash.SHA256.Size():
		return "", fmt.Errorf("cannot calculate fingerprint of path '%s': its NAR hash is not a SHA-256 hash", abs)
	}
	bases := make([]string, 0, len(refs))
	for _, r := range refs {
		if _, err := storepath.ParseBase(r.Base()); err != nil {
			return "", fmt.Errorf("cannot calculate fingerprint of path '%s': reference: %v", abs, err)
		}
		bases = append(bases, r.Base())
	}
	// All references share the prefix storeDir+"/", so sorting base names
	// sorts the full paths.
	slices.Sort(bases)
	bases = slices.Compact(bases)

	var b strings.Builder
	b.Grow(len(abs) + 70 + len(bases)*(len(storeDir)+50))
	b.WriteString("1;")
	b.WriteString(abs)
	b.WriteString(";sha256:")
	b.WriteString(narHash.Nix32())
	b.WriteByte(';')
	b.WriteString(strconv.FormatUint(narSize, 10))
	b.WriteByte(';')
	for i, base := range bases {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(storeDir)
		b.WriteByte('/')
		b.WriteString(base)
	}
	return b.String(), nil
}

func checkStoreDir(dir string) error {
	if !strings.HasPrefix(dir, "/") || path.Clean(dir) != dir || dir == "/" {
		return fmt.Errorf("store dir %q is not a clean absolute path", dir)
	}
	return nil
}

// PathInfo is what signing and verifying need to know about a store path.
// The stores and the narinfo reader convert their own records to it. Fields
// that take no part in signatures or trust (deriver, registration time,
// download URL and hash) are left to those records.
type PathInfo struct {
	Path       storepath.Path   // the path, without its store dir
	NarHash    hash.Hash        // SHA-256 of its NAR serialisation
	NarSize    uint64           // size of the NAR; 0 means unknown
	References []storepath.Path // may include Path itself (a self-reference)
	CA         storepath.CA     // content address; Method == "" when there is none
	Sigs       []string         // signatures verbatim, as stored; see AddSigs
	Ultimate   bool             // built on this machine: trusted without signatures when none are required
}

// Fingerprint returns the string that signatures of pi sign; see the
// function Fingerprint.
func (pi *PathInfo) Fingerprint(storeDir string) (string, error) {
	return fingerprint(storeDir, pi.Path, pi.NarHash, pi.NarSize, pi.References)
}

// AddSigs adds signature strings to pi.Sigs the way Nix adds to its
// std::set: pi.Sigs ends up sorted byte-wise with no duplicate strings.
// It returns how many of sigs were not already there.
func (pi *PathInfo) AddSigs(sigs ...string) (added int) {
	slices.Sort(pi.Sigs)
	pi.Sigs = slices.Compact(pi.Sigs)
	for _, s := range sigs {
		i, found := slices.BinarySearch(pi.Sigs, s)
		if !found {
			pi.Sigs = slices.Insert(pi.Sigs, i, s)
			added++
		}
	}
	return added
}

// contentAddressed is Nix's ValidPathInfo::isContentAddressed: whether pi's
// content address, name and references give back its store path. falseClaim
// is set when pi has a content address that does not: Nix then warns "path
// '%s' claims to be content-addressed but isn't" and counts its signatures.
func (pi *PathInfo) contentAddressed(storeDir string) (ca, falseClaim bool) {
	if pi.CA.Method == "" {
		return false, false
	}
	var refs []string
	self := false
	for _, r := range pi.References {
		// Text paths put every reference, even to themselves, in the type
		// (makeTextPath); fixed-output paths mark a self-reference as "self".
		if r == pi.Path && pi.CA.Method != "text" {
			self = true
			continue
		}
		refs = append(refs, r.Abs(storeDir))
	}
	slices.Sort(refs)
	refs = slices.Compact(refs)
	got, err := storepath.MakeCA(storeDir, pi.CA, pi.Path.Name, refs, self)
	if err != nil || got != pi.Path {
		return false, true
	}
	return true, false
}
