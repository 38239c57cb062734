package trust

import (
	"github.com/nixsign/nixsign/conf/nixconf"
)

// Schema names the JSON form of a Report; it changes only when a field
// changes meaning or goes away (fields may be added).
const Schema = "nixsign.trust.check/v1"

// A Verdict is the checker's answer for one key.
type Verdict string

// The verdicts. Only Trusted and AcceptsAll mean that the store accepts a
// path signed by the key.
const (
	// Trusted: the store that checks signatures trusts the key.
	Trusted Verdict = "trusted"
	// AcceptsAll: the key is not trusted, but require-sigs = false makes
	// the store accept every path, signed or not.
	AcceptsAll Verdict = "accepts-all"
	// NotTrusted: no configuration the store reads trusts the key.
	NotTrusted Verdict = "not-trusted"
	// UserOnly: only the user's configuration (user files, NIX_CONFIG)
	// trusts the key, and the daemon ignores it: the user is not trusted.
	UserOnly Verdict = "user-only"
	// Shadowed: a different key with the same name comes first, and Nix
	// keeps the first key of a name.
	Shadowed Verdict = "shadowed"
	// RestartNeeded: the configuration trusts the key, but the running
	// daemon started before it last changed.
	RestartNeeded Verdict = "restart-needed"
	// BadConfig: trusted-public-keys holds an entry that is not a valid
	// public key (of any name: a key of the wrong length, a secret key,
	// text without a name), on which Nix throws at every signature check,
	// so that it trusts no key. Its problem is ProblemConfig.
	BadConfig Verdict = "config-error"
)

// Accepted reports whether the store accepts paths signed by the key.
func (v Verdict) Accepted() bool { return v == Trusted || v == AcceptsAll }

// A Problem is a kind of failure a Report can hold.
type Problem string

// The problems, in order of precedence: Report.Problem returns the first
// that the report holds.
const (
	ProblemNone       Problem = "" // everything checked passed
	ProblemConfig     Problem = "config-error"
	ProblemStore      Problem = "store-unusable" // nix cannot open the store (StoreInfo.Error)
	ProblemNotTrusted Problem = Problem(NotTrusted)
	ProblemUserOnly   Problem = Problem(UserOnly)
	ProblemShadowed   Problem = Problem(Shadowed)
	ProblemRestart    Problem = Problem(RestartNeeded)
	ProblemDisagree   Problem = "disagree"
	ProblemCache      Problem = "cache-unused"
)

// Problems lists the problems in order of precedence.
var Problems = []Problem{
	ProblemConfig, ProblemStore, ProblemNotTrusted, ProblemUserOnly, ProblemShadowed,
	ProblemRestart, ProblemDisagree, ProblemCache,
}

// Report is the checker's answer for a set of keys on one machine.
type Report struct {
	Schema string `json:"schema"`
	// Problem is the first problem of Problems that the report holds, ""
	// when there is none.
	Problem  Problem     `json:"problem"`
	Store    StoreInfo   `json:"store"`
	User     UserInfo    `json:"user"`
	Platform Platform    `json:"platform"`
	Daemon   *DaemonInfo `json:"daemon,omitempty"` // ModeDaemon only
	// Config is the configuration of the store that checks signatures.
	Config ConfigInfo   `json:"config"`
	Keys   []KeyReport  `json:"keys"`
	Cache  *CacheReport `json:"cache,omitempty"`
	// CrossCheck is the comparison with `nix show-config` (--cross-check).
	CrossCheck *CrossCheck `json:"cross_check,omitempty"`
	// Errors are configurations Nix refuses to start with.
	Errors []ConfigError `json:"errors"`
	// Warnings are things to know that change no verdict.
	Warnings []string `json:"warnings"`
	// RestartFix restarts the daemon, when a restart is needed.
	RestartFix *Fix `json:"restart_fix,omitempty"`
}

// UserInfo is the user the verdict is for, as the daemon sees it.
type UserInfo struct {
	Name  string `json:"name"`
	UID   int    `json:"uid"`
	Group string `json:"group"`
	// Trusted says whether the daemon's trusted-users names the user (by
	// TrustedBy, an entry of the list); always true for a local store.
	Trusted   bool   `json:"trusted"`
	TrustedBy string `json:"trusted_by,omitempty"`
	// TrustedUsers is the daemon's trusted-users, and where it was set.
	TrustedUsers       string `json:"trusted_users,omitempty"`
	TrustedUsersOrigin string `json:"trusted_users_origin,omitempty"`
	// Allowed says whether the daemon lets the user connect.
	Allowed bool `json:"allowed"`
}

