package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/nixsign/nixsign/cmd/internal/cli"
	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/conf/nixconf"
	"github.com/nixsign/nixsign/nix/store"
	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/sign/secretkey"
	ucli "github.com/urfave/cli/v2"
)

// verifyCommand checks paths as `nix store verify` does (NIX-FORMATS §2.6),
// with its exit codes ORed together: 1 some path's contents do not match its
// NAR hash, 2 some path lacks enough valid signatures by trusted keys, 4
// some path could not be checked. The trusted keys are the flag's, else
// those of the nix.conf this user's nix commands read (the client's view,
// as nix store verify uses). Contents are hashed on every core.
var verifyCommand = &ucli.Command{
	Name:      "verify",
	Usage:     "check the contents and signatures of store paths, like nix store verify",
	ArgsUsage: "PATH...",
	Flags: []ucli.Flag{
		storeFlag(),
		&ucli.IntFlag{Name: "sigs-needed", Aliases: []string{"n"}, Usage: "valid signatures a path needs (0 also accepts paths built here)"},
		&ucli.StringFlag{Name: "trusted-public-keys", Usage: "trust these keys (`'K ...'`, separated by spaces) instead of nix.conf's"},
		&ucli.BoolFlag{Name: "no-contents", Usage: "do not re-hash the contents"},
		&ucli.BoolFlag{Name: "no-trust", Usage: "do not check signatures"},
		recursiveFlag("also verify every path the given paths refer to, directly or not"),
		&ucli.BoolFlag{Name: "json", Usage: "print the verdict of each path as JSON"},
		verboseFlag(),
	},
	Action: func(c *ucli.Context) error {
		if err := cli.Args(c, 1, -1); err != nil {
			return err
		}
		if c.Int("sigs-needed") < 0 {
			return diag.Usagef("verify: --sigs-needed must not be negative")
		}
		keys, err := trustedKeys(c)
		if err != nil {
			return err
		}
		ctx := c.Context
		s, err := openStore(c, false)
		if err != nil {
			return err
		}
		defer s.Close()
		paths, err := store.ResolveAll(s, c.Args().Slice())
		if err != nil {
			return diag.Wrap(diag.ExitNoInput, err)
		}
		if c.Bool("recursive") {
			infos, err := store.Closure(ctx, s, paths)
			if err != nil {
				return storeError(c, err)
			}
			paths = store.Paths(s.Dir(), infos)
		}
		prog := newProgress(c.App.ErrWriter, "verifying", len(paths))
		res := store.Verify(ctx, s, paths, store.VerifyOptions{
			Keys:       keys,
			SigsNeeded: c.Int("sigs-needed"),
			NoContents: c.Bool("no-contents"),
			NoTrust:    c.Bool("no-trust"),
			Progress:   func(done int, bytes int64) { prog.update(done, len(paths), bytes, 0) },
		})
		prog.finish()
		return reportVerified(c, res)
	},
}

// verifiedJSON is one path in the output of verify --json.
type verifiedJSON struct {
	Path            string   `json:"path"`
	Valid           bool     `json:"valid"`
	NarHash         string   `json:"narHash,omitempty"`
	NarSize         uint64   `json:"narSize,omitempty"`
	Corrupted       bool     `json:"corrupted"`
	ActualHash      string   `json:"actualHash,omitempty"`
	Trusted         bool     `json:"trusted"`
	Reason          string   `json:"reason,omitempty"`
	ValidSignatures int      `json:"validSignatures"`
	ValidKeys       []string `json:"validKeys"`
	Error           string   `json:"error,omitempty"`
	Code            int      `json:"code"`
}

func reportVerified(c *ucli.Context, res []store.Verified) error {
	p := printer(c)
	code := 0
	var out []verifiedJSON
	for i := range res {
		v := &res[i]
		code |= v.Code()
		for _, m := range v.Messages() {
			if v.Untrusted && strings.HasSuffix(m, "is untrusted") && v.Trust.Reason != "" {
				m += ": " + v.Trust.Reason
			}
			p.Errorf("%s", m)
		}
		cnt := v.Trust.Count
		keys := cnt.ValidKeys()
		if cnt.Valid != sign.Infinite && cnt.Valid > len(keys) {
			p.Warnf("path '%s': its %d valid signatures come from only %d key(s) (%s); like Nix, -n counts signature strings, not keys",
				v.Path, cnt.Valid, len(keys), strings.Join(keys, ", "))
		}
		if c.Bool("verbose") && v.Code() == 0 {
			p.Infof("path '%s': ok%s", v.Path, map[bool]string{true: "", false: "; " + v.Trust.Reason}[v.Trust.Reason == ""])
		}
		j := verifiedJSON{Path: v.Path, Valid: v.Info != nil, Corrupted: v.Corrupted, Trusted: !v.Untrusted && v.Err == nil,
			Reason: v.Trust.Reason, ValidSignatures: cnt.Valid, ValidKeys: keys, Code: v.Code()}
		if keys == nil {
			j.ValidKeys = []string{}
		}
		if cnt.Valid == sign.Infinite {
			j.ValidSignatures = -1 // content-addressed: no signature needed
		}
		if v.Info != nil {
			j.NarHash, j.NarSize = v.Info.NarHash.SRI(), v.Info.NarSize
		}
		if v.Corrupted {
			j.ActualHash = v.Got.SRI()
		}
		if v.Err != nil {
			j.Error = v.Err.Error()
			j.Trusted = false
		}
		out = append(out, j)
	}
	if c.Bool("json") {
		if err := writeJSON(c.App.Writer, out); err != nil {
			return err
		}
	}
	if code != 0 {
		return diag.Silent{Code: code}
	}
	return nil
}

// trustedKeys returns the keys of --trusted-public-keys, else the trusted
// keys of the effective nix.conf as the nix client reads it:
// trusted-public-keys (the first key of each name wins) and the public half
// of each readable secret-key-files entry.
func trustedKeys(c *ucli.Context) (*sign.KeySet, error) {
	if c.IsSet("trusted-public-keys") {
		var keys []sign.PublicKey
		for _, f := range strings.Fields(c.String("trusted-public-keys")) {
			k, err := sign.ParsePublicKey(f)
			if err != nil {
				return nil, diag.Usagef("verify: --trusted-public-keys: %q: %v", f, err)
			}
			keys = append(keys, k)
		}
		return sign.NewNixKeySet(keys...), nil
	}
	cfg, err := nixconf.Load(nixconf.OSEnv())
	if err != nil {
		return nil, diag.Wrap(diag.ExitConfig, err)
	}
	pk := cfg.DefaultPublicKeys()
	var keys []sign.PublicKey
	for _, e := range pk.Keys {
		k, err := sign.ParsePublicKey(e.Text)
		if err != nil {
			return nil, diag.Wrap(diag.ExitConfig, fmt.Errorf("%s: trusted-public-keys: %q: %v", e.Origin, e.Text, err))
		}
		keys = append(keys, k)
	}
	for _, it := range pk.SecretKeyFiles {
		data, err := os.ReadFile(it.Text)
		if err != nil {
			continue // as Nix: an unreadable file is skipped
		}
		sk, err := secretkey.Parse(data)
		if err != nil {
			printer(c).Warnf("%s: secret-key-files: %s: %v (skipped)", it.Origin, it.Text, err)
			continue
		}
		keys = append(keys, sk.Public())
	}
	return sign.NewNixKeySet(keys...), nil
}
