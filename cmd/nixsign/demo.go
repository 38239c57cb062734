package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/nixsign/nixsign/cmd/internal/checkcmd"
	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/nix/cache"
	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/nar"
	"github.com/nixsign/nixsign/nix/store"
	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/sign/secretkey"
	"github.com/nixsign/nixsign/trust"
	ucli "github.com/urfave/cli/v2"
)

// demoCommand runs the whole pipeline in a throwaway directory and prints
// each step. With Nix installed it builds a tiny path in the real store and
// signs it there; without Nix it uses the files store inside the directory.
// Nothing outside the directory changes but that one store path and its
// signature.
var demoCommand = &ucli.Command{
	Name:  "demo",
	Usage: "run the whole signing pipeline in a throwaway directory",
	Flags: []ucli.Flag{
		&ucli.BoolFlag{Name: "keep", Usage: "keep the throwaway directory and print where it is"},
		&ucli.BoolFlag{Name: "no-nix", Usage: "do not use Nix even when it is installed (files store only)"},
	},
	Action: func(c *ucli.Context) error {
		dir, err := os.MkdirTemp("", "nixsign-demo-")
		if err != nil {
			return err
		}
		if c.Bool("keep") {
			fmt.Fprintf(c.App.Writer, "working in %s (kept)\n", dir)
		} else {
			defer os.RemoveAll(dir)
		}
		d := &demo{ctx: c.Context, w: c.App.Writer, dir: dir, noNix: c.Bool("no-nix")}
		return d.run()
	},
}

type demo struct {
	ctx   context.Context
	w     io.Writer
	dir   string
	noNix bool
	step  int

	key   *secretkey.Key
	store store.Store
	path  string
}

func (d *demo) say(format string, args ...any) {
	d.step++
	fmt.Fprintf(d.w, "%d. %s\n", d.step, fmt.Sprintf(format, args...))
}

func (d *demo) detail(format string, args ...any) {
	fmt.Fprintln(d.w, strings.TrimRight("   "+fmt.Sprintf(format, args...), " "))
}

func (d *demo) run() error {
	defer func() {
		if d.store != nil {
			d.store.Close()
		}
	}()
	for _, step := range []func() error{d.generateKey, d.makePath, d.signPath, d.pushPath, d.verifyCache, d.checkTrust} {
		if err := step(); err != nil {
			return err
		}
	}
	fmt.Fprintln(d.w, "demo: every step passed")
	return nil
}

// generateKey creates a key pair the way `nixsign key generate --out` does
// and loads it back through the key-file policy.
func (d *demo) generateKey() error {
	k, err := secretkey.Generate(rand.Reader, "nixsign-demo-1")
	if err != nil {
		return err
	}
	keyFile := filepath.Join(d.dir, "keys", "nixsign-demo-1.sec")
	if err := secretkey.WriteFile(keyFile, k.Encode(), false); err != nil {
		return keyFileError(err)
	}
	if d.key, err = secretkey.Load(keyFile); err != nil {
		return keyFileError(err)
	}
	d.say("generated a signing key")
	d.detail("secret key file: %s (mode 0600; checked: absolute, regular, private, public half matches)", keyFile)
	d.detail("public key:      %s", d.key.Public())
	return nil
}

