package sign

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Other is another store's record of a path, whose signatures TrustedWith
// counts as `nix store verify -s STORE` counts a substituter's.
type Other struct {
	// Source names the store, for people and for SigCheck.From: its URL.
	Source string
	// Info is the store's record of the same path; nil when the store does
	// not hold it (Nix's InvalidPath, which it skips without a word).
	Info *PathInfo
	// Err, when set, is why the store could not be asked. Nix prints it and
	// goes on to the next store; TrustedWith keeps it in Count.OtherErrs.
	Err error
}

// OtherError is an error TrustedWith met with another store's record of
// the path. Nix prints such an error and goes on: it does not fail the path.
type OtherError struct {
	// Source is the store's, as in Other.Source.
	Source string
	// Err is what went wrong: a malformed signature, no fingerprint to check
	// the signatures against, or a false claim to be content-addressed (an
	// error that names the path, as Nix's warning does).
	Err error
	// Stopped is set when the error ended the record's signatures, as Nix's
	// exception does: Sig and those sorted after it were not counted, or,
	// when Sig is "", none of them (but those the path or an earlier record
	// has too). The ones sorted before Sig were. Otherwise (a false
	// content-address claim) they all were counted.
	Stopped bool
	// Sig is the malformed signature that stopped them, verbatim; "" when
	// the error is not about one signature.
	Sig string
}

// Error returns the Source, a colon and Err, as in
// `file:///c: signature "k:" is not valid: ...`.
func (e *OtherError) Error() string { return e.Source + ": " + e.Err.Error() }

func (e *OtherError) Unwrap() error { return e.Err }

// TrustedWith is Trusted that, when the path's own signatures are not
// enough, also counts those other stores hold for the same path, as `nix
// store verify -s STORE...` does with its substituters (src/nix/verify.cc):
//
//   - next(i) returns the i-th other store's record, for i = 0, 1, ...; ok
//     false means there are no more. TrustedWith calls it in order, and only
//     while the path needs more valid signatures: once it has enough, the
//     later stores are not asked. A path built here with sigsNeeded 0, a
//     content-addressed path and a path whose own signatures fail to check
//     (the error of CountValid) never ask.
//   - A signature string counts once, wherever it is found: the path's own
//     and every other record's share one seen-set.
//   - Every signature is checked against the fingerprint of info, the path's
//     own record, never the other store's: a signature of another NAR hash,
//     size or set of references does not verify.
//   - A record whose content address, name and references give back the
//     path makes it content-addressed (Count.CA, Count.CAFrom), as in Nix.
//     One whose content address does not is noted in Count.OtherErrs ("claims
//     to be content-addressed but isn't") and its signatures are counted.
//   - A record's signatures are checked in byte-wise order. A malformed one
//     by a trusted name, or any when info has no NAR size (no fingerprint),
//     is an error that, as in Nix, ends that record's signatures without
//     failing the path: the signatures after it are not counted (nor seen),
//     those before it are.
//
// The errors met with a record go to Count.OtherErrs as *OtherError, which
// tells which of its signatures were counted regardless. An Other with Err
// set goes there as it is: none of that store's signatures were counted.
//
// Count.Sigs lists the other records' signatures after the path's own, with
// their From set, and Count.Asked tells how many records next gave.
//
// A nil next asks no other store: that is Trusted.
func TrustedWith(storeDir string, info *PathInfo, keys *KeySet, sigsNeeded int, next func(i int) (o Other, ok bool)) (Verdict, error) {
	if sigsNeeded < 0 {
		return Verdict{}, errors.New("the number of signatures needed cannot be negative")
	}
	if info.Ultimate && sigsNeeded == 0 {
		return Verdict{OK: true, Reason: "built on this machine (ultimate), so no signature is needed"}, nil
	}
	need := max(sigsNeeded, 1)
	c, err := CountValid(storeDir, info, keys)
	if err == nil && c.Valid < need && next != nil {
		c.addOthers(storeDir, info, keys, need, next)
	}
	v := Verdict{OK: err == nil && c.Valid >= need, Count: c}
	if err != nil {
		v.Reason = err.Error()
		return v, err
	}
	v.Reason = c.explain(need)
	return v, nil
}

