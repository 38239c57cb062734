package hook

import (
	"context"

	"github.com/nixsign/nixsign/conf/config"
	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/trust"
)

// Preflight is what Check found: the key the hook would sign with, and
// whether this machine accepts paths signed by it.
type Preflight struct {
	Key       *KeyRef
	PublicKey sign.PublicKey
	Config    *config.Config
	// Trust is the checker's verdict on PublicKey, with its reasons and
	// fixes; TrustWarnings what the checker noticed besides.
	Trust         trust.KeyReport
	TrustWarnings []string
}

// Check does what the hook does before any work, for CI before
// `flox publish` or a build: it reads nixsign's config, resolves the key
// file (see ResolveKey) and checks it with the key-file policy. It then asks
// the checker (trust.Check, in opts.Env) whether this machine's Nix accepts
// paths signed by the key's public half. The error is an *Error (StageConfig
// or StageKey) when the hook would fail; the trust verdict is in the
// result, not an error, since the machine that signs need not be one that
// substitutes.
func Check(ctx context.Context, opts *Options) (*Preflight, error) {
	cfg, err := config.Load(opts.Env)
	if err != nil {
		return nil, &Error{Stage: StageConfig, Err: err}
	}
	ref, err := ResolveKey(opts.KeyFile, opts.Env, cfg)
	if err != nil {
		return nil, &Error{Stage: StageKey, Err: err}
	}
	k, err := ref.Load()
	if err != nil {
		return nil, &Error{Stage: StageKey, Err: err}
	}
	p := &Preflight{Key: ref, PublicKey: k.Public(), Config: cfg}
	r, err := trust.Check(ctx, trust.Options{Machine: trust.Machine{Vars: opts.Env.Vars}}, p.PublicKey)
	if err != nil || len(r.Keys) != 1 {
		p.Trust = trust.KeyReport{Key: p.PublicKey.String(), Name: p.PublicKey.Name, Verdict: trust.NotTrusted,
			Reasons: []trust.Reason{{Code: "check-failed", Message: "the trust check failed: " + errText(err)}}}
		return p, nil
	}
	p.Trust = r.Keys[0]
	p.TrustWarnings = r.Warnings
	for _, e := range r.Errors {
		p.TrustWarnings = append(p.TrustWarnings, e.Whose+" configuration: "+e.Message)
	}
	return p, nil
}

func errText(err error) string {
	if err == nil {
		return "no verdict"
	}
	return err.Error()
}