// makePath builds a tiny input-addressed path with Nix when it can, and
// otherwise lays out a path for the files store in the demo directory.
func (d *demo) makePath() error {
	if !d.noNix {
		if p, s, ok := d.buildWithNix(); ok {
			d.path, d.store = p, s
			d.say("built a throwaway path with Nix")
			d.detail("store path: %s", p)
			d.detail("store:      %s", s)
			return d.showInfo()
		}
	}
	root := filepath.Join(d.dir, "root")
	storeDir := storepath.Dir()
	src := filepath.Join(d.dir, "hello")
	if err := os.MkdirAll(filepath.Join(src, "bin"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(src, "bin", "hello"), []byte("#!/bin/sh\necho hello from nixsign\n"), 0o755); err != nil {
		return err
	}
	digest, _, err := nar.Hash(src)
	if err != nil {
		return err
	}
	// Name it as `nix-store --add` would.
	ca := storepath.CA{Method: "fixed:r", Hash: hash.SHA256Sum(digest)}
	p, err := storepath.MakeCA(storeDir, ca, "nixsign-demo-hello", nil, false)
	if err != nil {
		return err
	}
	real := filepath.Join(root, storeDir)
	if err := os.MkdirAll(real, 0o755); err != nil {
		return err
	}
	if err := os.Rename(src, filepath.Join(real, p.Base())); err != nil {
		return err
	}
	d.store = store.NewFiles(storeDir, real)
	d.path = p.Abs(storeDir)
	d.say("laid out a throwaway path (Nix not used: the files store needs no Nix)")
	d.detail("store path: %s", d.path)
	d.detail("store:      %s", d.store)
	return d.showInfo()
}

// buildWithNix builds a derivation unique to this demo with nix-build and
// opens the store it landed in.
func (d *demo) buildWithNix() (string, store.Store, bool) {
	if _, err := exec.LookPath("nix-build"); err != nil {
		return "", nil, false
	}
	s, err := store.Open(d.ctx, "auto", nil)
	if err != nil {
		return "", nil, false
	}
	if s.String() == "files" {
		s.Close()
		return "", nil, false
	}
	expr := fmt.Sprintf(`derivation { name = "nixsign-demo"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo %s > $out" ]; }`, filepath.Base(d.dir))
	cmd := exec.CommandContext(d.ctx, "nix-build", "--no-out-link", "-E", expr)
	cmd.Env = append(os.Environ(), "NIX_CONFIG=experimental-features = nix-command\nsandbox = false\nsubstituters =")
	out, err := cmd.Output()
	if err != nil {
		s.Close()
		return "", nil, false
	}
	return strings.TrimSpace(string(out)), s, true
}

func (d *demo) showInfo() error {
	info, err := d.store.PathInfo(d.ctx, d.path)
	if err != nil {
		return err
	}
	d.detail("NAR hash:   %s, %d bytes, %d reference(s)", info.NarHash, info.NarSize, len(info.References))
	return nil
}

// signPath signs the path in its store, as `nixsign sign` does.
func (d *demo) signPath() error {
	signed, err := store.SignPaths(d.ctx, d.store, d.key, []string{d.path})
	if err != nil {
		return err
	}
	for _, s := range signed {
		fp, err := s.Info.Fingerprint(d.store.Dir())
		if err != nil {
			return err
		}
		d.say("signed it")
		d.detail("fingerprint: %s", fp)
		d.detail("signature:   %s", s.Sig)
		if s.Recorded {
			d.detail("recorded in the %s store", d.store)
		} else {
			d.detail("(the files store keeps no signatures: the push below carries it)")
		}
	}
	return nil
}

// pushPath copies the path into a throwaway binary cache, signed.
func (d *demo) pushPath() error {
	url := "file://" + filepath.Join(d.dir, "cache")
	c, err := cache.Open(url, d.store.Dir(), true)
	if err != nil {
		return err
	}
	defer c.Close()
	res, err := store.Push(d.ctx, d.store, c, d.key, []string{d.path}, store.PushOptions{})
	if err != nil {
		return err
	}
	ni, err := c.NarInfo(d.ctx, d.path)
	if err != nil {
		return err
	}
	d.say("pushed it to a binary cache (%d path(s), %d bytes)", len(res.Pushed), res.Bytes)
	d.detail("cache:   %s", url)
	d.detail("narinfo: %s, %s, %d signature(s)", ni.URL, ni.Compression, len(ni.Sigs))
	return nil
}

// verifyCache checks the cache's copy as a consumer trusting only the demo
// key would: contents re-hashed, one valid signature needed.
func (d *demo) verifyCache() error {
	c, err := cache.Open("file://"+filepath.Join(d.dir, "cache"), d.store.Dir(), false)
	if err != nil {
		return err
	}
	defer c.Close()
	keys, err := sign.NewKeySet(d.key.Public())
	if err != nil {
		return err
	}
	for _, v := range store.Verify(d.ctx, c, []string{d.path}, store.VerifyOptions{Keys: keys, SigsNeeded: 1}) {
		if code := v.Code(); code != 0 {
			return diag.Wrap(code, fmt.Errorf("demo: verify failed: %s", strings.Join(v.Messages(), "; ")))
		}
		d.say("verified the cache's copy: contents match, signature valid")
		d.detail("%s", v.Trust.Reason)
	}
	return nil
}

// checkTrust asks the checker whether this machine would accept the demo
// key's signatures. It would not (nobody trusts a throwaway key), and the
// checker says what a consumer would change.
func (d *demo) checkTrust() error {
	r, err := trust.Check(d.ctx, trust.Options{}, d.key.Public())
	if err != nil {
		return err
	}
	d.say("asked this machine's Nix whether it trusts the demo key (nixsign-check)")
	var out bytes.Buffer
	// The report says it all; the checker's error line would only repeat it.
	if _, err := checkcmd.Print(&out, diag.Printer{Prog: "nixsign", W: io.Discard}, r, false); err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		d.detail("%s", line)
	}
	if r.Problem != trust.ProblemNone {
		d.detail("(expected for a throwaway key: a consumer would apply the fix above)")
	}
	return nil
}
