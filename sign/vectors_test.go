package sign

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/storepath"
)

// The test vectors from real Nix 2.8.0 (see testdata/vectors/README.txt).
const vectors = "../testdata/vectors/"

func readVector(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(vectors + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func mustParsePublicKey(t testing.TB, s string) PublicKey {
	t.Helper()
	k, err := ParsePublicKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testKey and testKey2 are the public halves of the vector key pairs.
func testKey(t testing.TB) PublicKey  { return mustParsePublicKey(t, readVector(t, "public.key")) }
func testKey2(t testing.TB) PublicKey { return mustParsePublicKey(t, readVector(t, "public2.key")) }

// signedVector is a line pair of check-output.txt: a fingerprint and
// test-key-1's signature of it.
type signedVector struct{ fingerprint, sig string }

func checkOutput(t testing.TB) []signedVector {
	t.Helper()
	var out []signedVector
	sc := bufio.NewScanner(strings.NewReader(readVector(t, "check-output.txt")))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "OK  "):
			out = append(out, signedVector{fingerprint: strings.TrimPrefix(line, "OK  ")})
		case strings.HasPrefix(line, "    ") && len(out) > 0:
			out[len(out)-1].sig = strings.TrimSpace(line)
		}
	}
	if len(out) != 5 {
		t.Fatalf("check-output.txt: %d entries", len(out))
	}
	return out
}

// pathInfos reads a `nix path-info --json` vector.
func pathInfos(t testing.TB, name string) []*PathInfo {
	t.Helper()
	var raw []struct {
		Path, NarHash, CA string
		NarSize           uint64
		References        []string
		Ultimate          bool
		Signatures        []string
	}
	if err := json.Unmarshal([]byte(readVector(t, name)), &raw); err != nil {
		t.Fatal(err)
	}
	var infos []*PathInfo
	for _, r := range raw {
		p, err := storepath.Parse(storepath.DefaultDir, r.Path)
		if err != nil {
			t.Fatal(err)
		}
		h, err := hash.Parse(r.NarHash)
		if err != nil {
			t.Fatal(err)
		}
		info := &PathInfo{Path: p, NarHash: h, NarSize: r.NarSize, Sigs: r.Signatures, Ultimate: r.Ultimate}
		for _, ref := range r.References {
			rp, err := storepath.Parse(storepath.DefaultDir, ref)
			if err != nil {
				t.Fatal(err)
			}
			info.References = append(info.References, rp)
		}
		if r.CA != "" {
			if info.CA, err = storepath.ParseCA(r.CA); err != nil {
				t.Fatal(err)
			}
		}
		infos = append(infos, info)
	}
	return infos
}

// allPathInfos returns the three `nix-store --add` paths and the two built
// ones, keyed by full path.
func allPathInfos(t testing.TB) map[string]*PathInfo {
	m := map[string]*PathInfo{}
	for _, f := range []string{"path-info.json", "built-path-info.json"} {
		for _, info := range pathInfos(t, f) {
			m[info.Path.Abs(storepath.DefaultDir)] = info
		}
	}
	if len(m) != 5 {
		t.Fatalf("%d path infos", len(m))
	}
	return m
}
