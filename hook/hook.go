package hook

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/nixsign/nixsign/conf/config"
	"github.com/nixsign/nixsign/nix/cache"
	"github.com/nixsign/nixsign/nix/store"
	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/sign/secretkey"
)

// Options are everything Run and Preflight read besides files: the
// environment, the flags, where output goes, and the stores. Tests replace
// any of them.
type Options struct {
	// Env holds the environment variables (DRV_PATH, OUT_PATHS,
	// NIXSIGN_KEY_FILE, the config lookups' variables, NIX_REMOTE, ...)
	// and the home directory.
	Env config.Env
	// KeyFile is the --key-file flag; "" when not given.
	KeyFile string
	// Stdout receives one line per signed path; nil discards them.
	Stdout io.Writer
	// Info and Warn receive diagnostics, one line each, without a prefix;
	// nil drops them.
	Info, Warn func(msg string)
	// OpenStore opens the store named by nixsign's store setting; nil means
	// store.Open.
	OpenStore func(ctx context.Context, spec string, opts *store.Options) (store.Store, error)
	// QueryOutputs lists a derivation's outputs when the .drv does not
	// hold their paths and the store cannot say (the files store, a
	// binary cache: see store.DerivationOutputser); nil means `nix-store
	// --query --outputs`.
	QueryOutputs QueryOutputs
	// Now is the clock for the log file; nil means time.Now.
	Now func() time.Time
	// HandOff, when not nil, is called by Run once the config is loaded,
	// if it has push_to, before anything else is done (before the store is
	// opened). nixsign-hook, which links no compressor, sets it to replace
	// itself with `nixsign hook`, which then does the whole run; `nixsign
	// hook` leaves it nil and pushes itself. HandOff returns only if it
	// could not hand over: Run then signs as usual and fails the push step
	// with its error, which names the fix.
	HandOff func(cfg *config.Config) error
}

func (o *Options) getenv(k string) string { return o.Env.Vars[k] }

func (o *Options) info(format string, args ...any) {
	if o.Info != nil {
		o.Info(fmt.Sprintf(format, args...))
	}
}

