package trust

import (
	"context"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/nixsign/nixsign/conf/nixconf"
	"github.com/nixsign/nixsign/sign"
)

// checker holds one run of Check.
type checker struct {
	opts   Options
	m      machineFS
	vars   map[string]string
	home   string
	goos   string
	user   User
	r      *Report
	client *nixconf.Config // the user's view: what `nix show-config` shows
	daemon *nixconf.Config // the daemon's own view (ModeDaemon)
	procs  []Process       // the daemons serving the store (ModeDaemon)
	view   storeView
	fix    fixer
	// sysConf is the nix.conf an edit changes by default (AddKey,
	// RemoveKeys).
	sysConf string
}

// storeView is the configuration of the process that checks signatures.
type storeView struct {
	cfg         *nixconf.Config // nil when it does not load
	keys        []nixconf.Item
	requireSigs nixconf.Value
	secretFiles []nixconf.Item
}

// Check answers, for each key, whether this machine accepts store paths
// signed by it, and why; with Options.Cache, whether the user's nix
// commands use that cache. It never starts a process unless
// Options.CrossCheck is set, and never opens a secret key. Problems with
// the machine's configuration are in the Report; the error is for checks
// that could not be made at all (an Options.DaemonPID that is not a
// daemon).
func Check(ctx context.Context, opts Options, keys ...sign.PublicKey) (*Report, error) {
	c, err := check(ctx, opts, keys...)
	if err != nil {
		return nil, err
	}
	return c.r, nil
}

func check(ctx context.Context, opts Options, keys ...sign.PublicKey) (*checker, error) {
	c := newChecker(opts)
	r := c.r
	var err error
	c.client, err = nixconf.Load(c.clientEnv())
	if err != nil {
		r.Errors = append(r.Errors, ConfigError{Whose: "client", Message: sign.RedactSecrets(err.Error())})
	} else {
		for _, w := range c.client.Warnings() {
			r.Warnings = append(r.Warnings, "nix warns: "+sign.RedactSecrets(w.String()))
		}
	}
	uri := opts.Store
	if uri == "" {
		uri = "auto"
		if c.client != nil {
			v, _ := c.client.Get("store")
			uri = v.Text
		} else if v, ok := c.vars["NIX_REMOTE"]; ok {
			uri = v
		}
	}
	r.Store = c.resolveStore(uri)
	if r.Store.Mode == ModeRemote {
		r.Warnings = append(r.Warnings, "the store "+uri+" is on another machine: this is the verdict of this machine's configuration")
	}
	sysConf := ""
	if r.Store.Mode == ModeDaemon {
		if err := c.loadDaemon(); err != nil {
			return nil, err
		}
		sysConf = r.Daemon.ConfFile
	} else if c.client != nil {
		sysConf = c.client.Files()[0].Path
	} else {
		sysConf = confDirOf(c.vars) + "/nix.conf"
	}
	r.Platform = detectPlatform(c.m, c.goos, c.vars, sysConf, c.firstUserFile())
	c.setView()
	c.fix = c.newFixer(sysConf)
	for _, k := range keys {
		r.Keys = append(r.Keys, c.checkKey(k))
	}
	if opts.Cache != "" {
		r.Cache = c.checkCache(opts.Cache)
	}
	if opts.CrossCheck {
		r.CrossCheck = c.crossCheck(ctx)
	}
	if r.Daemon != nil && r.Daemon.Stale {
		r.RestartFix = c.fix.restart
	}
	r.computeProblem()
	return c, nil
}

func newChecker(opts Options) *checker {
	mc := &opts.Machine
	if mc.Now == nil {
		mc.Now = time.Now
	}
	c := &checker{opts: opts, m: machineFS{root: strings.TrimSuffix(mc.Root, "/")}, vars: mc.Vars, home: mc.Home, goos: mc.GOOS}
	if c.vars == nil {
		c.vars = environ()
	}
	if c.goos == "" {
		c.goos = runtime.GOOS
	}
	if mc.User != nil {
		c.user = *mc.User
	} else {
		c.user = currentUser(c.m)
	}
	if _, ok := c.vars["HOME"]; !ok && c.home == "" {
		c.home = homeOf(c.m, c.user.UID)
	}
	if c.goos == "darwin" {
		// The daemon does not learn a macOS client's group: it matches
		// "@group" by the group's member list only.
		c.user.Group = "0"
	}
	c.r = &Report{Schema: Schema, Keys: []KeyReport{}, Errors: []ConfigError{}, Warnings: []string{}}
	c.r.Config = ConfigInfo{TrustedPublicKeys: []Entry{}, SecretKeyFiles: []string{}}
	c.r.User = UserInfo{Name: c.user.Name, UID: c.user.UID, Group: c.user.Group, Trusted: true, Allowed: true}
	return c
}

func environ() map[string]string {
	vars := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			if _, dup := vars[k]; !dup {
				vars[k] = v
			}
		}
	}
	return vars
}

func (c *checker) clientEnv() nixconf.Env {
	return nixconf.Env{Vars: c.vars, Home: c.home, FS: c.m.nixFS()}
}

// confDirOf returns NIX_CONF_DIR as Nix would use it, "/etc/nix" by default.
func confDirOf(vars map[string]string) string {
	if d, ok := vars["NIX_CONF_DIR"]; ok && strings.HasPrefix(d, "/") {
		return strings.TrimRight(d, "/")
	}
	return "/etc/nix"
}

