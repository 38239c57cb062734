package main

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	"github.com/nixsign/nixsign/cmd/internal/cli"
	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/conf/nixconf"
	"github.com/nixsign/nixsign/nix/store"
	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/sign/secretkey"
	ucli "github.com/urfave/cli/v2"
)

// verifyCommand checks paths as `nix store verify` does (src/nix/verify.cc),
// with its exit codes ORed together: 1 some path's contents do not match its
// NAR hash, 2 some path lacks enough valid signatures by trusted keys, 4
// some path could not be checked. The trusted keys are the flag's, else
// those of the nix.conf this user's nix commands read (the client's view,
// as nix store verify uses). Contents are hashed on every core. With
// -s STORE (repeatable), the signatures those stores hold for a path count
// too when its own are not enough, as with nix store verify -s.
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
		&repeatedFlag{ucli.GenericFlag{Name: "substituter", Aliases: []string{"s"}, Value: &stringList{},
			Usage: "also count the signatures `STORE` holds for each path (repeatable, asked in order while more are needed)"}},
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
		subs, err := openSubstituters(c, s.Dir())
		defer func() {
			for _, sub := range subs {
				sub.Close()
			}
		}()
		if err != nil {
			return err
		}
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
			Keys:         keys,
			SigsNeeded:   c.Int("sigs-needed"),
			NoContents:   c.Bool("no-contents"),
			NoTrust:      c.Bool("no-trust"),
			Substituters: subs,
			Progress:     func(done int, bytes int64) { prog.update(done, len(paths), bytes, 0) },
		})
		prog.finish()
		return reportVerified(c, s.String(), res)
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
	// ValidSigs are the signatures that counted, and the store each came
	// from: the one verified, or a substituter of -s.
	ValidSigs         []validSigJSON `json:"validSigs"`
	SubstituterErrors []string       `json:"substituterErrors,omitempty"`
	Error             string         `json:"error,omitempty"`
	Code              int            `json:"code"`
}

type validSigJSON struct {
	Key  string `json:"key"`
	Sig  string `json:"sig"`
	From string `json:"from"`
}

// reportVerified prints what verify found; storeName names the store the
// paths were verified in.
func reportVerified(c *ucli.Context, storeName string, res []store.Verified) error {
	p := printer(c)
	code := 0
	var out []verifiedJSON
	for i := range res {
		v := &res[i]
		code |= v.Code()
		cnt := v.Trust.Count
		for _, err := range cnt.OtherErrs {
			// Nix prints these too, and goes on.
			p.Warnf("%s", otherErrorLine(v.Path, err))
		}
		for _, m := range v.Messages() {
			if v.Untrusted && strings.HasSuffix(m, "is untrusted") && v.Trust.Reason != "" {
				m += ": " + v.Trust.Reason
			}
			p.Errorf("%s", m)
		}
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
		j.ValidSigs = []validSigJSON{}
		for _, sc := range cnt.Sigs {
			if sc.Status == sign.SigValid {
				j.ValidSigs = append(j.ValidSigs, validSigJSON{Key: sc.KeyName, Sig: sc.Sig, From: cmp.Or(sc.From, storeName)})
			}
		}
		for _, err := range cnt.OtherErrs {
			j.SubstituterErrors = append(j.SubstituterErrors, err.Error())
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

// otherErrorLine words an error met with a substituter's record of path
// (see sign.TrustedWith), saying which of its signatures did not count.
func otherErrorLine(path string, err error) string {
	oe, ok := err.(*sign.OtherError)
	switch {
	case !ok: // the store could not be asked
		return fmt.Sprintf("path '%s': %v; its signatures there are not counted", path, err)
	case !oe.Stopped: // a false content-address claim, which names the path
		return err.Error()
	case oe.Sig != "":
		return fmt.Sprintf("path '%s': %v; the signatures sorted after it there are not counted", path, err)
	}
	return fmt.Sprintf("path '%s': %v; its signatures there are not counted", path, err)
}

// trustedKeys returns the trusted keys as Nix 2.8.0's getDefaultPublicKeys
// builds them for the nix client: the trusted-public-keys of the effective
// nix.conf, or of --trusted-public-keys, which (as Nix's flag) overrides
// that setting only; then the public half of each secret-key-files entry.
// The first key of each name wins. As in Nix, an entry that is not a valid
// public key, or a secret key file that does not parse, fails the command;
// a secret key file that cannot be read is skipped. A secret key whose
// halves do not match counts with its second half, as in Nix, with a
// warning. No key text that is printed shows a secret key.
func trustedKeys(c *ucli.Context) (*sign.KeySet, error) {
	cfg, err := nixconf.Load(nixconf.OSEnv())
	if err != nil {
		// The message may quote a line, which may hold a secret key.
		return nil, diag.Wrap(diag.ExitConfig, errors.New(sign.RedactSecrets(err.Error())))
	}
	var keys []sign.PublicKey
	if c.IsSet("trusted-public-keys") {
		for _, f := range strings.Fields(c.String("trusted-public-keys")) {
			k, err := sign.ParsePublicKey(f)
			if err != nil {
				return nil, diag.Usagef("verify: --trusted-public-keys: %q: %v", sign.DisplayKeyText(f), err)
			}
			keys = append(keys, k)
		}
	} else {
		// Every entry, shadowed ones too: Nix parses them all.
		tpk, _ := cfg.Get("trusted-public-keys")
		for _, it := range tpk.Items {
			k, err := sign.ParsePublicKey(it.Text)
			if err != nil {
				return nil, diag.Wrap(diag.ExitConfig, fmt.Errorf("%s: trusted-public-keys: %q: %v", it.Origin, sign.DisplayKeyText(it.Text), err))
			}
			keys = append(keys, k)
		}
	}
	p := printer(c)
	for _, it := range cfg.DefaultPublicKeys().SecretKeyFiles {
		k, mismatched, err := secretkey.PublicHalf(it.Text)
		var fe *secretkey.FileError
		switch {
		case errors.As(err, &fe) && fe.Kind == secretkey.Malformed:
			return nil, diag.Wrap(diag.ExitConfig, fmt.Errorf("%s: secret-key-files: %v (Nix fails here too)", it.Origin, err))
		case errors.As(err, &fe) && fe.Path == sign.NotAPath:
			p.Warnf("%s: secret-key-files: %v", it.Origin, err)
			continue
		case err != nil:
			continue // as Nix: a file it cannot read is skipped
		}
		if mismatched {
			p.Warnf("%s: secret-key-files: %s: its public half is not the public key of its seed; like Nix, verify trusts that public half (%s)", it.Origin, sign.DisplayPath(it.Text), k)
		}
		keys = append(keys, k)
	}
	return sign.NewNixKeySet(keys...), nil
}
