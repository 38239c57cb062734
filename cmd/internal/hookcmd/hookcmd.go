// Package hookcmd is the command line of the post-build hook, shared by
// the nixsign-hook binary (Main) and `nixsign hook` (Execute):
//
//	nixsign-hook                       sign what Nix just built (Nix runs it with no arguments)
//	nixsign-hook --preflight           check the key before a build, e.g. in CI before flox publish
//	nixsign-hook [--key-file ABS] [--preflight [--require-trusted]]
//
// Results go to stdout (Nix shows them as "post-build-hook: ..."),
// diagnostics to stderr as "nixsign-hook: error: ...". With on_error =
// "warn" in nixsign's config a failure is printed as a warning and the exit
// code is 0, so that Nix goes on building; otherwise the code is one of
// cmd/internal/diag's, and Nix stops.
//
// The package does not import urfave/cli (nor cmd/internal/cli, which
// does): the hook blocks Nix's build loop, and that library's
// initialisation alone would cost it about a millisecond. Nor does it
// import the compressors (nix/cache/codecs): with push_to, nixsign-hook
// execs `nixsign hook` (the nixsign installed next to it) with the same
// arguments and environment, before it opens the store.
package hookcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/conf/config"
	"github.com/nixsign/nixsign/hook"
	"github.com/nixsign/nixsign/trust"
)

// Params are the command line's settings.
type Params struct {
	KeyFile        string // --key-file
	Preflight      bool   // --preflight
	RequireTrusted bool   // --require-trusted: preflight fails unless this machine trusts the key

	// handOff is hook.Options.HandOff: set by Main (nixsign-hook, which
	// hands push_to over to `nixsign hook`), nil for `nixsign hook`.
	handOff func(*config.Config) error
}

// Flag usages, shared with `nixsign hook`.
const (
	KeyFileUsage        = "sign with the secret key in `FILE` (an absolute path), over any configured key"
	PreflightUsage      = "check the key and whether this machine trusts it, then exit (builds and signs nothing)"
	RequireTrustedUsage = "with --preflight: fail unless this machine's Nix configuration trusts the key"
)

// Main runs nixsign-hook with args (args[0] is the program) and returns
// the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	const prog = "nixsign-hook"
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var params Params
	fs.StringVar(&params.KeyFile, "key-file", "", KeyFileUsage)
	fs.BoolVar(&params.Preflight, "preflight", false, PreflightUsage)
	fs.BoolVar(&params.RequireTrusted, "require-trusted", false, RequireTrustedUsage)
	version := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s [--preflight [--require-trusted]] [--key-file FILE]\n\n"+
			"Run by Nix as its post-build-hook (with no arguments), it signs every output of the build.\n\n", prog)
		fs.PrintDefaults()
	}
	if len(args) > 0 {
		args = args[1:]
	}
	p := diag.Printer{Prog: prog, W: stderr}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return diag.ExitOK
		}
		return diag.ExitUsage
	}
	if fs.NArg() > 0 {
		p.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
		return diag.ExitUsage
	}
	if *version {
		fmt.Fprintf(stdout, "%s version %s\n", prog, diag.VersionString())
		return diag.ExitOK
	}
	params.handOff = execNixsign(args)
	err := Execute(context.Background(), params, config.OSEnv(), stdout, p)
	if err != nil {
		p.Errorf("%v", err)
	}
	return diag.CodeOf(err)
}

// Execute runs the hook, or its preflight check, in env, printing results
// to stdout and diagnostics with p. The error has an ExitCode method
// (which cmd/internal/diag.CodeOf reads) and is not printed yet; a failure
// that on_error = "warn" turns into a warning is printed here and gives nil.
func Execute(ctx context.Context, params Params, env config.Env, stdout io.Writer, p diag.Printer) error {
	if params.RequireTrusted && !params.Preflight {
		return diag.Wrap(diag.ExitUsage, errors.New("--require-trusted needs --preflight (see --help)"))
	}
	opts := &hook.Options{
		Env:     env,
		KeyFile: params.KeyFile,
		Stdout:  stdout,
		Info:    func(msg string) { p.Infof("%s", msg) },
		Warn:    func(msg string) { p.Warnf("%s", msg) },
		HandOff: params.handOff,
	}
	if params.Preflight {
		return preflight(ctx, opts, params, stdout, p)
	}
	res, err := hook.Run(ctx, opts)
	var he *hook.Error
	if err != nil && res.OnError == config.OnErrorWarn && errors.As(err, &he) {
		p.Warnf("%s", he.Warning())
		return nil
	}
	return diag.Wrap(codeOf(err), err)
}

func preflight(ctx context.Context, opts *hook.Options, params Params, stdout io.Writer, p diag.Printer) error {
	res, err := hook.Check(ctx, opts)
	if err != nil {
		return diag.Wrap(codeOf(err), err)
	}
	for _, w := range res.Key.Warnings {
		p.Warnf("%s", w)
	}
	for _, w := range res.TrustWarnings {
		p.Warnf("%s", w)
	}
	t := res.Trust
	fmt.Fprintf(stdout, "key file:   %s (%s)\n", res.Key.Path, res.Key.Source)
	fmt.Fprintf(stdout, "public key: %s\n", res.PublicKey)
	fmt.Fprintf(stdout, "checks:     ok\n")
	fmt.Fprintf(stdout, "trust:      %s\n", t.Verdict)
	for _, r := range t.Reasons {
		fmt.Fprintf(stdout, "  because:  %s\n", r.Message)
	}
	if !t.Accepted {
		for _, f := range t.Fixes {
			if f.Command != "" {
				fmt.Fprintf(stdout, "  fix:      %s: %s\n", f.Message, f.Command)
			} else {
				fmt.Fprintf(stdout, "  fix:      %s\n", f.Message)
			}
		}
	}
	if !params.RequireTrusted || t.Accepted {
		return nil
	}
	msg := fmt.Sprintf("%s is %s here (see above)", res.PublicKey, t.Verdict)
	switch t.Verdict {
	case trust.UserOnly:
		return diag.Wrap(diag.ExitUserOnly, errors.New(msg))
	case trust.Shadowed:
		return diag.Wrap(diag.ExitShadowed, errors.New(msg))
	case trust.RestartNeeded:
		return diag.Wrap(diag.ExitRestart, errors.New(msg))
	case trust.BadConfig:
		return diag.Wrap(diag.ExitConfig, errors.New(msg))
	}
	return diag.Wrap(diag.ExitNotTrusted, errors.New(msg))
}