// ConfigInfo is the configuration that decides signatures.
type ConfigInfo struct {
	// From is whose configuration it is: "daemon", or "client" (a local
	// store, or a trusted user's own trusted-public-keys).
	From string `json:"from"`
	// TrustedPublicKeys is the list in order, each entry with its origin;
	// an entry that is a secret key shows as "NAME:<secret key, redacted>"
	// (sign.DisplayKeyText).
	TrustedPublicKeys []Entry `json:"trusted_public_keys"`
	RequireSigs       bool    `json:"require_sigs"`
	RequireSigsOrigin string  `json:"require_sigs_origin"`
	// SecretKeyFiles are files whose public halves Nix trusts as well; the
	// checker never opens them. An entry that is a secret key itself shows
	// as sign.NotAPath.
	SecretKeyFiles []string `json:"secret_key_files"`
}

// An Entry is one trusted-public-keys entry.
type Entry struct {
	Key    string `json:"key"`
	Origin string `json:"origin"` // "file:line", or "default"
}

// KeyReport is the verdict for one key.
type KeyReport struct {
	Key      string   `json:"key"`
	Name     string   `json:"name"`
	Verdict  Verdict  `json:"verdict"`
	Accepted bool     `json:"accepted"`
	Reasons  []Reason `json:"reasons"`
	Fixes    []Fix    `json:"fixes"`
}

// A Reason explains a verdict.
type Reason struct {
	// Code names the reason for scripts: listed, not-listed, user-only,
	// user-trusted, user-untrusted, shadowed, shadowed-later, malformed,
	// secret-key-entry, daemon-stale, require-sigs-off, secret-key-files,
	// name-whitespace.
	Code    string `json:"code"`
	Message string `json:"message"`
	Origin  string `json:"origin,omitempty"` // "file:line", or "default"
}

// A Fix is one step that changes a verdict.
type Fix struct {
	Message string `json:"message"`
	Command string `json:"command,omitempty"` // a shell command to run
	Snippet string `json:"snippet,omitempty"` // Nix code to add to File
	File    string `json:"file,omitempty"`
}

// A ConfigError is a configuration Nix refuses.
type ConfigError struct {
	// Whose is "client" (every nix command fails) or "daemon" (the daemon
	// fails to start).
	Whose   string `json:"whose"`
	Message string `json:"message"` // "file:line: problem", secret keys redacted (sign.RedactSecrets)
}

// CacheReport says whether the user's nix commands use a binary cache.
type CacheReport struct {
	URL string `json:"url"`
	// Status is "used" (a substituter), "allowed" (not a substituter, but
	// the user may add it), or "refused" (the daemon ignores it for this
	// user).
	Status  string   `json:"status"`
	Reasons []Reason `json:"reasons"`
	Fixes   []Fix    `json:"fixes"`
}

// CrossCheck compares the checker's view of the user's configuration with
// `nix show-config`.
type CrossCheck struct {
	Command     string       `json:"command"`
	Agrees      bool         `json:"agrees"`
	Differences []Difference `json:"differences"`
	Err         string       `json:"error,omitempty"` // nix could not be run
}

// A Difference is one setting on which nix and the checker disagree.
type Difference struct {
	Setting string `json:"setting"`
	Nix     string `json:"nix"`
	Checker string `json:"checker"`
}

// origin formats a nixconf origin for a report.
func origin(o nixconf.Origin) string { return o.String() }

// computeProblem sets r.Problem.
func (r *Report) computeProblem() {
	has := map[Problem]bool{}
	if len(r.Errors) > 0 {
		has[ProblemConfig] = true
	}
	if r.Store.Error != "" {
		has[ProblemStore] = true
	}
	for _, k := range r.Keys {
		if !k.Verdict.Accepted() {
			has[Problem(k.Verdict)] = true
		}
	}
	if r.CrossCheck != nil && !r.CrossCheck.Agrees && r.CrossCheck.Err == "" {
		has[ProblemDisagree] = true
	}
	if r.Cache != nil && r.Cache.Status == "refused" {
		has[ProblemCache] = true
	}
	if r.Daemon != nil && r.Daemon.Stale && len(r.Keys) == 0 {
		has[ProblemRestart] = true
	}
	r.Problem = ProblemNone
	for _, p := range Problems {
		if has[p] {
			r.Problem = p
			return
		}
	}
}
