package drv

import (
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const vector = "../../testdata/vectors/sigtest-a.drv"

func readVector(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(vector)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVector(t *testing.T) {
	data := readVector(t)
	d, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	wantOuts := []Output{
		{Name: "dev", Path: "/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev"},
		{Name: "out", Path: "/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a"},
	}
	if !reflect.DeepEqual(d.Outputs, wantOuts) {
		t.Errorf("Outputs = %+v", d.Outputs)
	}
	for _, o := range d.Outputs {
		if o.Kind() != InputAddressed {
			t.Errorf("%s: Kind() = %v", o.Name, o.Kind())
		}
	}
	paths, err := d.OutputPaths()
	if err != nil || !slices.Equal(paths, []string{wantOuts[0].Path, wantOuts[1].Path}) {
		t.Errorf("OutputPaths() = %q, %v", paths, err)
	}
	if len(d.InputDrvs) != 0 {
		t.Errorf("InputDrvs = %v", d.InputDrvs)
	}
	wantSrcs := []string{
		"/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh",
		"/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt",
	}
	if !slices.Equal(d.InputSrcs, wantSrcs) {
		t.Errorf("InputSrcs = %q", d.InputSrcs)
	}
	if d.Platform != "x86_64-linux" || d.Builder != "/bin/sh" || len(d.Args) != 2 || d.Args[0] != "-c" {
		t.Errorf("Platform %q Builder %q Args %q", d.Platform, d.Builder, d.Args)
	}
	if v, _ := d.Getenv("weird"); v != "quote\" backslash\\ nl\n tab\t cr\r end" {
		t.Errorf("weird = %q", v)
	}
	if v, ok := d.Getenv("outputs"); v != "out dev" || !ok {
		t.Errorf("outputs = %q", v)
	}
	if _, ok := d.Getenv("nope"); ok {
		t.Error("Getenv(nope) found")
	}
	if len(d.Env) != 7 {
		t.Errorf("Env has %d variables, want 7", len(d.Env))
	}
	if got := d.String(); got != string(data) {
		t.Errorf("String() =\n%s\nwant\n%s", got, data)
	}
}

func TestCheckPaths(t *testing.T) {
	d, err := Parse(readVector(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.CheckPaths("/nix/store"); err != nil {
		t.Error(err)
	}
	if err := d.CheckPaths("/other/store"); err == nil || !strings.Contains(err.Error(), `output "dev"`) {
		t.Errorf("CheckPaths(/other/store) = %v", err)
	}
	d.Outputs = nil
	d.InputSrcs = append(d.InputSrcs, "/nix/store/bad")
	if err := d.CheckPaths("/nix/store"); err == nil || !strings.Contains(err.Error(), "input source") {
		t.Errorf("CheckPaths = %v", err)
	}
}

// TestTruncated checks that every proper prefix of the vector fails, with an
// offset inside the input.
func TestTruncated(t *testing.T) {
	data := readVector(t)
	for i := range len(data) {
		d, err := Parse(data[:i])
		var se *SyntaxError
		if err == nil || d != nil || !errors.As(err, &se) || se.Offset < 0 || se.Offset > i {
			t.Fatalf("Parse(data[:%d]) = %v, %v", i, d, err)
		}
	}
}

// TestMangled changes every byte of the vector to a few others: Parse must
// not panic, and what it accepts must round-trip.
func TestMangled(t *testing.T) {
	data := readVector(t)
	for i := range data {
		for _, c := range []byte{'"', '\\', ',', '(', ')', '[', ']', 'n', '/', 0} {
			m := slices.Clone(data)
			m[i] = c
			roundTrip(t, m)
		}
	}
}

func roundTrip(t *testing.T, data []byte) {
	t.Helper()
	d, err := Parse(data)
	if err != nil {
		if d != nil {
			t.Fatalf("Parse returned %v with error %v", d, err)
		}
		return
	}
	s := d.String()
	d2, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse(String()): %v\ninput  %q\noutput %q", err, data, s)
	}
	if !reflect.DeepEqual(d, d2) {
		t.Fatalf("Parse(String()) = %+v, want %+v", d2, d)
	}
	if d2.String() != s {
		t.Fatalf("String() is not canonical: %q", s)
	}
}

const (
	p1  = "/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-a"
	p2  = "/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-b"
	h16 = "34ca3ac63094d1d5751f741101692a78f95eedf10744b088129fc324dfd0f603"
	h32 = "00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil"
)

// wrap builds a .drv from its outputs, inputDrvs and env lists.
func wrap(outs, inDrvs, env string) string {
	return `Derive([` + outs + `],[` + inDrvs + `],[],"x86_64-linux","/bin/sh",[],[` + env + `])`
}

func TestParseCases(t *testing.T) {
	out := `("out","` + p1 + `","","")`
	cases := []struct {
		name, in string
		err      string // substring of the error; "" when accepted
		want     string // String() when accepted and not canonical
	}{
		{name: "minimal", in: wrap(out, "", "")},
		{name: "no outputs", in: wrap("", "", "")},
		{name: "fixed", in: wrap(`("out","`+p1+`","r:sha256","`+h16+`")`, "", "")},
		{name: "fixed flat sha1", in: wrap(`("out","`+p1+`","sha1","0123456789abcdef0123456789abcdef01234567")`, "", "")},
		{name: "fixed nix32", in: wrap(`("out","`+p1+`","r:sha256","`+h32+`")`, "", ""),
			want: wrap(`("out","`+p1+`","r:sha256","`+h16+`")`, "", "")},
		{name: "floating", in: wrap(`("out","","r:sha256","")`, "", "")},
		{name: "deferred", in: wrap(`("out","","","")`, "", "")},
		{name: "impure", in: wrap(`("out","","r:sha256","impure")`, "", "")},
		{name: "input drvs", in: wrap(out, `("`+p1+`.drv",["dev","out"]),("`+p2+`.drv",[])`, "")},
		{name: "escapes", in: wrap(out, "", `("a\"\\\n\r\t","\x\y\\")`), want: wrap(out, "", `("a\"\\\n\r\t","xy\\")`)},
		{name: "raw control bytes", in: wrap(out, "", "(\"k\",\"a\nb\tc\rd\x00\xff\")"), want: wrap(out, "", `("k","a\nb\tc\rd`+"\x00\xff"+`")`)},
		{name: "escaped plain", in: wrap(`("\o\ut","`+p1+`","","")`, "", ""), want: wrap(out, "", "")},

		{name: "empty", in: "", err: `byte 0: expected "Derive(", found ""`},
		{name: "magic", in: "Derivx([", err: `byte 0: expected "Derive("`},
		{name: "trailing", in: wrap(out, "", "") + "\n", err: "byte 108: trailing data"},
		{name: "trailing comma", in: wrap(out+",", "", ""), err: `byte 70: expected '(', found ']'`},
		{name: "leading comma", in: wrap(","+out, "", ""), err: `byte 8: expected '('`},
		{name: "no comma", in: wrap(out+out, "", ""), err: `byte 69: expected ',' or ']', found '('`},
		{name: "space", in: wrap(out, "", ` ("a","b")`), err: `expected '('`},
		{name: "unterminated", in: `Derive([("out`, err: "byte 9: unterminated string"},
		{name: "lone backslash", in: `Derive([("out\`, err: "byte 9: unterminated string"},
		{name: "unsorted outputs", in: wrap(`("out","`+p1+`","",""),("dev","`+p2+`","","")`, "", ""), err: `byte 71: output "dev" not sorted after "out"`},
		{name: "duplicate output", in: wrap(out+","+out, "", ""), err: `duplicate output "out"`},
		{name: "relative output path", in: wrap(`("out","nix/store/x","","")`, "", ""), err: `output "out": bad path "nix/store/x"`},
		{name: "hash without algo", in: wrap(`("out","`+p1+`","","`+h16+`")`, "", ""), err: "without a hash algorithm"},
		{name: "unknown algo", in: wrap(`("out","`+p1+`","r:sha3","`+h16+`")`, "", ""), err: `unknown hash algorithm "sha3"`},
		{name: "bad hash", in: wrap(`("out","`+p1+`","sha256","abc")`, "", ""), err: "wrong length"},
		{name: "fixed without path", in: wrap(`("out","","sha256","`+h16+`")`, "", ""), err: `bad path ""`},
		{name: "floating with path", in: wrap(`("out","`+p1+`","sha256","")`, "", ""), err: "floating content-addressed output has a path"},
		{name: "impure with path", in: wrap(`("out","`+p1+`","sha256","impure")`, "", ""), err: "impure output has a path"},
		{name: "quote in plain", in: wrap(`("o\"ut","`+p1+`","","")`, "", ""), err: "holds a byte that Nix would not escape"},
		{name: "newline in platform", in: `Derive([],[],[],"x\n","/bin/sh",[],[])`, err: "byte 16: platform"},
		{name: "relative input drv", in: wrap(out, `("x.drv",[])`, ""), err: `bad input derivation "x.drv"`},
		{name: "unsorted input drvs", in: wrap(out, `("`+p2+`.drv",[]),("`+p1+`.drv",[])`, ""), err: "not sorted"},
		{name: "unsorted drv outputs", in: wrap(out, `("`+p1+`.drv",["out","dev"])`, ""), err: `output name "dev" not sorted after "out"`},
		{name: "duplicate input src", in: `Derive([],[],["/a","/a"],"x","b",[],[])`, err: `byte 19: duplicate input source "/a"`},
		{name: "relative input src", in: `Derive([],[],["a"],"x","b",[],[])`, err: `bad input source "a"`},
		{name: "unsorted env", in: wrap(out, "", `("b",""),("a","")`), err: `env variable "a" not sorted after "b"`},
		{name: "duplicate env", in: wrap(out, "", `("a",""),("a","")`), err: `duplicate env variable "a"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Parse([]byte(c.in))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("Parse(%q) = %v, %v; want error containing %q", c.in, d, err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.in, err)
			}
			want := c.want
			if want == "" {
				want = c.in
			}
			if got := d.String(); got != want {
				t.Errorf("String() =\n%s\nwant\n%s", got, want)
			}
			roundTrip(t, []byte(c.in))
		})
	}
}

func TestKinds(t *testing.T) {
	d, err := Parse([]byte(wrap(`("a","","r:sha256","impure"),("b","","",""),("c","","sha256",""),`+
		`("d","`+p1+`","",""),("out","`+p2+`","r:sha256","`+h16+`")`, "", "")))
	if err != nil {
		t.Fatal(err)
	}
	want := []OutputKind{Impure, Deferred, CAFloating, InputAddressed, CAFixed}
	for i, o := range d.Outputs {
		if o.Kind() != want[i] || o.Kind().HasPath() != (o.Path != "") {
			t.Errorf("%s: Kind() = %v, want %v", o.Name, o.Kind(), want[i])
		}
	}
	_, err = d.OutputPaths()
	if !errors.Is(err, ErrNoPath) || !strings.Contains(err.Error(), `output "a" is impure`) {
		t.Errorf("OutputPaths() error = %v", err)
	}
	if o, ok := d.Output("c"); !ok || o.HashAlgo != "sha256" {
		t.Errorf("Output(c) = %v, %v", o, ok)
	}
	if _, ok := d.Output("zz"); ok {
		t.Error("Output(zz) found")
	}
}

func TestStringSorts(t *testing.T) {
	d := &Derivation{
		Outputs:   []Output{{Name: "out", Path: p2}, {Name: "dev", Path: p1}},
		InputDrvs: []InputDrv{{Path: p2 + ".drv", Outputs: []string{"out", "dev"}}, {Path: p1 + ".drv"}},
		InputSrcs: []string{p2, p1},
		Platform:  "x86_64-linux",
		Builder:   "/bin/sh",
		Args:      []string{"b", "a"},
		Env:       []EnvVar{{"z", "1"}, {"a", "\"2\""}},
	}
	want := `Derive([("dev","` + p1 + `","",""),("out","` + p2 + `","","")],` +
		`[("` + p1 + `.drv",[]),("` + p2 + `.drv",["dev","out"])],["` + p1 + `","` + p2 + `"],` +
		`"x86_64-linux","/bin/sh",["b","a"],[("a","\"2\""),("z","1")])`
	if got := d.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
	if d.Outputs[0].Name != "out" || d.InputSrcs[0] != p2 || d.InputDrvs[0].Outputs[0] != "out" {
		t.Error("String() reordered the Derivation")
	}
}

func BenchmarkParse(b *testing.B) {
	data := readVector(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkString(b *testing.B) {
	d, err := Parse(readVector(b))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_ = d.String()
	}
}