// addOthers counts the signatures of the records next gives while c has
// fewer than need valid ones (see TrustedWith). c holds the path's own
// signatures, all of them checked without error.
func (c *Count) addOthers(storeDir string, info *PathInfo, keys *KeySet, need int, next func(int) (Other, bool)) {
	seen := make(map[string]struct{}, len(c.Sigs)+1)
	for _, s := range c.Sigs {
		seen[s.Sig] = struct{}{}
	}
	var fp string
	var fpErr error
	fpDone := false
	for i := 0; c.Valid < need; i++ {
		o, ok := next(i)
		if !ok {
			return
		}
		c.Asked++
		if o.Err != nil {
			c.OtherErrs = append(c.OtherErrs, o.Err)
			continue
		}
		if o.Info == nil {
			continue
		}
		ca, falseCA := o.Info.contentAddressed(storeDir)
		if ca {
			c.CA, c.CAFrom, c.Valid = true, o.Source, Infinite
			return
		}
		if falseCA {
			c.OtherErrs = append(c.OtherErrs, &OtherError{Source: o.Source,
				Err: fmt.Errorf("path '%s' claims to be content-addressed but isn't", o.Info.Path.Abs(storeDir))})
		}
		sigs := o.Info.Sigs
		if !isSortedSet(sigs) {
			sigs = slices.Clone(sigs)
			slices.Sort(sigs)
			sigs = slices.Compact(sigs)
		}
		for _, s := range sigs {
			if _, dup := seen[s]; dup {
				continue
			}
			seen[s] = struct{}{}
			if !fpDone {
				fp, fpErr = info.Fingerprint(storeDir)
				fpDone = true
			}
			if fpErr != nil {
				c.OtherErrs = append(c.OtherErrs, &OtherError{Source: o.Source, Err: fpErr, Stopped: true})
				break
			}
			check := checkSig(keys, fp, s)
			check.From = o.Source
			c.Sigs = append(c.Sigs, check)
			if check.Status == SigMalformed {
				c.OtherErrs = append(c.OtherErrs, &OtherError{Source: o.Source, Err: check.Err, Stopped: true, Sig: s})
				break
			}
			if check.Status == SigValid {
				c.Valid++
			}
		}
	}
}

// ValidFrom returns how many valid signatures each other store's record
// gave, in the order the records came; nil when all are the path's own.
func (c *Count) ValidFrom() []SourceCount {
	var out []SourceCount
	for _, s := range c.Sigs {
		if s.Status != SigValid || s.From == "" {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Source == s.From {
			out[n-1].Valid++
			continue
		}
		out = append(out, SourceCount{Source: s.From, Valid: 1})
	}
	return out
}

// SourceCount is the number of valid signatures that came from one other
// store's record.
type SourceCount struct {
	Source string
	Valid  int
}

// explainOthers adds to b how many of the valid signatures came from other
// stores' records, and from which: "; it comes from file:///c", "; 1 of
// them comes from file:///c", "; all come from file:///c (1), file:///d (2)".
func (c *Count) explainOthers(b *strings.Builder) {
	from := c.ValidFrom()
	if from == nil {
		return
	}
	total := 0
	for _, f := range from {
		total += f.Valid
	}
	switch {
	case c.Valid == 1:
		b.WriteString("; it comes from ")
	case total == c.Valid:
		b.WriteString("; all come from ")
	case total == 1:
		b.WriteString("; 1 of them comes from ")
	default:
		b.WriteString("; ")
		b.WriteString(strconv.Itoa(total))
		b.WriteString(" of them come from ")
	}
	for i, f := range from {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Source)
		if len(from) > 1 {
			b.WriteString(" (")
			b.WriteString(strconv.Itoa(f.Valid))
			b.WriteByte(')')
		}
	}
}
