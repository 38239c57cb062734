package cache

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	nixhash "github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/nar"
	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/sign/secretkey"
)

// These tests compare with real Nix 2.8.0. They skip when nix is not in
// PATH, and when not root (they build into /nix/store).

// nixEnv returns the environment for running Nix hermetically (no sandbox,
// no substituters), or skips the test.
func nixEnv(t *testing.T) []string {
	t.Helper()
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not in PATH")
	}
	if os.Geteuid() != 0 {
		t.Skip("building into /nix/store needs root")
	}
	home := t.TempDir()
	return append(os.Environ(), "HOME="+home, "XDG_CACHE_HOME="+home+"/.cache",
		"NIX_CONFIG=experimental-features = nix-command flakes\nsandbox = false\nsubstituters =")
}

// nixRun runs a Nix command and returns its combined output and exit code.
func nixRun(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("%s: %v", args[0], err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// builtPath is an entry of `nix path-info --json`.
type builtPath struct {
	Path       string   `json:"path"`
	NarHash    string   `json:"narHash"`
	NarSize    uint64   `json:"narSize"`
	References []string `json:"references"`
	Deriver    string   `json:"deriver"`
	Signatures []string `json:"signatures"`
}

// chainNix builds three input-addressed paths, each referring to the ones
// before: a file; a directory with an executable, a symlink and a
// reference; and a directory with a 1.5 MB text file (so that zstd takes
// its two-goroutine path).
const chainNix = `
let
  mk = name: script: derivation {
    inherit name; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" script ];
  };
  a = mk "nixsign-cache-a-@ID@" "echo a > $out";
  b = mk "nixsign-cache-b-@ID@" ''
    /bin/mkdir -p $out/bin; echo ${a} > $out/ref; printf '#!/bin/sh\necho hi\n' > $out/bin/hi
    /bin/chmod +x $out/bin/hi; /bin/ln -s ${a} $out/link
  '';
in mk "nixsign-cache-c-@ID@" ''
  /bin/mkdir $out; i=0
  while [ $i -lt 25000 ]; do echo "line $i of ${b} and ${a}"; i=$((i+1)); done > $out/big
''
`

// buildChain builds chainNix under new names and returns the closure,
// references first.
func buildChain(t *testing.T, env []string) []builtPath {
	t.Helper()
	file := filepath.Join(t.TempDir(), "chain.nix")
	os.WriteFile(file, []byte(strings.ReplaceAll(chainNix, "@ID@", fmt.Sprint(time.Now().UnixNano()))), 0o644)
	out, rc := nixRun(t, env, "nix-build", "--no-out-link", file)
	if rc != 0 {
		t.Fatalf("nix-build: %s", out)
	}
	top := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
	cmd := exec.Command("nix", "path-info", "--json", "-r", top)
	cmd.Env = env
	data, err := cmd.Output()
	if err != nil {
		t.Fatalf("nix path-info: %v", err)
	}
	var paths []builtPath
	if err := json.Unmarshal(data, &paths); err != nil {
		t.Fatal(err)
	}
	// a, b, c: the names sort in closure order.
	if len(paths) != 3 {
		t.Fatalf("closure of %s: %d paths", top, len(paths))
	}
	slices.SortFunc(paths, func(x, y builtPath) int { return strings.Compare(path.Base(x.Path)[33:], path.Base(y.Path)[33:]) })
	return paths
}

// addBuilt adds a built path as `nix copy --to ...?secret-key=` does: its
// NAR dumped from the store, its signatures and key's.
func addBuilt(t *testing.T, c *Cache, p builtPath, key *secretkey.Key, comp Compression) {
	t.Helper()
	sp, _ := storepath.Parse(c.storeDir, p.Path)
	h, err := nixhash.Parse(p.NarHash)
	if err != nil {
		t.Fatal(err)
	}
	pi := &sign.PathInfo{Path: sp, NarHash: h, NarSize: p.NarSize}
	for _, r := range p.References {
		rp, _ := storepath.Parse(c.storeDir, r)
		pi.References = append(pi.References, rp)
	}
	fp, err := pi.Fingerprint(c.storeDir)
	if err != nil {
		t.Fatal(err)
	}
	pi.AddSigs(p.Signatures...)
	pi.AddSigs(key.Sign(fp).String())
	pr, pw := io.Pipe()
	go func() {
		_, err := nar.Dump(pw, p.Path)
		pw.CloseWithError(err)
	}()
	if err := c.Add(ctx, Entry{Info: pi, Deriver: path.Base(p.Deriver)}, pr, comp); err != nil {
		t.Fatal(err)
	}
}

// TestInterop writes the same closure with `nix copy --to` (cache A) and
// with Add (cache B), per compression, and has Nix read B.
func TestInterop(t *testing.T) {
	env := nixEnv(t)
	paths := buildChain(t, env)
	key, err := secretkey.Parse(readVector(t, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	keyFile, _ := filepath.Abs(vectors + "secret.key")
	pub := strings.TrimSpace(string(readVector(t, "public.key")))
	top := paths[len(paths)-1].Path
	for _, comp := range compressions {
		t.Run(string(comp), func(t *testing.T) {
			dirA, dirB := t.TempDir(), t.TempDir()
			if out, rc := nixRun(t, env, "nix", "copy", "--to", "file://"+dirA+"?compression="+string(comp)+"&secret-key="+keyFile, top); rc != 0 {
				t.Fatalf("nix copy --to: %s", out)
			}
			b, err := Open("file://"+dirB, storepath.DefaultDir, true)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range paths {
				addBuilt(t, b, p, key, comp)
			}
			if la, lb := listing(t, dirA), listing(t, dirB); comp == None && !slices.Equal(la, lb) {
				t.Errorf("cache layout:\n%q\nwant (nix copy)\n%q", lb, la)
			}
			a, err := Open("file://"+dirA, storepath.DefaultDir, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range paths {
				name := strings.TrimPrefix(p.Path, "/nix/store/")[:32] + ".narinfo"
				na, _ := os.ReadFile(filepath.Join(dirA, name))
				nb, _ := os.ReadFile(filepath.Join(dirB, name))
				if comp == None && !bytes.Equal(na, nb) || withoutFile(string(na)) != withoutFile(string(nb)) {
					t.Errorf("%s:\n%s\nwant (nix copy)\n%s", name, nb, na)
				}
				// Each reads the other's NARs; NAR checks every hash.
				for _, c := range []*Cache{a, b} {
					if err := c.NAR(ctx, p.Path, io.Discard); err != nil {
						t.Errorf("NAR from %s: %v", c, err)
					}
				}
			}
			fresh := t.TempDir()
			out, rc := nixRun(t, env, "nix", "copy", "--from", "file://"+dirB, "--store", fresh, top)
			if rc == 0 || !strings.Contains(out, "lacks a valid signature") {
				t.Errorf("nix copy --from without the key: rc %d\n%s", rc, out)
			}
			out, rc = nixRun(t, env, "nix", "copy", "--from", "file://"+dirB, "--store", fresh, "--option", "trusted-public-keys", pub, top)
			if rc != 0 {
				t.Errorf("nix copy --from with the key: rc %d\n%s", rc, out)
			}
			if out, rc := nixRun(t, env, "nix", "store", "verify", "--store", "file://"+dirB, "--trusted-public-keys", pub, "--all"); rc != 0 {
				t.Errorf("nix store verify: rc %d\n%s", rc, out)
			}
			checkCacheA(t, env, a, paths)
			checkAlterations(t, env, b, paths, pub)
		})
	}
}

// checkCacheA lists cache a (written by nix copy) and signs its paths with
// a second key through AddSignatures: Nix then trusts them for that key
// alone.
func checkCacheA(t *testing.T, env []string, a *Cache, paths []builtPath) {
	got, err := a.Paths(ctx)
	want := []string{paths[0].Path, paths[1].Path, paths[2].Path}
	slices.Sort(want)
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("Paths of the nix copy cache = %q, %v; want %q", got, err, want)
	}
	key2, err := secretkey.Parse(readVector(t, "secret2.key"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		pi, err := a.PathInfo(ctx, p.Path)
		if err != nil {
			t.Fatal(err)
		}
		fp, _ := pi.Fingerprint(a.storeDir)
		if err := a.AddSignatures(ctx, p.Path, []string{key2.Sign(fp).String()}); err != nil {
			t.Fatal(err)
		}
	}
	pub2 := strings.TrimSpace(string(readVector(t, "public2.key")))
	if out, rc := nixRun(t, env, "nix", "store", "verify", "--store", a.String(), "--trusted-public-keys", pub2, "--sigs-needed", "1", "--all"); rc != 0 {
		t.Errorf("nix store verify with the key added by AddSignatures: rc %d\n%s", rc, out)
	}
}

// checkAlterations alters NAR files of cache c and checks that NAR's
// verdict is `nix store verify`'s: a *CorruptError of the NAR where Nix
// says "was modified!" (exit 1), another error where Nix fails (exit 4).
func checkAlterations(t *testing.T, env []string, c *Cache, paths []builtPath, pub string) {
	top, other := paths[2], paths[0]
	file := narFileOfPath(t, c, top.Path)
	orig, _ := os.ReadFile(file)
	otherData, _ := os.ReadFile(narFileOfPath(t, c, other.Path))
	for _, alt := range []struct {
		name string
		data []byte
	}{
		{"flipped", func() []byte { d := bytes.Clone(orig); d[len(d)/2] ^= 0x10; return d }()},
		{"truncated", orig[:len(orig)/2]},
		{"end cut", orig[:len(orig)-10]},
		{"bytes appended", append(bytes.Clone(orig), "junk"...)},
		{"another path's NAR", otherData},
	} {
		os.WriteFile(file, alt.data, 0o644)
		out, rc := nixRun(t, env, "nix", "store", "verify", "--store", "file://"+c.dir, "--trusted-public-keys", pub, top.Path)
		err := c.NAR(ctx, top.Path, io.Discard)
		var ce *CorruptError
		ours := 4
		switch {
		case err == nil:
			ours = 0
		case errors.As(err, &ce) && strings.HasPrefix(ce.What, "NAR"):
			ours = 1
		case errors.As(err, &ce):
			// Only the compressed file changed (a byte in a zstd frame
			// header, say), not the NAR in it: Nix checks the NAR alone.
			ours = 0
		}
		t.Logf("%s: nix store verify rc %d; NAR: %v", alt.name, rc, err)
		if ours != rc {
			t.Errorf("%s: NAR says %v (exit %d), nix store verify exits %d:\n%s", alt.name, err, ours, rc, out)
		}
	}
	os.WriteFile(file, orig, 0o644)
}

func narFileOfPath(t *testing.T, c *Cache, p string) string {
	t.Helper()
	ni, err := c.NarInfo(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(c.dir, ni.URL)
}
