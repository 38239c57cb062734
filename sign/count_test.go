package sign

import (
	"strings"
	"testing"

	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/storepath"
)

const cacheNixosOrg = "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="

// signexp is an input-addressed path built with real Nix 2.8.0, unsigned,
// with no references; sig is test-key-1's signature of it, made by `nix
// store sign`.
func signexp(t testing.TB) (info *PathInfo, sig string) {
	p, _ := storepath.ParseBase("xfmdfkjxhxz3kgwsyvfnhv8kpkx5dzsx-nixsign-signexp-1")
	h, err := hash.Parse("sha256:1xi7gsmywykcbsv7zpifbd3q7s3dxlgdfvlbcdh3xn9nk2ynlzbf")
	if err != nil {
		t.Fatal(err)
	}
	return &PathInfo{Path: p, NarHash: h, NarSize: 120},
		"test-key-1:CK7SOhLGYFaTBeWhwc9x71oil/OrbYRXpwGzjnyMxpPt1wAjTQF5ikPc43+wAIcHzVH5lHI2equQESwqtOtzCQ=="
}

// TestTrustedObserved reproduces what `nix store verify [-n N]` answered
// on real Nix 2.8.0 (src/nix/verify.cc).
func TestTrustedObserved(t *testing.T) {
	infos := allPathInfos(t)
	dev := infos["/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev"] // ultimate, signed by test-key-1
	out := infos["/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a"]     // ultimate, signed by gbck-1 and test-key-1
	ca := infos["/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"]      // nix-store --add
	k1, k2, def := testKey(t), testKey2(t), mustParsePublicKey(t, cacheNixosOrg)
	unsigned := *dev
	unsigned.Sigs = nil
	unsigned.Ultimate = false
	for _, tt := range []struct {
		name       string
		info       *PathInfo
		keys       []PublicKey
		n          int
		ok         bool
		reasonWant string
	}{
		{"no -n: ultimate", dev, []PublicKey{def}, 0, true, "built on this machine"},
		{"-n 1, default keys", dev, []PublicKey{def}, 1, false, `0 valid signatures, 1 needed; signed by keys not trusted here: "test-key-1"`},
		{"-n 1, key trusted", dev, []PublicKey{def, k1}, 1, true, `1 valid signature, 1 needed (by "test-key-1")`},
		{"-n 2, one signature", dev, []PublicKey{k1, k2}, 2, false, "1 valid signature, 2 needed"},
		{"-n 2, two keys", out, []PublicKey{k1, k2}, 2, true, `2 valid signatures, 2 needed (by "gbck-1", "test-key-1")`},
		{"-n 2, one key trusted", out, []PublicKey{k1}, 2, false, `signed by keys not trusted here: "gbck-1"`},
		{"CA, -n 1, no keys", ca, nil, 1, true, "content-addressed"},
		{"CA, -n 5", ca, nil, 5, true, "content-addressed"},
		{"not ultimate, no -n", &unsigned, []PublicKey{k1}, 0, false, "0 valid signatures, 1 needed; it has no signatures"},
	} {
		v, err := Trusted(storepath.DefaultDir, tt.info, NewNixKeySet(tt.keys...), tt.n)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if v.OK != tt.ok || !strings.Contains(v.Reason, tt.reasonWant) {
			t.Errorf("%s: Trusted = %v, %q; want %v, %q", tt.name, v.OK, v.Reason, tt.ok, tt.reasonWant)
		}
	}
	if _, err := Trusted(storepath.DefaultDir, dev, nil, -1); err == nil {
		t.Error("Trusted(-1) succeeded")
	}
}

// TestCountTwoSpellings: Nix counts distinct signature strings, so one key's
// signature written twice (with junk after the padding, or without it)
// satisfies -n 2. Observed: `nix store verify -n 2` exits 0 on a narinfo
// with both Sig lines, and 2 with the first alone.
func TestCountTwoSpellings(t *testing.T) {
	info, sig := signexp(t)
	keys := NewNixKeySet(testKey(t))
	for _, other := range []string{sig + "junk", strings.TrimSuffix(sig, "==")} {
		info.Sigs = []string{sig, other, sig}
		c, err := CountValid(storepath.DefaultDir, info, keys)
		if err != nil || c.Valid != 2 || len(c.Sigs) != 2 || len(c.ValidKeys()) != 1 {
			t.Errorf("CountValid(%q) = %+v, %v", info.Sigs, c, err)
		}
		v, err := Trusted(storepath.DefaultDir, info, keys, 2)
		if err != nil || !v.OK || !strings.Contains(v.Reason, `2 valid signatures, 2 needed (by "test-key-1")`) {
			t.Errorf("Trusted = %+v, %v", v, err)
		}
	}
}

