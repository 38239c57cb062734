package tomlscan

import (
	"testing"

	"github.com/BurntSushi/toml"
)

// FuzzScan checks that Scan never panics, returns nothing with an error,
// accepts whatever the TOML parser accepts, and finds the same top-level keys
// (so that every value gets its line).
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"key_file = \"/k\"\nstore = \"daemon\"\nrecursive = true\n",
		"push_to = 'file:///c'\non_error = \"warn\"\nlog_file = \"/l\"\n",
		"a.b.c = 1\n[t]\nx = [1, [2, {y = 3}], \"\"\"\n]\n\"\"\"]\n[[u]]\n'q'.\"r\" = 1979-05-27 07:32:00Z\n",
		"s = '''\n[x]\n'''\nt = { a = { b = 1 }, c = [] }\n",
		"\xef\xbb\xbfkey_file = \"/k\" # c\r\n",
		"key_file = \"k\"\nbogus = 1\n",
		"a = \"\"\"\n[publish]\n\"\"\"\n",
		"publish.x.y = 1\n[b]\nc = [1, {d = 2}]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if stmts, err := Scan(data); err != nil && stmts != nil {
			t.Fatal("statements returned with an error")
		}
		var doc map[string]any
		if _, err := toml.Decode(string(data), &doc); err != nil {
			return
		}
		stmts, err := Scan(data)
		if err != nil {
			t.Fatalf("scanner rejects valid TOML: %v\n%q", err, data)
		}
		seen := map[string]bool{}
		for _, st := range stmts {
			seen[st.Path[0]] = true
		}
		for k := range doc {
			if !seen[k] {
				t.Fatalf("scanner misses key %q in\n%q", k, data)
			}
		}
		if len(seen) != len(doc) {
			t.Fatalf("scanner finds keys %v, parser %v in\n%q", seen, doc, data)
		}
	})
}
