package udiff

import (
	"strings"
	"testing"
)

// FuzzUnified checks that Unified never panics, is empty exactly for equal
// texts, and that its '-' and '+' lines are lines of the old and new text.
func FuzzUnified(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nx\nc\n")
	f.Add("", "a")
	f.Add("a\nb", "a\nb\n")
	f.Fuzz(func(t *testing.T, old, new string) {
		d := Unified("a", "b", []byte(old), []byte(new))
		if (d == "") != (old == new) {
			t.Fatalf("diff %q for %q -> %q", d, old, new)
		}
		for _, l := range strings.Split(d, "\n") {
			switch {
			case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"):
			case strings.HasPrefix(l, "-") && !strings.Contains(old, l[1:]):
				t.Fatalf("removed line %q not in old", l)
			case strings.HasPrefix(l, "+") && !strings.Contains(new, l[1:]):
				t.Fatalf("added line %q not in new", l)
			}
		}
	})
}
