package sign

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/nixsign/nixsign/sign/internal/nixkey"
)

// Infinite is the count of valid signatures of a content-addressed path
// (Nix's ValidPathInfo::maxSigs): it is trusted with no signature at all.
const Infinite = math.MaxInt

// SigStatus is the outcome of checking one signature string.
type SigStatus int

const (
	// SigUnknownKey: no key in the set has the signature's name. Nix skips
	// the signature without decoding it.
	SigUnknownKey SigStatus = iota
	// SigValid: the key of its name verifies it.
	SigValid
	// SigInvalid: the key of its name does not verify it. Either a
	// different key has that name here, or the path's NAR hash, size or
	// references are not those that were signed.
	SigInvalid
	// SigMalformed: its name is in the set but the rest does not decode to
	// 64 bytes. Nix throws "signature is not valid".
	SigMalformed
)

var sigStatusNames = [...]string{"unknown key", "valid", "invalid", "malformed"}

func (s SigStatus) String() string {
	if s >= 0 && int(s) < len(sigStatusNames) {
		return sigStatusNames[s]
	}
	return fmt.Sprintf("SigStatus(%d)", int(s))
}

// SigCheck is the outcome of checking one signature string.
type SigCheck struct {
	Sig     string    // the signature, verbatim
	KeyName string    // the name Nix looks up: "" when Sig has no ':' or starts with one
	Status  SigStatus // what the check found
	Err     error     // why, when Status is SigMalformed
	// From is "" for a signature of the path's own record, else the Source
	// of the other store's record it came from (see TrustedWith).
	From string
}

// Count is the outcome of counting a path's signatures as Nix does.
type Count struct {
	// Valid is the number of distinct signature strings that verify, or
	// Infinite for a content-addressed path. Like Nix, it counts strings:
	// one signature written in two ways (say, with and without its base64
	// padding) counts twice. ValidKeys tells how many keys stand behind it.
	Valid int
	// CA is set when the path's content address gives back its store path.
	// Its signatures are then not checked and Sigs is empty. (With
	// TrustedWith, CAFrom says when it is another store's record whose
	// content address does: Sigs then holds those checked before it.)
	CA bool
	// CAFrom is the Source of the other store's record that made the path
	// content-addressed, "" for the path's own (see TrustedWith).
	CAFrom string
	// FalseCA is set when the path has a content address that does not give
	// back its store path. Nix prints "warning: path '%s' claims to be
	// content-addressed but isn't" and counts its signatures.
	FalseCA bool
	// Sigs has one entry per distinct signature string, sorted byte-wise
	// (the order of Nix's std::set). With TrustedWith, those of the other
	// stores' records that were checked follow, each record's sorted
	// likewise and in the order the records came.
	Sigs []SigCheck
	// Asked is the number of other stores' records TrustedWith looked at.
	Asked int
	// OtherErrs are the errors met with other stores' records (see
	// TrustedWith): Nix prints each and goes on, and so they do not fail
	// the path.
	OtherErrs []error
}

// ValidKeys returns the distinct names of the keys whose signatures verified,
// sorted.
func (c *Count) ValidKeys() []string {
	var names []string
	for _, s := range c.Sigs {
		if s.Status == SigValid {
			names = append(names, s.KeyName)
		}
	}
	return sortedSet(names)
}

// CountValid counts the valid signatures of info with the keys in keys, as
// Nix's ValidPathInfo::checkSignatures does (the check of "require-sigs"
// when a path is added to a store):
//
//   - A path whose content address, name and references give back its store
//     path (a self-reference is dropped and marked as such, as in
//     makeFixedOutputPath) counts Infinite; its signatures are not looked at.
//   - Otherwise each distinct string in info.Sigs is checked as
//     KeySet.VerifyString does: a signature by an unknown name is skipped; one
//     by a known name that does not decode to 64 bytes is an error.
//   - When info has signatures and no fingerprint (NAR size 0), that is an
//     error.
//
// On error the Count still describes every signature.
func CountValid(storeDir string, info *PathInfo, keys *KeySet) (Count, error) {
	var c Count
	c.CA, c.FalseCA = info.contentAddressed(storeDir)
	if c.CA {
		c.Valid = Infinite
		return c, nil
	}
	sigs := info.Sigs
	if !isSortedSet(sigs) { // as stores keep them: no copy needed
		sigs = slices.Clone(sigs)
		slices.Sort(sigs)
		sigs = slices.Compact(sigs)
	}
	if len(sigs) == 0 {
		return c, nil
	}
	fp, err := info.Fingerprint(storeDir)
	if err != nil {
		return c, err
	}
	var firstErr error
	c.Sigs = make([]SigCheck, 0, len(sigs))
	for _, s := range sigs {
		check := checkSig(keys, fp, s)
		switch check.Status {
		case SigMalformed:
			if firstErr == nil {
				firstErr = check.Err
			}
		case SigValid:
			c.Valid++
		}
		c.Sigs = append(c.Sigs, check)
	}
	return c, firstErr
}

