package storepath

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	p, err := Parse(DefaultDir, "/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt")
	if err != nil || p.Digest != "z45ailnkm27lnvhimqkhy08f6sh5m17d" || p.Name != "hello.txt" {
		t.Fatalf("Parse = %+v, %v", p, err)
	}
	if got := p.Abs(DefaultDir); got != "/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt" {
		t.Errorf("Abs = %s", got)
	}
	if _, err := Parse(DefaultDir, "/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt/"); err != nil {
		t.Errorf("trailing slash: %v", err)
	}
	for _, bad := range []string{
		"", "nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt",
		"/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt/bin/sh",
		"/nix/other/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt",
		"/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d",
		"/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-",
		"/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17e-hello.txt",
		"/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17dxhello.txt",
		"/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello world",
	} {
		if p, err := Parse(DefaultDir, bad); err == nil {
			t.Errorf("Parse(%q) = %+v, want error", bad, p)
		}
	}
}

func TestValidateName(t *testing.T) {
	for name, ok := range map[string]bool{
		"hello": true, ".hidden": true, "..x": true, "a-.b": true, "+-._?=": true,
		"": false, ".": false, "..": false, ".-x": false, "..-x": false, "a b": false, "a/b": false,
		"é": false, strings.Repeat("a", 211): true, strings.Repeat("a", 212): false,
	} {
		if err := ValidateName(name); (err == nil) != ok {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

func TestDirFrom(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	if d := DirFrom(get); d != DefaultDir {
		t.Errorf("default = %s", d)
	}
	env["NIX_STORE"] = "/b/"
	if d := DirFrom(get); d != "/b" {
		t.Errorf("NIX_STORE = %s", d)
	}
	env["NIX_STORE_DIR"] = "/a"
	if d := DirFrom(get); d != "/a" {
		t.Errorf("NIX_STORE_DIR = %s", d)
	}
}

// TestMakeCA recomputes the paths of `nix-store --add` (path-info.json, real
// Nix 2.8.0) from their content addresses.
func TestMakeCA(t *testing.T) {
	data, err := os.ReadFile("../../testdata/vectors/path-info.json")
	if err != nil {
		t.Fatal(err)
	}
	var infos []struct {
		Path       string
		CA         string
		References []string
	}
	if err := json.Unmarshal(data, &infos); err != nil {
		t.Fatal(err)
	}
	if len(infos) != 3 {
		t.Fatalf("%d infos", len(infos))
	}
	for _, info := range infos {
		want, err := Parse(DefaultDir, info.Path)
		if err != nil {
			t.Fatal(err)
		}
		ca, err := ParseCA(info.CA)
		if err != nil {
			t.Fatal(err)
		}
		if ca.String() != info.CA {
			t.Errorf("CA round trip %q -> %q", info.CA, ca)
		}
		got, err := MakeCA(DefaultDir, ca, want.Name, info.References, false)
		if err != nil || got != want {
			t.Errorf("MakeCA(%s) = %v, %v; want %v", info.CA, got, err, want)
		}
		// The store dir is part of the path.
		if other, _ := MakeCA("/other/store", ca, want.Name, nil, false); other == want {
			t.Errorf("store dir ignored")
		}
		// So is the method: flat hashing of the same digest gives another path.
		flat := ca
		flat.Method = "fixed"
		if other, _ := MakeCA(DefaultDir, flat, want.Name, nil, false); other == want {
			t.Errorf("method ignored")
		}
	}
}

func TestParseCARejectsSRI(t *testing.T) {
	if ca, err := ParseCA("fixed:r:sha256-NMo6xjCU0dV1H3QRAWkqePle7fEHRLCIEp/DJN/Q9gM="); err == nil {
		t.Fatalf("ParseCA(SRI) = %v, want error as in Nix 2.8.0", ca)
	}
}

func FuzzParseBase(f *testing.F) {
	f.Add("z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt")
	f.Add("z45ailnkm27lnvhimqkhy08f6sh5m17d-.-x")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseBase(s)
		if err != nil {
			if !p.IsZero() {
				t.Fatalf("failed parse returned %+v", p)
			}
			return
		}
		if p.Base() != s {
			t.Fatalf("round trip %q -> %q", s, p.Base())
		}
	})
}

func FuzzParseCA(f *testing.F) {
	f.Add("fixed:r:sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil")
	f.Add("text:sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil")
	f.Fuzz(func(t *testing.T, s string) {
		ca, err := ParseCA(s)
		if err != nil {
			return
		}
		ca2, err := ParseCA(ca.String())
		if err != nil || ca2.String() != ca.String() {
			t.Fatalf("%q -> %q -> %v", s, ca, err)
		}
	})
}
