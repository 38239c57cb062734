package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/nixsign/nixsign/cmd/internal/cli"
	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/nar"
	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/sign/secretkey"
	ucli "github.com/urfave/cli/v2"
)

// demoCommand runs the whole pipeline in a throwaway directory and prints
// each step: it needs nothing installed, and nothing outside the directory
// is touched.
var demoCommand = &ucli.Command{
	Name:  "demo",
	Usage: "run the whole signing pipeline in a throwaway directory",
	Flags: []ucli.Flag{
		&ucli.BoolFlag{Name: "keep", Usage: "keep the throwaway directory and print where it is"},
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
		d := &demo{w: c.App.Writer, dir: dir, storeDir: storepath.Dir()}
		return d.run()
	},
}

type demo struct {
	w        io.Writer
	dir      string
	storeDir string
	step     int

	keyFile string
	key     *secretkey.Key
	info    *sign.PathInfo
}

func (d *demo) say(format string, args ...any) {
	d.step++
	fmt.Fprintf(d.w, "%d. %s\n", d.step, fmt.Sprintf(format, args...))
}

func (d *demo) detail(format string, args ...any) {
	fmt.Fprintf(d.w, "   %s\n", fmt.Sprintf(format, args...))
}

func (d *demo) run() error {
	for _, step := range []func() error{d.generateKey, d.hashPath, d.signPath, d.verifyPath} {
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
	d.keyFile = filepath.Join(d.dir, "keys", "nixsign-demo-1.sec")
	if err := secretkey.WriteFile(d.keyFile, k.Encode(), false); err != nil {
		return keyFileError(err)
	}
	if d.key, err = secretkey.Load(d.keyFile); err != nil {
		return keyFileError(err)
	}
	d.say("generated a signing key")
	d.detail("secret key file: %s (mode 0600, checked: absolute, regular, private, public half matches)", d.keyFile)
	d.detail("public key:      %s", d.key.Public())
	return nil
}

// hashPath builds a small tree and computes its NAR hash and store path, as
// `nix-store --add` would.
func (d *demo) hashPath() error {
	src := filepath.Join(d.dir, "hello")
	if err := os.MkdirAll(filepath.Join(src, "bin"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(src, "bin", "hello"), []byte("#!/bin/sh\necho hello\n"), 0o755); err != nil {
		return err
	}
	digest, size, err := nar.Hash(src)
	if err != nil {
		return err
	}
	narHash := hash.SHA256Sum(digest)
	// The store path nix-store --add would give it. The demo leaves the
	// content address out of the path info, so that trust below comes from
	// the signature alone.
	ca := storepath.CA{Method: "fixed:r", Hash: narHash}
	p, err := storepath.MakeCA(d.storeDir, ca, "nixsign-demo-hello", nil, false)
	if err != nil {
		return err
	}
	d.info = &sign.PathInfo{Path: p, NarHash: narHash, NarSize: uint64(size)}
	d.say("hashed a throwaway path")
	d.detail("store path: %s", p.Abs(d.storeDir))
	d.detail("NAR hash:   %s (%s), %d bytes", narHash, narHash.SRI(), size)
	return nil
}

// signPath signs the path's fingerprint.
func (d *demo) signPath() error {
	fp, err := d.info.Fingerprint(d.storeDir)
	if err != nil {
		return err
	}
	sig := d.key.Sign(fp)
	d.info.AddSigs(sig.String())
	d.say("signed it")
	d.detail("fingerprint: %s", fp)
	d.detail("signature:   %s", sig)
	return nil
}

// verifyPath checks the signature against a trust set holding only the
// public key, as a consumer with that key in trusted-public-keys would.
func (d *demo) verifyPath() error {
	keys, err := sign.NewKeySet(d.key.Public())
	if err != nil {
		return err
	}
	v, err := sign.Trusted(d.storeDir, d.info, keys, 1)
	if err != nil {
		return err
	}
	if !v.OK {
		return cli.Wrap(cli.ExitUntrusted, fmt.Errorf("demo: the signature did not verify: %s", v.Reason))
	}
	d.say("verified the signature with the public key")
	d.detail("%s", v.Reason)
	return nil
}