func (o *Options) warn(format string, args ...any) {
	if o.Warn != nil {
		o.Warn(fmt.Sprintf(format, args...))
	}
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Result says what a run did.
type Result struct {
	Outputs *Outputs // nil when they could not be found
	// OnError is the failure policy in force: config.OnErrorFail (also
	// when the config could not be read) or config.OnErrorWarn.
	OnError string
	Signed  []string // paths that now carry the key's signature (also those that had it)
	Pushed  []string // paths copied to push_to
	Key     string   // the key's name, once loaded
	Store   string   // the store signed in, once opened
}

// Run signs what Nix just built: it reads nixsign's config, finds the
// outputs (see FindOutputs), resolves and checks the key (see ResolveKey and
// KeyRef.Load), and only then signs every output, or with recursive every
// path of the outputs' closure, in the store the config names (store,
// default auto), and with push_to copies the closure to that binary cache.
// The connection to a daemon is made, and its handshake started (see
// store.StartOpen), before the outputs are found and the key is checked,
// since the daemon takes longer to start a worker than the hook takes to do
// all the rest. Nothing is asked of the store before the key passes: then
// the handshake is finished, with the query of the outputs' infos in the
// same round trip; a failed check closes the connection. It writes one line per signed path to
// opts.Stdout and, with log_file, appends one JSON line per path to that
// file.
//
// The outputs of a floating content-addressed derivation have no path in
// its .drv, and Nix 2.8.0 passes OUT_PATHS empty: once the key has passed,
// Run asks the store it opened for them, over the same connection (see
// store.DerivationOutputser), which costs one more round trip for such
// builds only. A daemon knows them only when its own configuration enables
// ca-derivations; otherwise the run fails with an error wrapping
// ErrUnknownOutputs that says so. Only a store that cannot answer (files,
// file://) makes Run fall back to Options.QueryOutputs.
//
// With push_to and Options.HandOff, the run is first handed over (see
// HandOff).
//
// A failure is an *Error naming the paths left unsigned (or not pushed),
// the cause and, in the cause, the fix. Run itself does not apply
// on_error: Result.OnError says which policy the caller applies.
func Run(ctx context.Context, opts *Options) (*Result, error) {
	r := &run{opts: opts, res: &Result{OnError: config.OnErrorFail}, dir: storepath.DirFrom(opts.getenv)}
	err := r.run(ctx)
	r.log(err)
	return r.res, err
}

type run struct {
	opts  *Options
	res   *Result
	dir   string
	cfg   *config.Config
	ref   *KeyRef
	key   *secretkey.Key
	store store.Store
	// infos are the paths signed, with already[i] true when path i had the
	// signature before this run.
	infos   []*sign.PathInfo
	already []bool
	opening *store.Opening    // the store being opened, with store.StartOpen
	opened  <-chan openResult // or with Options.OpenStore
	waited  bool              // opened was received from
	openRes openResult
	// viaPush are paths the store could not record a signature for, which
	// only the push to push_to publishes signed.
	viaPush []string
	logPath string
	// handOffErr is why Options.HandOff could not hand the run over: the
	// push fails with it.
	handOffErr error
}

func (r *run) run(ctx context.Context) error {
	o := r.opts
	query := o.QueryOutputs
	if query == nil {
		query = nixStoreOutputs
	}
	// The config first, so that on_error applies to every later failure;
	// the outputs next, so that every failure can name them.
	cfg, cfgErr := config.Load(o.Env)
	if cfgErr == nil {
		r.cfg = cfg
		r.res.OnError, r.logPath = cfg.OnError, cfg.LogFile
		if cfg.PushTo != "" && o.HandOff != nil {
			r.handOffErr = o.HandOff(cfg) // returns only on failure
		}
	}
	if cfgErr == nil && (o.getenv("DRV_PATH") != "" || o.getenv("OUT_PATHS") != "") {
		// Connecting makes the daemon fork a worker and open its database,
		// which takes longer than everything else the hook does: start it
		// first (when Nix runs the hook), and find the outputs and check
		// the key meanwhile. Nothing is asked of the store before the key
		// passes.
		r.openStore(ctx)
		defer r.closeStore()
	}
	// Outputs whose path the .drv lacks (floating content-addressed) are
	// floating until the store is asked, after the key passes.
	outs, floating, err := findOutputs(o.Env.Vars, r.dir)
	if err != nil {
		return &Error{Stage: StageOutputs, Err: err}
	}
	r.res.Outputs = outs
	if r.opening != nil && len(floating) == 0 {
		// The first paths the hook asks the store about.
		r.opening.Prefetch(outs.Paths)
	}
	listed := "listed in"
	if len(floating) > 0 {
		listed = "the store records for"
	}
	switch {
	case outs.Stale:
		o.warn("%s; signing the outputs %s the .drv instead", outs.Why, listed)
	case outs.From != FromOutPaths:
		o.info("%s: signing the outputs %s %s", outs.Why, listed, outs.Drv)
	}
	fail := func(stage Stage, err error) error {
		e := &Error{Stage: stage, Unsigned: outs.Paths, Err: err}
		if len(floating) > 0 {
			e.Drv, e.Outputs = outs.Drv, outputList(floating)
		}
		return e
	}
	if cfgErr != nil {
		return fail(StageConfig, cfgErr)
	}
	if r.ref, err = ResolveKey(o.KeyFile, o.Env, r.cfg); err != nil {
		return fail(StageKey, err)
	}
	if r.key, err = r.ref.Load(); err != nil {
		return fail(StageKey, err)
	}
	r.res.Key = r.key.Name()

	if r.store, err = r.waitStore(); err != nil {
		return fail(StageStore, storeFix(r.cfg, "", err))
	}
	r.res.Store = r.store.String()
	if len(floating) > 0 {
		if err := r.resolveFloating(ctx, floating, query); err != nil {
			return err
		}
	}
	if err := r.sign(ctx); err != nil {
		return err
	}
	if r.cfg.PushTo != "" {
		return r.push(ctx)
	}
	return nil
}

// sign signs the outputs, or their closure, in the store.
func (r *run) sign(ctx context.Context) error {
	outs := r.res.Outputs.Paths
	var err error
	if r.cfg.Recursive {
		r.infos, err = store.Closure(ctx, r.store, outs)
	} else {
		r.infos, err = store.Infos(ctx, r.store, outs)
	}
	if err != nil {
		return &Error{Stage: StageSign, Unsigned: outs, Err: storeFix(r.cfg, r.res.Store, err)}
	}
	before := make([][]string, len(r.infos))
	for i, info := range r.infos {
		before[i] = slices.Clone(info.Sigs)
	}
	signed, err := store.SignInfos(ctx, r.store, r.key, r.infos)
	if signed == nil && err != nil {
		return &Error{Stage: StageSign, Unsigned: store.Paths(r.dir, r.infos), Err: err}
	}
	r.already = make([]bool, len(signed))
	var unsigned []string
	alreadyInClosure := 0
	for i, s := range signed {
		path := s.Info.Path.Abs(r.dir)
		r.already[i] = slices.Contains(before[i], s.Sig)
		switch {
		case r.already[i] && !slices.Contains(outs, path):
			alreadyInClosure++
			r.res.Signed = append(r.res.Signed, path)
		case r.already[i]:
			r.println("already signed ", path, " by ", r.key.Name())
			r.res.Signed = append(r.res.Signed, path)
		case s.Added:
			r.println("signed ", path, " by ", r.key.Name())
			r.res.Signed = append(r.res.Signed, path)
		case !s.Recorded && r.cfg.PushTo != "":
			r.viaPush = append(r.viaPush, path)
		default:
			unsigned = append(unsigned, path)
		}
	}
	if alreadyInClosure > 0 {
		r.println(fmt.Sprint(alreadyInClosure), " more paths of the closure were already signed by ", r.key.Name())
	}
	switch {
	case err != nil:
		return &Error{Stage: StageSign, Unsigned: unsigned, Err: storeFix(r.cfg, r.res.Store, err)}
	case len(unsigned) > 0:
		return &Error{Stage: StageSign, Unsigned: unsigned, Err: storeFix(r.cfg, r.res.Store, store.ErrReadOnly)}
	}
	return nil
}

// push copies the outputs' closure to the push_to cache.
func (r *run) push(ctx context.Context) error {
	var c *cache.Cache
	err := r.handOffErr
	if err == nil {
		c, err = cache.Open(r.cfg.PushTo, r.dir, true)
	}
	if err == nil {
		var res store.PushResult
		res, err = store.Push(ctx, r.store, c, r.key, r.res.Outputs.Paths, store.PushOptions{})
		r.res.Pushed = res.Pushed
		if err == nil {
			for _, p := range r.viaPush {
				r.println("signed ", p, " by ", r.key.Name(), " in ", r.cfg.PushTo)
			}
			r.res.Signed = append(r.res.Signed, r.viaPush...)
			r.println("pushed ", fmt.Sprint(len(res.Pushed)), " paths to ", r.cfg.PushTo,
				" (", fmt.Sprint(len(res.Skipped)), " already there)")
			return nil
		}
	}
	src, _ := r.cfg.Source(config.PushTo)
	err = fmt.Errorf("%s: %w", src, err)
	if len(r.viaPush) > 0 {
		return &Error{Stage: StagePush, Unsigned: r.viaPush, Err: err}
	}
	return &Error{Stage: StagePush, Unpushed: r.res.Outputs.Paths, Err: err}
}

func (r *run) println(parts ...string) {
	if r.opts.Stdout != nil {
		io.WriteString(r.opts.Stdout, strings.Join(parts, "")+"\n")
	}
}