// TestCountValidErrors: a signature by a trusted name that is not 64 bytes
// makes Nix throw (observed: exit code 4, "signature is not valid"), even
// beside a valid one; one by an unknown name does not.
func TestCountValidErrors(t *testing.T) {
	info, sig := signexp(t)
	keys := NewNixKeySet(testKey(t))
	info.Sigs = []string{sig, "test-key-1:AAAA", "other:AAAA", "nocolon"}
	c, err := CountValid(storepath.DefaultDir, info, keys)
	if err == nil || !strings.Contains(err.Error(), "signature \"test-key-1:AAAA\" is not valid") {
		t.Errorf("CountValid error = %v", err)
	}
	want := map[string]SigStatus{sig: SigValid, "test-key-1:AAAA": SigMalformed, "other:AAAA": SigUnknownKey, "nocolon": SigUnknownKey}
	if len(c.Sigs) != 4 || c.Valid != 1 {
		t.Errorf("Count = %+v", c)
	}
	for i, s := range c.Sigs {
		if s.Status != want[s.Sig] || (s.Err != nil) != (s.Status == SigMalformed) {
			t.Errorf("%q: %v, %v", s.Sig, s.Status, s.Err)
		}
		if i > 0 && c.Sigs[i-1].Sig >= s.Sig {
			t.Errorf("Sigs not sorted: %q before %q", c.Sigs[i-1].Sig, s.Sig)
		}
	}
	if c.Sigs[0].KeyName != "" {
		t.Errorf("KeyName of %q = %q", c.Sigs[0].Sig, c.Sigs[0].KeyName)
	}
	if v, err := Trusted(storepath.DefaultDir, info, keys, 1); err == nil || v.OK {
		t.Errorf("Trusted = %+v, %v", v, err)
	}
	// Built locally and no -n: the signatures are not looked at.
	info.Ultimate = true
	if v, err := Trusted(storepath.DefaultDir, info, keys, 0); err != nil || !v.OK {
		t.Errorf("Trusted(ultimate) = %+v, %v", v, err)
	}

	// A signature that does not verify under its trusted name.
	info.Sigs = []string{strings.Replace(sig, "CK7", "CK8", 1)}
	if c, err := CountValid(storepath.DefaultDir, info, keys); err != nil || c.Sigs[0].Status != SigInvalid {
		t.Errorf("CountValid = %+v, %v", c, err)
	}
	if v, _ := Trusted(storepath.DefaultDir, info, keys, 1); v.OK || !strings.Contains(v.Reason, `the signature by trusted key "test-key-1" does not verify`) {
		t.Errorf("Trusted = %+v", v)
	}

	// No size, no fingerprint: an error as soon as there is a signature.
	info.NarSize = 0
	info.Sigs = []string{"other:AAAA"}
	if _, err := CountValid(storepath.DefaultDir, info, keys); err == nil || !strings.Contains(err.Error(), "size is not known") {
		t.Errorf("CountValid(size 0) = %v", err)
	}
	info.Sigs = nil
	if c, err := CountValid(storepath.DefaultDir, info, keys); err != nil || c.Valid != 0 {
		t.Errorf("CountValid(size 0, no sigs) = %+v, %v", c, err)
	}
}

func TestCountValidCA(t *testing.T) {
	const dir = storepath.DefaultDir
	keys := NewNixKeySet(testKey(t))
	for _, info := range pathInfos(t, "path-info.json") {
		info.Sigs = append(info.Sigs, "test-key-1:AAAA") // not looked at
		c, err := CountValid(dir, info, keys)
		if err != nil || !c.CA || c.FalseCA || c.Valid != Infinite || len(c.Sigs) != 0 {
			t.Errorf("%s: CountValid = %+v, %v", info.Path, c, err)
		}
	}

	// A content address that does not give back the path: Nix warns and
	// counts the signatures, which still verify (the CA is not signed).
	infos := allPathInfos(t)
	info := *infos["/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"]
	info.CA = infos["/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh"].CA
	c, err := CountValid(dir, &info, keys)
	if err != nil || c.CA || !c.FalseCA || c.Valid != 1 {
		t.Errorf("false CA: CountValid = %+v, %v", c, err)
	}
	if v, _ := Trusted(dir, &info, keys, 1); !v.OK || !strings.Contains(v.Reason, "claims to be content-addressed but isn't") {
		t.Errorf("false CA: Trusted = %+v", v)
	}

	nar, _ := hash.Parse("sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil")
	other := infos["/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh"].Path
	mk := func(method string, refs []string, self bool) storepath.Path {
		p, err := storepath.MakeCA(dir, storepath.CA{Method: method, Hash: nar}, "x", refs, self)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tt := range []struct {
		name   string
		method string
		path   storepath.Path
		refs   func(self storepath.Path) []storepath.Path
		ca     bool
	}{
		{"source, self-reference", "fixed:r", mk("fixed:r", nil, true),
			func(self storepath.Path) []storepath.Path { return []storepath.Path{self} }, true},
		{"source, self and other", "fixed:r", mk("fixed:r", []string{other.Abs(dir)}, true),
			func(self storepath.Path) []storepath.Path { return []storepath.Path{other, self} }, true},
		{"source, self not listed", "fixed:r", mk("fixed:r", nil, true),
			func(storepath.Path) []storepath.Path { return nil }, false},
		{"text with reference", "text", mk("text", []string{other.Abs(dir)}, false),
			func(storepath.Path) []storepath.Path { return []storepath.Path{other} }, true},
		{"flat", "fixed", mk("fixed", nil, false),
			func(storepath.Path) []storepath.Path { return nil }, true},
		{"flat with reference", "fixed", mk("fixed", nil, false),
			func(storepath.Path) []storepath.Path { return []storepath.Path{other} }, false},
	} {
		info := &PathInfo{Path: tt.path, NarHash: nar, NarSize: 1, CA: storepath.CA{Method: tt.method, Hash: nar}}
		info.References = tt.refs(tt.path)
		c, err := CountValid(dir, info, keys)
		if err != nil || c.CA != tt.ca || c.FalseCA == tt.ca {
			t.Errorf("%s: CountValid = %+v, %v; want CA %v", tt.name, c, err, tt.ca)
		}
	}
}

func TestSigStatusString(t *testing.T) {
	if SigMalformed.String() != "malformed" || SigStatus(9).String() != "SigStatus(9)" {
		t.Error(SigMalformed, SigStatus(9))
	}
}

func BenchmarkCountValid(b *testing.B) {
	info := allPathInfos(b)["/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a"]
	keys := NewNixKeySet(testKey(b), testKey2(b))
	for b.Loop() {
		if c, err := CountValid(storepath.DefaultDir, info, keys); err != nil || c.Valid != 2 {
			b.Fatal(c, err)
		}
	}
}
