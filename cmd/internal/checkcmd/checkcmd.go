// Package checkcmd is nixsign-check, which is also `nixsign trust check`:
// does this machine really trust a key? It links no signing code and never
// opens a secret key.
//
//	nixsign-check [--key KEY|FILE]... [--cache URL] [--json] [--cross-check] [--store STORE] [--daemon-pid PID] [KEY|FILE]...
//
// It prints each key's verdict with the reasons and the fix for this
// machine on stdout (--json: a trust.Report, schema nixsign.trust.check/v1),
// configuration errors and warnings on stderr, and exits with the code of
// the first problem in this order (see cmd/internal/cli):
//
//	78  a nix.conf Nix refuses, or a trusted-public-keys entry Nix fails on (ExitConfig)
//	69  nix cannot open the store: the daemon's socket is closed to the user (ExitUnavailable)
//	10  a key no configuration of the store trusts (ExitNotTrusted)
//	11  a key only the user's configuration trusts, which the daemon ignores (ExitUserOnly)
//	12  a key shadowed by a different key of the same name (ExitShadowed)
//	13  the daemon started before its configuration last changed (ExitRestart)
//	14  --cross-check: nix shows a different configuration (ExitDisagree)
//	15  --cache: the daemon ignores the cache for this user (ExitCacheUnused)
//	 0  every key is accepted (require-sigs = false accepts everything: a warning)
//
// Usage errors exit 64, a key that does not parse 65, a key file that does
// not exist 66, a --cross-check that cannot run nix 69.
package checkcmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/nixsign/nixsign/cmd/internal/cli"
	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/trust"
	ucli "github.com/urfave/cli/v2"
)

// Main runs nixsign-check with args and returns its exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	app := &ucli.App{
		Name:      "nixsign-check",
		Usage:     "does this machine really trust the key? (= nixsign trust check)",
		UsageText: "nixsign-check [--key KEY|FILE]... [--cache URL] [--json] [--cross-check] [KEY|FILE]...",
		Flags:     flags(),
		Action:    action,
	}
	return cli.Run(app, args, stdout, stderr)
}

// Command returns the `check` subcommand of `nixsign trust`.
func Command() *ucli.Command {
	return &ucli.Command{
		Name:      "check",
		Usage:     "does this machine really trust the key?",
		ArgsUsage: "[KEY|FILE]...",
		Flags:     flags(),
		Action:    action,
	}
}

func flags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringSliceFlag{Name: "key", Aliases: []string{"k"}, Usage: "a public key `KEY|FILE` to check (repeatable)"},
		&ucli.StringFlag{Name: "cache", Usage: "also check that the binary cache `URL` is a substituter this user may use"},
		&ucli.BoolFlag{Name: "json", Usage: "print the report as JSON"},
		&ucli.BoolFlag{Name: "cross-check", Usage: "compare with what nix show-config --json prints (starts nix)"},
		StoreFlag(),
		DaemonPIDFlag(),
	}
}

// StoreFlag returns the --store flag, which chooses the store a verdict is
// for; `nixsign trust add/remove` have it too.
func StoreFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "store", Usage: "the store the verdict is for: `STORE` is daemon, local, unix://PATH or a directory (default: as nix picks it)"}
}

// DaemonPIDFlag returns the --daemon-pid flag, which chooses the daemon.
func DaemonPIDFlag() ucli.Flag {
	return &ucli.IntFlag{Name: "daemon-pid", Usage: "check the nix-daemon with process id `PID`, not the one serving the store"}
}

func action(c *ucli.Context) error {
	var keys []sign.PublicKey
	for _, arg := range append(c.StringSlice("key"), c.Args().Slice()...) {
		k, err := ReadKey(arg)
		if err != nil {
			return err
		}
		keys = append(keys, k)
	}
	opts := Options(c)
	opts.Cache = c.String("cache")
	opts.CrossCheck = c.Bool("cross-check")
	r, err := trust.Check(context.Background(), opts, keys...)
	if err != nil {
		return diag.Wrap(diag.ExitUsage, err)
	}
	p := diag.Printer{Prog: c.App.Name, W: c.App.ErrWriter}
	code, err := Print(c.App.Writer, p, r, c.Bool("json"))
	if err != nil {
		return err
	}
	if cc := r.CrossCheck; cc != nil && cc.Err != "" {
		return diag.Wrap(diag.ExitUnavailable, fmt.Errorf("--cross-check: %s", cc.Err))
	}
	if code != diag.ExitOK {
		return diag.Silent{Code: code}
	}
	return nil
}

