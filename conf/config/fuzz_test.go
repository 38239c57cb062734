package config

import "testing"

// FuzzLoad checks that Parse never panics, returns nil with every error, and
// gives every value its line. (conf/internal/tomlscan's FuzzScan checks the
// statement scanner against the TOML parser.)
func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		"key_file = \"/k\"\nstore = \"daemon\"\nrecursive = true\n",
		"push_to = 'file:///c'\non_error = \"warn\"\nlog_file = \"/l\"\n",
		"a.b.c = 1\n[t]\nx = [1, [2, {y = 3}], \"\"\"\n]\n\"\"\"]\n[[u]]\n'q'.\"r\" = 1979-05-27 07:32:00Z\n",
		"s = '''\n[x]\n'''\nt = { a = { b = 1 }, c = [] }\n",
		"\xef\xbb\xbfkey_file = \"/k\" # c\r\n",
		"key_file = \"k\"\nbogus = 1\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("f.toml", data)
		if err != nil && c != nil {
			t.Fatal("config returned with an error")
		}
		if err == nil {
			for k, s := range c.src {
				if s.Line <= 0 {
					t.Errorf("%s has no line", k)
				}
			}
		}
	})
}
