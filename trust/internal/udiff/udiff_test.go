package udiff

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnifiedExample(t *testing.T) {
	old := "sandbox = false\nextra-trusted-public-keys = a:AAAA\nkeep-outputs = true\n"
	new := "sandbox = false\nextra-trusted-public-keys = a:AAAA test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=\nkeep-outputs = true\n"
	want := `--- /etc/nix/nix.conf
+++ /etc/nix/nix.conf
@@ -1,3 +1,3 @@
 sandbox = false
-extra-trusted-public-keys = a:AAAA
+extra-trusted-public-keys = a:AAAA test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=
 keep-outputs = true
`
	if got := Unified("/etc/nix/nix.conf", "/etc/nix/nix.conf", []byte(old), []byte(new)); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := Unified("a", "b", []byte(old), []byte(old)); got != "" {
		t.Errorf("equal texts: %q", got)
	}
}

// TestUnifiedAgainstDiff compares with diff -u on random edits of random
// texts, when diff is installed.
func TestUnifiedAgainstDiff(t *testing.T) {
	if _, err := exec.LookPath("diff"); err != nil {
		t.Skip("no diff")
	}
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(1, 2))
	text := func() string {
		var b strings.Builder
		n := r.IntN(30)
		for i := 0; i < n; i++ {
			b.WriteString(string(rune('a' + r.IntN(4))))
			if i < n-1 || r.IntN(4) > 0 {
				b.WriteString("\n")
			}
		}
		return b.String()
	}
	for i := 0; i < 200; i++ {
		a, b := text(), text()
		if r.IntN(2) == 0 {
			// A small edit of a.
			l := strings.SplitAfter(a, "\n")
			if len(l) > 0 {
				l[r.IntN(len(l))] = "x\n"
			}
			b = strings.Join(l, "")
		}
		os.WriteFile(filepath.Join(dir, "a"), []byte(a), 0o644)
		os.WriteFile(filepath.Join(dir, "b"), []byte(b), 0o644)
		out, _ := exec.Command("diff", "-u", "--label", "a", "--label", "b", filepath.Join(dir, "a"), filepath.Join(dir, "b")).Output()
		got := Unified("a", "b", []byte(a), []byte(b))
		// Both are minimal diffs; they may pick different lines, so
		// compare what applying each gives: the hunks' sizes.
		if countOps(got) != countOps(string(out)) {
			t.Fatalf("a=%q b=%q\ngot:\n%s\ndiff -u:\n%s", a, b, got, out)
		}
		if strings.Count(got, "\\ No newline") != strings.Count(string(out), "\\ No newline") {
			t.Fatalf("a=%q b=%q\ngot:\n%s\ndiff -u:\n%s", a, b, got, out)
		}
	}
}

func countOps(d string) [2]int {
	var n [2]int
	for _, l := range strings.Split(d, "\n") {
		switch {
		case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"):
		case strings.HasPrefix(l, "-"):
			n[0]++
		case strings.HasPrefix(l, "+"):
			n[1]++
		}
	}
	return n
}