// Options returns the trust options that the --store and --daemon-pid
// flags (when defined) set.
func Options(c *ucli.Context) trust.Options {
	opts := trust.Options{Store: c.String("store"), DaemonPID: c.Int("daemon-pid")}
	procFromEnv(&opts)
	return opts
}

// ReadKey is trust.ReadKey with exit codes: 65 for a key that does not
// parse, 66 for a missing file.
func ReadKey(arg string) (sign.PublicKey, error) {
	k, err := trust.ReadKey(arg)
	if err != nil && diag.CodeOf(err) == diag.ExitFailure {
		err = diag.Wrap(diag.ExitDataErr, err)
	}
	return k, err
}

// problemCodes maps each problem a report can name to its exit code.
var problemCodes = map[trust.Problem]int{
	trust.ProblemNone:       diag.ExitOK,
	trust.ProblemConfig:     diag.ExitConfig,
	trust.ProblemStore:      diag.ExitUnavailable,
	trust.ProblemNotTrusted: diag.ExitNotTrusted,
	trust.ProblemUserOnly:   diag.ExitUserOnly,
	trust.ProblemShadowed:   diag.ExitShadowed,
	trust.ProblemRestart:    diag.ExitRestart,
	trust.ProblemDisagree:   diag.ExitDisagree,
	trust.ProblemCache:      diag.ExitCacheUnused,
}

// ExitCode returns the exit code for a report's problem.
func ExitCode(r *trust.Report) int {
	if code, ok := problemCodes[r.Problem]; ok {
		return code
	}
	return diag.ExitFailure
}

// Print writes the report: JSON or text on w, then configuration errors,
// warnings and one error line per failed check through p. It returns the
// exit code for the report (ExitCode).
func Print(w io.Writer, p diag.Printer, r *trust.Report, asJSON bool) (int, error) {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false) // "<secret key, redacted>" as it is
		if err := enc.Encode(r); err != nil {
			return diag.ExitIOErr, err
		}
	} else if err := r.WriteText(w); err != nil {
		return diag.ExitIOErr, err
	}
	for _, e := range r.Errors {
		p.Errorf("%s (the %s's configuration: Nix refuses it)", e.Message, e.Whose)
	}
	if r.Store.Error != "" {
		p.Errorf("%s", r.Store.Error)
		if f := r.Store.Fix; f != nil && f.Command != "" {
			p.Hintf("%s: %s", f.Message, f.Command)
		} else if f != nil {
			p.Hintf("%s", f.Message)
		}
	}
	for _, wn := range r.Warnings {
		p.Warnf("%s", wn)
	}
	said := map[string]bool{} // a malformed entry fails every key alike
	for _, k := range r.Keys {
		switch k.Verdict {
		case trust.BadConfig:
			for _, rs := range k.Reasons {
				if rs.Code == "malformed" && !said[rs.Message] {
					said[rs.Message] = true
					p.Errorf("%s", rs.Message)
				}
			}
		case trust.Trusted, trust.AcceptsAll:
		case trust.NotTrusted:
			p.Errorf("key %s is not trusted", k.Name)
		case trust.UserOnly:
			p.Errorf("key %s is trusted only by your user configuration, which the daemon ignores", k.Name)
		case trust.Shadowed:
			p.Errorf("key %s is shadowed by a different key of the same name", k.Name)
		case trust.RestartNeeded:
			p.Errorf("key %s is trusted by the configuration, but the nix-daemon must be restarted", k.Name)
		}
	}
	if len(r.Keys) == 0 && r.Problem == trust.ProblemRestart {
		p.Errorf("the nix-daemon started before its configuration last changed: restart it")
	}
	if r.Cache != nil && r.Cache.Status == "refused" {
		p.Errorf("the daemon ignores the cache %s for this user", r.Cache.URL)
	}
	if cc := r.CrossCheck; cc != nil && !cc.Agrees && cc.Err == "" {
		p.Errorf("nix and nixsign disagree about the configuration (%d settings)", len(cc.Differences))
	}
	return ExitCode(r), nil
}