// checkSig checks the signature string s of fingerprint fp.
func checkSig(keys *KeySet, fp, s string) SigCheck {
	name, _, _ := nixkey.Split(s)
	check := SigCheck{Sig: s, KeyName: name}
	ok, err := keys.VerifyString(fp, s)
	switch {
	case err != nil:
		check.Status, check.Err = SigMalformed, err
	case ok:
		check.Status = SigValid
	case keys.has(name):
		check.Status = SigInvalid
	default:
		check.Status = SigUnknownKey
	}
	return check
}

// isSortedSet reports whether ss is sorted byte-wise without duplicates.
func isSortedSet(ss []string) bool {
	for i := 1; i < len(ss); i++ {
		if ss[i-1] >= ss[i] {
			return false
		}
	}
	return true
}

func (ks *KeySet) has(name string) bool {
	_, ok := ks.Lookup(name)
	return ok
}

// Verdict is the outcome of the trust check of "nix store verify".
type Verdict struct {
	OK     bool
	Reason string // one line, for people
	Count  Count  // zero when the path was trusted as built locally
}

// Trusted applies the trust check of "nix store verify -n sigsNeeded"
// (src/nix/verify.cc) to info:
//
//   - a path built on this machine (info.Ultimate) is trusted when
//     sigsNeeded is 0, without looking at its signatures;
//   - otherwise it needs max(sigsNeeded, 1) valid signatures, counted by
//     CountValid (so a content-addressed path always passes).
//
// The error is CountValid's; "nix store verify" reports such a path as
// failed (exit code 4). To count the signatures that substituters hold for
// the same path too, as "nix store verify -s" does, use TrustedWith.
func Trusted(storeDir string, info *PathInfo, keys *KeySet, sigsNeeded int) (Verdict, error) {
	return TrustedWith(storeDir, info, keys, sigsNeeded, nil)
}

func (c *Count) explain(need int) string {
	if c.CA && c.CAFrom != "" {
		return "content-addressed according to " + c.CAFrom + ": its store path is computed from its contents, so no signature is needed"
	}
	if c.CA {
		return "content-addressed: its store path is computed from its contents, so no signature is needed"
	}
	// Built with strconv rather than fmt: Verify explains every path.
	var b strings.Builder
	b.WriteString(plural(c.Valid, "valid signature"))
	b.WriteString(", ")
	b.WriteString(strconv.Itoa(need))
	b.WriteString(" needed")
	if keys := c.ValidKeys(); len(keys) > 0 {
		b.WriteString(" (by ")
		writeQuoted(&b, keys)
		b.WriteByte(')')
	}
	c.explainOthers(&b)
	if c.Valid < need {
		var unknown, invalid, malformed []string
		for _, s := range c.Sigs {
			switch s.Status {
			case SigUnknownKey:
				unknown = append(unknown, s.KeyName)
			case SigInvalid:
				invalid = append(invalid, s.KeyName)
			case SigMalformed:
				if s.From != "" { // the path's own fail it instead
					malformed = append(malformed, s.KeyName)
				}
			}
		}
		switch {
		case len(c.Sigs) == 0:
			b.WriteString("; it has no signatures")
		case len(invalid) > 0:
			b.WriteString("; the signature by trusted key ")
			writeQuoted(&b, sortedSet(invalid))
			b.WriteString(" does not verify: a different key has that name here, or the path is not what was signed")
		}
		if len(unknown) > 0 {
			b.WriteString("; signed by keys not trusted here: ")
			writeQuoted(&b, sortedSet(unknown))
		}
		if len(malformed) > 0 {
			b.WriteString("; malformed signature by trusted key ")
			writeQuoted(&b, sortedSet(malformed))
		}
	}
	if c.Valid < need && c.Asked > 0 {
		b.WriteString("; asked ")
		b.WriteString(plural(c.Asked, "other store"))
		b.WriteString(" too")
	}
	if c.FalseCA {
		b.WriteString("; it claims to be content-addressed but isn't")
	}
	return b.String()
}

func sortedSet(names []string) []string {
	if isSortedSet(names) {
		return names
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// writeQuoted writes the names quoted as Go strings (fmt's %q), or "(no
// key name)" for "", separated by ", ".
func writeQuoted(b *strings.Builder, names []string) {
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		if n == "" {
			b.WriteString("(no key name)")
		} else {
			b.WriteString(strconv.Quote(n))
		}
	}
}
