package sign

import (
	"slices"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/storepath"
)

// TestFingerprintVectors rebuilds fingerprints.txt from the `nix path-info
// --json` output of the same paths.
func TestFingerprintVectors(t *testing.T) {
	want := strings.Split(strings.TrimSpace(readVector(t, "fingerprints.txt")), "\n")
	infos := allPathInfos(t)
	for _, fp := range want {
		abs := strings.Split(fp, ";")[1]
		info := infos[abs]
		if info == nil {
			t.Fatalf("no path info for %s", abs)
		}
		got, err := info.Fingerprint(storepath.DefaultDir)
		if err != nil || got != fp {
			t.Errorf("PathInfo.Fingerprint = %q, %v\nwant %q", got, err, fp)
		}
		var refs []string
		for _, r := range info.References {
			refs = append(refs, r.Abs(storepath.DefaultDir))
		}
		slices.Reverse(refs) // order does not matter
		got, err = Fingerprint(storepath.DefaultDir, info.Path, info.NarHash, info.NarSize, append(refs, refs...))
		if err != nil || got != fp {
			t.Errorf("Fingerprint = %q, %v\nwant %q", got, err, fp)
		}
	}
	if len(want) != len(infos) {
		t.Errorf("%d fingerprints for %d paths", len(want), len(infos))
	}
}

func TestFingerprintErrors(t *testing.T) {
	info := *allPathInfos(t)["/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev"]
	md5, _ := hash.Parse("md5:00000000000000000000000000000000")
	for _, tt := range []struct {
		name    string
		change  func(*PathInfo)
		dir     string
		errWant string
	}{
		{"size 0", func(pi *PathInfo) { pi.NarSize = 0 }, "/nix/store",
			"cannot calculate fingerprint of path '/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev' because its size is not known"},
		{"md5", func(pi *PathInfo) { pi.NarHash = md5 }, "/nix/store", "is not a SHA-256 hash"},
		{"no hash", func(pi *PathInfo) { pi.NarHash = hash.Hash{} }, "/nix/store", "is not a SHA-256 hash"},
		{"short digest", func(pi *PathInfo) { pi.NarHash.Digest = pi.NarHash.Digest[:31] }, "/nix/store", "is not a SHA-256 hash"},
		{"zero path", func(pi *PathInfo) { pi.Path = storepath.Path{} }, "/nix/store", "invalid store path"},
		{"bad ref", func(pi *PathInfo) { pi.References = []storepath.Path{{Digest: "x", Name: "y,z"}} }, "/nix/store", "reference"},
		{"relative dir", nil, "nix/store", "not a clean absolute path"},
		{"trailing slash", nil, "/nix/store/", "not a clean absolute path"},
		{"root", nil, "/", "not a clean absolute path"},
	} {
		pi := info
		if tt.change != nil {
			tt.change(&pi)
		}
		fp, err := pi.Fingerprint(tt.dir)
		if err == nil || !strings.Contains(err.Error(), tt.errWant) {
			t.Errorf("%s: Fingerprint = %q, %v; want error containing %q", tt.name, fp, err, tt.errWant)
		}
	}
	for _, ref := range []string{"/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-a,b", "/other/l5jifip347hnkb691a1ks3v6ig2vm67z-a", "l5jifip347hnkb691a1ks3v6ig2vm67z-a"} {
		if fp, err := Fingerprint("/nix/store", info.Path, info.NarHash, info.NarSize, []string{ref}); err == nil {
			t.Errorf("reference %q: Fingerprint = %q", ref, fp)
		}
	}
}

// TestFingerprintStoreDir: the store dir is part of what is signed.
func TestFingerprintStoreDir(t *testing.T) {
	info := allPathInfos(t)["/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev"]
	fp, err := info.Fingerprint("/opt/store")
	want := "1;/opt/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev;sha256:12frmx2v5shc4x9rcc6az9xbb5x4aw2f4an24p7gqx2qbrzsgvws;224;" +
		"/opt/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh,/opt/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a"
	if err != nil || fp != want {
		t.Errorf("Fingerprint(/opt/store) = %q, %v", fp, err)
	}
}

func TestAddSigs(t *testing.T) {
	pi := &PathInfo{Sigs: []string{"b:2", "a:1", "b:2"}}
	if n := pi.AddSigs("c:3", "a:1", "a:0", "c:3"); n != 2 {
		t.Errorf("added %d, want 2", n)
	}
	if want := []string{"a:0", "a:1", "b:2", "c:3"}; !slices.Equal(pi.Sigs, want) {
		t.Errorf("Sigs = %q, want %q", pi.Sigs, want)
	}
}

func BenchmarkFingerprint(b *testing.B) {
	info := allPathInfos(b)["/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev"]
	for b.Loop() {
		if _, err := info.Fingerprint(storepath.DefaultDir); err != nil {
			b.Fatal(err)
		}
	}
}
