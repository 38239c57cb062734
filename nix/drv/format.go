package drv

import (
	"slices"
	"strings"
)

// String returns the derivation in ATerm form exactly as Nix's
// Derivation::unparse writes it. The builder, args and env are escaped as
// printString does; the other strings are written as they are. Lists that
// Nix keeps sorted are written sorted.
func (d *Derivation) String() string {
	return string(d.Append(nil))
}

// Append appends the derivation's ATerm form, as String returns it, to b.
func (d *Derivation) Append(b []byte) []byte {
	b = slices.Grow(b, d.sizeHint())
	b = append(b, "Derive(["...)
	outs := sortedBy(d.Outputs, func(o Output) string { return o.Name })
	for i, o := range outs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '(')
		b = appendPlain(b, o.Name)
		b = append(b, ',')
		b = appendPlain(b, o.Path)
		b = append(b, ',')
		b = appendPlain(b, o.HashAlgo)
		b = append(b, ',')
		b = appendPlain(b, o.Hash)
		b = append(b, ')')
	}
	b = append(b, "],["...)
	for i, in := range sortedBy(d.InputDrvs, func(in InputDrv) string { return in.Path }) {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '(')
		b = appendPlain(b, in.Path)
		b = append(b, ",["...)
		b = appendPlains(b, in.Outputs)
		b = append(b, "])"...)
	}
	b = append(b, "],["...)
	b = appendPlains(b, d.InputSrcs)
	b = append(b, "],"...)
	b = appendPlain(b, d.Platform)
	b = append(b, ',')
	b = appendEscaped(b, d.Builder)
	b = append(b, ",["...)
	for i, a := range d.Args {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendEscaped(b, a)
	}
	b = append(b, "],["...)
	for i, e := range sortedBy(d.Env, func(e EnvVar) string { return e.Name }) {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '(')
		b = appendEscaped(b, e.Name)
		b = append(b, ',')
		b = appendEscaped(b, e.Value)
		b = append(b, ')')
	}
	return append(b, "])"...)
}

// sizeHint estimates the length of the ATerm form.
func (d *Derivation) sizeHint() int {
	n := 64 + len(d.Platform) + len(d.Builder)
	for _, o := range d.Outputs {
		n += 16 + len(o.Name) + len(o.Path) + len(o.HashAlgo) + len(o.Hash)
	}
	for _, in := range d.InputDrvs {
		n += 8 + len(in.Path)
		for _, o := range in.Outputs {
			n += 3 + len(o)
		}
	}
	for _, s := range d.InputSrcs {
		n += 3 + len(s)
	}
	for _, a := range d.Args {
		n += 3 + len(a)
	}
	for _, e := range d.Env {
		n += 6 + len(e.Name) + len(e.Value)
	}
	return n + n/16
}

// sortedBy returns list, or a sorted copy when it is not sorted by key.
func sortedBy[T any](list []T, key func(T) string) []T {
	cmp := func(a, b T) int { return strings.Compare(key(a), key(b)) }
	if slices.IsSortedFunc(list, cmp) {
		return list
	}
	list = slices.Clone(list)
	slices.SortStableFunc(list, cmp)
	return list
}

// appendPlains appends a sorted, comma-separated list of unescaped strings.
func appendPlains(b []byte, list []string) []byte {
	if !slices.IsSorted(list) {
		list = slices.Sorted(slices.Values(list))
	}
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPlain(b, s)
	}
	return b
}

// appendPlain appends s in quotes without escaping, as Nix's
// printUnquotedString does.
func appendPlain(b []byte, s string) []byte {
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendEscaped appends s in quotes, escaped as Nix's printString does.
func appendEscaped(b []byte, s string) []byte {
	b = append(b, '"')
	for {
		i := strings.IndexAny(s, "\"\\\n\r\t")
		if i < 0 {
			break
		}
		b = append(b, s[:i]...)
		switch c := s[i]; c {
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		default:
			b = append(b, '\\', c)
		}
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}