// firstUserFile returns the user configuration file that wins, "" if none.
func (c *checker) firstUserFile() string {
	if c.client == nil {
		return ""
	}
	first := ""
	for _, f := range c.client.Files() {
		if f.Layer == nixconf.LayerUser && f.From == (nixconf.Origin{}) {
			first = f.Path // applied last, listed first
		}
	}
	return first
}

// loadDaemon finds the daemon and reads its configuration.
func (c *checker) loadDaemon() error {
	r := c.r
	table := c.opts.Machine.Procs
	if table == nil {
		table = defaultProcessTable(c.m, c.opts.Machine.Now)
	}
	all, err := table.Daemons()
	if err != nil && c.opts.DaemonPID == 0 {
		r.Warnings = append(r.Warnings, "cannot list processes to find nix-daemon: "+err.Error())
	}
	c.procs, err = findDaemons(all, r.Store.Socket, c.opts.DaemonPID)
	if err != nil {
		return err
	}
	env, known := daemonEnv(c.m, c.procs, c.vars)
	d := &DaemonInfo{Processes: daemonProcesses(c.procs), EnvKnown: known}
	d.ConfFile = confDirOf(env.Vars) + "/nix.conf"
	r.Daemon = d
	if exists, err := c.pathExists(r.Store.Socket); len(c.procs) == 0 && err == nil && !exists {
		r.Warnings = append(r.Warnings, "no nix-daemon is running and its socket "+r.Store.Socket+" does not exist: nix commands cannot reach the store")
	}
	if len(c.procs) > 0 && !known {
		r.Warnings = append(r.Warnings, "cannot read the daemon's environment (run as root to see it): assuming it reads "+d.ConfFile)
	}
	c.daemon, err = nixconf.Load(env)
	if err != nil {
		r.Errors = append(r.Errors, ConfigError{Whose: "daemon", Message: sign.RedactSecrets(err.Error())})
		return nil
	}
	d.ConfFile = c.daemon.Files()[0].Path
	d.Files, d.Stale = confFiles(c.m, c.daemon, oldestStart(c.procs))
	trusted, _ := c.daemon.Get("trusted-users")
	allowed, _ := c.daemon.Get("allowed-users")
	u := &r.User
	u.TrustedUsers, u.TrustedUsersOrigin = trusted.Text, origin(trusted.Origin)
	u.TrustedBy, u.Trusted = matchUser(c.m, c.user, itemTexts(trusted.Items))
	_, u.Allowed = matchUser(c.m, c.user, itemTexts(allowed.Items))
	u.Allowed = u.Allowed || u.Trusted
	if !u.Allowed {
		r.Warnings = append(r.Warnings, "user "+c.user.Name+" is not in allowed-users ("+allowed.Text+"): the daemon refuses the connection")
	}
	return nil
}

// setView decides whose configuration the store checks signatures with.
func (c *checker) setView() {
	v := &c.view
	if c.r.Store.Mode != ModeDaemon {
		v.cfg = c.client
	} else {
		v.cfg = c.daemon
	}
	if v.cfg == nil {
		return
	}
	tpk, _ := v.cfg.Get("trusted-public-keys")
	skf, _ := v.cfg.Get("secret-key-files")
	v.keys, v.secretFiles = tpk.Items, skf.Items
	// require-sigs belongs to the store object, made before a client's
	// settings arrive: a client never changes it (observed with 2.8.0).
	v.requireSigs, _ = v.cfg.Get("require-sigs")
	c.r.Config.From = "client"
	if c.r.Store.Mode == ModeDaemon {
		c.r.Config.From = "daemon"
		if c.r.User.Trusted && c.client != nil {
			// A trusted client's own settings replace the daemon's.
			if overridden(c.client, "trusted-public-keys") {
				tpk, _ = c.client.Get("trusted-public-keys")
				v.keys = tpk.Items
				c.r.Config.From = "client"
			}
			if overridden(c.client, "secret-key-files") {
				skf, _ = c.client.Get("secret-key-files")
				v.secretFiles = skf.Items
			}
		}
	}
	ci := &c.r.Config
	ci.TrustedPublicKeys = []Entry{}
	for _, it := range v.keys {
		ci.TrustedPublicKeys = append(ci.TrustedPublicKeys, Entry{Key: sign.DisplayKeyText(it.Text), Origin: origin(it.Origin)})
	}
	ci.RequireSigs = v.requireSigs.Text == "true"
	ci.RequireSigsOrigin = origin(v.requireSigs.Origin)
	ci.SecretKeyFiles = pathTexts(v.secretFiles)
	if ci.SecretKeyFiles == nil {
		ci.SecretKeyFiles = []string{}
	}
	if !ci.RequireSigs {
		c.r.Warnings = append(c.r.Warnings, "require-sigs = false ("+ci.RequireSigsOrigin+"): the store accepts every path, signed or not")
	}
}

// overridden reports whether the user's files or NIX_CONFIG set the
// setting: a client sends those settings to the daemon.
func overridden(cfg *nixconf.Config, name string) bool {
	for _, a := range cfg.Assignments(name) {
		if a.Origin.Layer >= nixconf.LayerUser {
			return true
		}
	}
	return false
}

func itemTexts(items []nixconf.Item) []string {
	var s []string
	for _, it := range items {
		s = append(s, it.Text)
	}
	return s
}
