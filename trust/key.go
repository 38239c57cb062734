package trust

import (
	"fmt"
	"strings"

	"github.com/nixsign/nixsign/conf/nixconf"
	"github.com/nixsign/nixsign/sign"
)

// lookup finds key in a trusted-public-keys list as Nix's
// getDefaultPublicKeys does: the first entry with the key's name wins.
type lookup struct {
	winner    *nixconf.Item  // the first entry with the key's name
	same      bool           // winner is the key
	later     *nixconf.Item  // the key itself, listed after a different winner
	malformed []nixconf.Item // entries Nix fails on
}

func lookupKey(items []nixconf.Item, k sign.PublicKey) lookup {
	var l lookup
	for i := range items {
		it := &items[i]
		pk, err := sign.ParsePublicKey(it.Text)
		if err != nil {
			l.malformed = append(l.malformed, *it)
		}
		name, _, _ := strings.Cut(it.Text, ":")
		if name != k.Name {
			continue
		}
		if l.winner == nil {
			l.winner, l.same = it, err == nil && pk.Equal(k)
		} else if !l.same && l.later == nil && err == nil && pk.Equal(k) {
			l.later = it
		}
	}
	return l
}

// describeOrigin says where an entry comes from, for a reason.
func describeOrigin(o nixconf.Origin) string {
	switch o.Layer {
	case nixconf.LayerDefault:
		return "Nix's compiled-in default"
	case nixconf.LayerEnv:
		return "NIX_CONFIG (line " + fmt.Sprint(o.Line) + ")"
	}
	return o.String()
}

func (c *checker) checkKey(k sign.PublicKey) KeyReport {
	kr := KeyReport{Key: k.String(), Name: k.Name, Reasons: []Reason{}, Fixes: []Fix{}}
	add := func(code, origin, format string, args ...any) {
		kr.Reasons = append(kr.Reasons, Reason{Code: code, Message: fmt.Sprintf(format, args...), Origin: origin})
	}
	v := &c.view
	if v.cfg == nil {
		kr.Verdict = NotTrusted
		whose := "your"
		if c.r.Store.Mode == ModeDaemon {
			whose = "the daemon's"
		}
		add("config-error", "", "%s configuration does not load (see the errors)", whose)
		return kr
	}
	requireSigs := v.requireSigs.Text == "true"
	if err := sign.ValidateNameForConf(k.Name); err != nil {
		add("name-whitespace", "", "%v: no nix.conf can trust this key; generate a key with another name", err)
		kr.Verdict = NotTrusted
		if !requireSigs {
			kr.Verdict = AcceptsAll
		}
		kr.Accepted = kr.Verdict.Accepted()
		kr.Fixes = append(kr.Fixes, c.fix.forKey(c, k, kr.Verdict, lookup{})...)
		return kr
	}
	l := lookupKey(v.keys, k)
	whose := "the daemon's"
	if c.r.Config.From == "client" {
		whose = "your"
		if c.r.Store.Mode == ModeDaemon {
			whose = "your (a trusted user's)"
		}
	}
	switch {
	case l.same:
		add("listed", origin(l.winner.Origin), "%s trusted-public-keys lists it (%s)", whose, describeOrigin(l.winner.Origin))
		kr.Verdict = Trusted
		if c.r.Store.Mode == ModeDaemon && c.r.Config.From == "client" {
			add("user-trusted", "", "the daemon takes it from your configuration because user %s is trusted (trusted-users: %s); for other users it does not count", c.user.Name, c.r.User.TrustedBy)
		}
	case l.winner != nil:
		add("shadowed", origin(l.winner.Origin), "a different key named %q comes first in %s trusted-public-keys (%s: %s); Nix keeps the first key of a name", k.Name, whose, describeOrigin(l.winner.Origin), l.winner.Text)
		if l.later != nil {
			add("shadowed-later", origin(l.later.Origin), "your key is listed after it (%s), where it does not count", describeOrigin(l.later.Origin))
		}
		kr.Verdict = Shadowed
	default:
		add("not-listed", "", "%s trusted-public-keys does not list it (it has %s)", whose, describeList(v.keys))
		kr.Verdict = NotTrusted
		c.userOnly(k, &kr, add)
	}
	for _, it := range l.malformed {
		add("malformed", origin(it.Origin), "the entry %q (%s) is not a valid public key: Nix fails every signature check", it.Text, describeOrigin(it.Origin))
		if kr.Verdict == Trusted {
			kr.Verdict = NotTrusted
		}
	}
	if !kr.Verdict.Accepted() && len(v.secretFiles) > 0 {
		add("secret-key-files", "", "Nix also trusts the public halves of secret-key-files (%s); nixsign-check never opens secret keys, so it cannot tell whether one of them is this key", strings.Join(itemTexts(v.secretFiles), " "))
	}
	if kr.Verdict == Trusted && c.r.Daemon != nil && c.r.Daemon.Stale {
		kr.Verdict = RestartNeeded
		for _, f := range c.r.Daemon.Files {
			if f.Changed {
				add("daemon-stale", f.Path, "%s changed (%s) after the running nix-daemon started (%s): it may still use the old configuration", f.Path, f.MTime.Format(timeFormat), oldestStart(c.procs).Format(timeFormat))
			}
		}
	}
	if !requireSigs {
		add("require-sigs-off", origin(v.requireSigs.Origin), "require-sigs = false (%s): the store accepts every path, signed or not", describeOrigin(v.requireSigs.Origin))
		if kr.Verdict != Trusted && kr.Verdict != RestartNeeded {
			kr.Verdict = AcceptsAll
		}
	}
	kr.Accepted = kr.Verdict.Accepted()
	if fixes := c.fix.forKey(c, k, kr.Verdict, l); fixes != nil {
		kr.Fixes = fixes
	}
	return kr
}

const timeFormat = "2006-01-02 15:04:05.000 MST"

// userOnly adds the reasons of a key the store does not trust but the
// user's own configuration does; the verdict becomes UserOnly.
func (c *checker) userOnly(k sign.PublicKey, kr *KeyReport, add func(code, origin, format string, args ...any)) {
	if c.r.Store.Mode != ModeDaemon || c.client == nil {
		return
	}
	tpk, _ := c.client.Get("trusted-public-keys")
	l := lookupKey(tpk.Items, k)
	if !l.same {
		return
	}
	kr.Verdict = UserOnly
	o := l.winner.Origin
	what := "your user configuration"
	switch {
	case o.Layer == nixconf.LayerEnv:
		what = "NIX_CONFIG"
	case o.Layer == nixconf.LayerSystem:
		what = "a nix.conf the daemon does not read (NIX_CONF_DIR differs)"
	}
	add("user-only", origin(o), "only %s trusts it (%s); the daemon ignores trusted-public-keys from users it does not trust", what, describeOrigin(o))
	u := c.r.User
	add("user-untrusted", u.TrustedUsersOrigin, "user %s is not trusted by the daemon (trusted-users = %s, %s)", c.user.Name, u.TrustedUsers, u.TrustedUsersOrigin)
}

// describeList names the entries of a key list.
func describeList(items []nixconf.Item) string {
	if len(items) == 0 {
		return "no entries"
	}
	var names []string
	for _, it := range items {
		name, _, _ := strings.Cut(it.Text, ":")
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}
