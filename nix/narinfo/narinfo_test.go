package narinfo

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/nix/storepath"
)

const vectors = "../../testdata/vectors/"

func readVector(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(vectors + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func narinfoVectors(t testing.TB) []string {
	t.Helper()
	names, err := filepath.Glob(vectors + "*.narinfo")
	if err != nil || len(names) < 3 {
		t.Fatalf("narinfo vectors: %v %v", names, err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

func TestVectorsRoundTrip(t *testing.T) {
	for _, name := range narinfoVectors(t) {
		t.Run(name, func(t *testing.T) {
			data := readVector(t, name)
			n, err := Parse(storepath.DefaultDir, data, name)
			if err != nil {
				t.Fatal(err)
			}
			if got := n.String(); got != string(data) {
				t.Errorf("String() =\n%s\nwant\n%s", got, data)
			}
			n2, err := Parse(storepath.DefaultDir, []byte(n.String()), name)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(n, n2) {
				t.Errorf("Parse(String()) = %+v, want %+v", n2, n)
			}
		})
	}
}

func TestVectorFields(t *testing.T) {
	n, err := Parse(storepath.DefaultDir, readVector(t, "l5jifip347hnkb691a1ks3v6ig2vm67z.narinfo"), "l5ji.narinfo")
	if err != nil {
		t.Fatal(err)
	}
	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	check("Path", n.Path(), "/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev")
	check("URL", n.URL, "nar/0lqd8fq6zjc1vwn9qzbasmarq0ca2p0dsa2p6mhj1b217dg0yw8j.nar.xz")
	check("Compression", n.Compression, "xz")
	check("FileHash", n.FileHash.String(), "sha256:0lqd8fq6zjc1vwn9qzbasmarq0ca2p0dsa2p6mhj1b217dg0yw8j")
	check("NarHash", n.NarHash.String(), "sha256:12frmx2v5shc4x9rcc6az9xbb5x4aw2f4an24p7gqx2qbrzsgvws")
	check("Deriver", n.Deriver, "509vmzxssa8q7cbjzr7dban5scdp6693-sigtest-a.drv")
	check("System", n.System, "")
	check("CA", n.CA, "")
	if n.FileSize != 216 || n.NarSize != 224 {
		t.Errorf("sizes = %d, %d", n.FileSize, n.NarSize)
	}
	wantRefs := []string{
		"/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh",
		"/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a",
	}
	if got := n.ReferencePaths(); !slices.Equal(got, wantRefs) {
		t.Errorf("ReferencePaths() = %q", got)
	}
	if len(n.Sigs) != 1 || !strings.HasPrefix(n.Sigs[0], "test-key-1:aJMYrYPg") {
		t.Errorf("Sigs = %q", n.Sigs)
	}
}

// z45a is the vector with a CA and no references; the cases edit it.
func z45a(t testing.TB) string {
	return string(readVector(t, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo"))
}

// edit replaces the line starting with key+": " (or appends when old is "").
func edit(s, old, new string) string {
	if old == "" {
		return s + new
	}
	i := strings.Index(s, old)
	if i < 0 {
		panic(old)
	}
	j := i + strings.IndexByte(s[i:], '\n') + 1
	return s[:i] + new + s[j:]
}

const (
	refRun   = "hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh"
	refHello = "z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"
	caHello  = "fixed:r:sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil"
)

// parseCase is a mutation of the z45a vector and what Nix 2.8.0 makes of it
// (checked against real Nix in TestNixAgrees).
type parseCase struct {
	name  string
	edit  func(string) string
	err   string         // substring of the error; "" when accepted
	check func(*NarInfo) // when accepted
}

func parseCases(t testing.TB) []parseCase {
	narSize := func(want uint64) func(*NarInfo) {
		return func(n *NarInfo) {
			if n.NarSize != want {
				t.Errorf("NarSize = %d, want %d", n.NarSize, want)
			}
		}
	}
	refs := func(want ...string) func(*NarInfo) {
		return func(n *NarInfo) {
			var got []string
			for _, r := range n.References {
				got = append(got, r.Base())
			}
			if !slices.Equal(got, want) {
				t.Errorf("References = %q, want %q", got, want)
			}
		}
	}
	return []parseCase{
		{name: "vector", edit: func(s string) string { return s }},
		{name: "NarSize plus", edit: func(s string) string { return edit(s, "NarSize:", "NarSize: +128\n") }, check: narSize(128)},
		{name: "NarSize leading zero", edit: func(s string) string { return edit(s, "NarSize:", "NarSize: 0128\n") }, check: narSize(128)},
		{name: "NarSize max", edit: func(s string) string { return edit(s, "NarSize:", "NarSize: 18446744073709551615\n") }, check: narSize(1<<64 - 1)},
		{name: "NarSize overflow", edit: func(s string) string { return edit(s, "NarSize:", "NarSize: 18446744073709551616\n") }, err: "line 7: invalid NarSize"},
		{name: "NarSize space", edit: func(s string) string { return edit(s, "NarSize:", "NarSize:  128\n") }, err: "line 7: invalid NarSize"},
		{name: "NarSize trailing space", edit: func(s string) string { return edit(s, "NarSize:", "NarSize: 128 \n") }, err: "invalid NarSize"},
		{name: "NarSize empty", edit: func(s string) string { return edit(s, "NarSize:", "NarSize: \n") }, err: "invalid NarSize"},
		{name: "NarSize plus only", edit: func(s string) string { return edit(s, "NarSize:", "NarSize: +\n") }, err: "invalid NarSize"},
		{name: "NarSize hex", edit: func(s string) string { return edit(s, "NarSize:", "NarSize: 0x10\n") }, err: "invalid NarSize"},
		{name: "NarSize minus zero", edit: func(s string) string { return edit(s, "NarSize:", "NarSize: -0\n") }, err: "invalid NarSize"},
		{name: "NarSize zero", edit: func(s string) string { return edit(s, "NarSize:", "NarSize: 00\n") }, err: "is corrupt: NarSize missing or zero"},
		{name: "byte after colon unchecked", edit: func(s string) string { return edit(s, "NarSize:", "NarSize:X128\n") }, check: narSize(128)},
		{name: "refs spaces dups", edit: func(s string) string {
			return edit(s, "References:", "References:  "+refHello+"  "+refRun+" "+refHello+"\n")
		}, check: refs(refRun, refHello)},
		{name: "refs twice", edit: func(s string) string {
			return edit(s, "", "References: "+refRun+"\nReferences: "+refRun+"\n")
		}, err: "line 12: extra References"},
		{name: "refs after empty", edit: func(s string) string { return edit(s, "", "References: "+refRun+"\n") }, check: refs(refRun)},
		{name: "empty refs after refs", edit: func(s string) string {
			return edit(s, "", "References: "+refRun+"\nReferences: \n")
		}, err: "line 12: extra References"},
		{name: "bad ref", edit: func(s string) string { return edit(s, "References:", "References: foo\n") }, err: "line 8: References:"},
		{name: "CA twice", edit: func(s string) string { return edit(s, "", "CA: "+caHello+"\n") }, err: "line 11: extra CA"},
		{name: "CA empty then set", edit: func(s string) string {
			return edit(s, "CA:", "CA: \nCA: "+caHello+"\n")
		}, check: func(n *NarInfo) {
			if n.CA != caHello {
				t.Errorf("CA = %q", n.CA)
			}
		}},
		{name: "CA base16", edit: func(s string) string {
			return edit(s, "CA:", "CA: fixed:r:sha256:34ca3ac63094d1d5751f741101692a78f95eedf10744b088129fc324dfd0f603\n")
		}, check: func(n *NarInfo) {
			if n.CA != caHello {
				t.Errorf("CA = %q, want it in nix32", n.CA)
			}
		}},
		{name: "CA SRI", edit: func(s string) string {
			return edit(s, "CA:", "CA: fixed:r:sha256-NMo6xjCU0dV1H3QRAWkqePle7fEHRLCIEp/DJN/Q9gM=\n")
		}, err: "line 10: CA:"},
		{name: "NarHash SRI", edit: func(s string) string {
			return edit(s, "NarHash:", "NarHash: sha256-NMo6xjCU0dV1H3QRAWkqePle7fEHRLCIEp/DJN/Q9gM=\n")
		}},
		{name: "NarHash bad", edit: func(s string) string { return edit(s, "NarHash:", "NarHash: sha256:xyz\n") }, err: "line 6: NarHash:"},
		{name: "StorePath unclean", edit: func(s string) string {
			return edit(s, "StorePath:", "StorePath: /nix/store//"+refHello+"/\n")
		}},
		{name: "StorePath elsewhere", edit: func(s string) string {
			return edit(s, "StorePath:", "StorePath: /other/"+refHello+"\n")
		}, err: "line 1: StorePath:"},
		{name: "sigs unknown keys", edit: func(s string) string {
			return edit(s, "", "Sig: b\nSig: a\nSig: b\nDeriver: unknown-deriver\nCompression: \nSystem: x86_64-linux\nFoo: bar\n")
		}, check: func(n *NarInfo) {
			if len(n.Sigs) != 3 || n.Sigs[0] != "a" || n.Sigs[1] != "b" {
				t.Errorf("Sigs = %q", n.Sigs)
			}
			if n.Compression != "bzip2" || n.Deriver != "" || n.System != "x86_64-linux" {
				t.Errorf("Compression %q Deriver %q System %q", n.Compression, n.Deriver, n.System)
			}
		}},
		{name: "Deriver empty", edit: func(s string) string { return edit(s, "", "Deriver: \n") }, err: "line 11: Deriver:"},
		{name: "empty key line swallows next", edit: func(s string) string { return "Foo:\n" + s }, err: "is corrupt: StorePath missing"},
		{name: "URL from next line", edit: func(s string) string { return edit(s, "URL:", "URL:\nnar/x.nar\n") }, check: func(n *NarInfo) {
			if n.URL != "nar/x.nar" {
				t.Errorf("URL = %q", n.URL)
			}
		}},
		{name: "no colon joins next line", edit: func(s string) string { return "garbage\n" + s }, err: "is corrupt: StorePath missing"},
		{name: "no colon hides a Sig", edit: func(s string) string {
			return strings.Replace(s, "Sig: ", "garbage\nSig: ", 1)
		}, check: func(n *NarInfo) {
			if len(n.Sigs) != 0 {
				t.Errorf("Sigs = %q, want none: the key is \"garbage\\nSig\"", n.Sigs)
			}
		}},
		{name: "no colon", edit: func(s string) string { return s + "garbage\n" }, err: "line 11: expecting ':'"},
		{name: "no final newline", edit: func(s string) string { return strings.TrimSuffix(s, "\n") }, err: `line 10: expecting '\n'`},
		{name: "URL empty", edit: func(s string) string { return edit(s, "URL:", "URL: \n") }, err: "is corrupt: URL missing"},
		{name: "NarHash missing", edit: func(s string) string { return edit(s, "NarHash:", "") }, err: "is corrupt: NarHash missing"},
	}
}

func TestParseCases(t *testing.T) {
	base := z45a(t)
	for _, c := range parseCases(t) {
		t.Run(c.name, func(t *testing.T) {
			in := c.edit(base)
			n, err := Parse(storepath.DefaultDir, []byte(in), "x.narinfo")
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || n != nil {
					t.Fatalf("Parse = %v, %v; want error containing %q", n, err, c.err)
				}
				if !strings.HasPrefix(err.Error(), "NAR info file 'x.narinfo' is corrupt: ") {
					t.Errorf("error %q lacks the Nix prefix", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.check != nil {
				c.check(n)
			}
			n2, err := Parse(storepath.DefaultDir, []byte(n.String()), "x")
			if err != nil || !reflect.DeepEqual(n, n2) {
				t.Errorf("String() does not round-trip: %v\n%s", err, n)
			}
		})
	}
}

func TestStringOptionalLines(t *testing.T) {
	n, err := Parse(storepath.DefaultDir, readVector(t, "two-sigs.narinfo"), "two-sigs")
	if err != nil {
		t.Fatal(err)
	}
	// Unsorted, duplicated slices are written as Nix's sets would be.
	n.Sigs = []string{"z:2", "a:1", "z:2"}
	n.References = append(n.References, n.References[0], n.StorePath)
	n.FileHash.Algo, n.FileHash.Digest, n.FileSize = 0, nil, 0
	n.System = "x86_64-linux"
	n.CA = caHello
	want := `StorePath: /nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a
URL: nar/1zdifhycixj3w2zz9g1kdgwl4r0p3gfks7n26vr7ablc2yc6cwkr.nar
Compression: none
NarHash: sha256:1zdifhycixj3w2zz9g1kdgwl4r0p3gfks7n26vr7ablc2yc6cwkr
NarSize: 168
References: qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt
Deriver: 509vmzxssa8q7cbjzr7dban5scdp6693-sigtest-a.drv
System: x86_64-linux
Sig: a:1
Sig: z:2
CA: ` + caHello + "\n"
	if got := n.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
}

func BenchmarkParse(b *testing.B) {
	data := readVector(b, "l5jifip347hnkb691a1ks3v6ig2vm67z.narinfo")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(storepath.DefaultDir, data, "x"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkString(b *testing.B) {
	n, err := Parse(storepath.DefaultDir, readVector(b, "two-sigs.narinfo"), "x")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_ = n.String()
	}
}
