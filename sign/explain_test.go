package sign

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// explainFmt is Count.explain as it was written with fmt, kept as the
// oracle for the strconv version.
func explainFmt(c *Count, need int) string {
	if c.CA {
		return "content-addressed: its store path is computed from its contents, so no signature is needed"
	}
	quote := func(names []string) []string {
		q := make([]string, len(names))
		for i, n := range names {
			q[i] = fmt.Sprintf("%q", n)
			if n == "" {
				q[i] = "(no key name)"
			}
		}
		return q
	}
	set := func(names []string) []string {
		names = slices.Clone(names)
		slices.Sort(names)
		return slices.Compact(names)
	}
	var b strings.Builder
	if c.Valid == 1 {
		b.WriteString("1 valid signature")
	} else {
		fmt.Fprintf(&b, "%d valid signatures", c.Valid)
	}
	fmt.Fprintf(&b, ", %d needed", need)
	if keys := c.ValidKeys(); len(keys) > 0 {
		fmt.Fprintf(&b, " (by %s)", strings.Join(quote(keys), ", "))
	}
	if c.Valid < need {
		var unknown, invalid []string
		for _, s := range c.Sigs {
			switch s.Status {
			case SigUnknownKey:
				unknown = append(unknown, s.KeyName)
			case SigInvalid:
				invalid = append(invalid, s.KeyName)
			}
		}
		switch {
		case len(c.Sigs) == 0:
			b.WriteString("; it has no signatures")
		case len(invalid) > 0:
			fmt.Fprintf(&b, "; the signature by trusted key %s does not verify: a different key has that name here, or the path is not what was signed",
				strings.Join(quote(set(invalid)), ", "))
		}
		if len(unknown) > 0 {
			fmt.Fprintf(&b, "; signed by keys not trusted here: %s", strings.Join(quote(set(unknown)), ", "))
		}
	}
	if c.FalseCA {
		b.WriteString("; it claims to be content-addressed but isn't")
	}
	return b.String()
}

// The reasons read as they did when fmt wrote them, for every mix of
// statuses, odd key names included.
func TestExplainText(t *testing.T) {
	names := []string{"k1", "", "b\"q", "k1", "ünï", "a b"}
	statuses := []SigStatus{SigValid, SigInvalid, SigUnknownKey, SigMalformed}
	for mask := 0; mask < 1<<len(names); mask++ {
		for st := range 4 {
			var c Count
			for i, n := range names {
				if mask&(1<<i) != 0 {
					s := statuses[(i+st)%len(statuses)]
					c.Sigs = append(c.Sigs, SigCheck{Sig: n + ":x", KeyName: n, Status: s})
					if s == SigValid {
						c.Valid++
					}
				}
			}
			c.FalseCA = mask%3 == 0
			for need := 1; need <= 3; need++ {
				if got, want := c.explain(need), explainFmt(&c, need); got != want {
					t.Fatalf("%+v, need %d:\n got %q\nwant %q", c, need, got, want)
				}
			}
		}
	}
	ca := Count{CA: true, Valid: Infinite}
	if got, want := ca.explain(1), explainFmt(&ca, 1); got != want {
		t.Errorf("CA: %q, want %q", got, want)
	}
}
