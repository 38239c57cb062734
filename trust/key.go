package trust

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nixsign/nixsign/conf/nixconf"
	"github.com/nixsign/nixsign/sign"
)

// lookup finds key in a trusted-public-keys list as Nix's
// getDefaultPublicKeys does: the first entry with the key's name wins.
type lookup struct {
	winner    *nixconf.Item  // the first entry with the key's name
	same      bool           // winner is the key
	bad       bool           // winner is not a valid public key
	later     *nixconf.Item  // the key itself, listed after a different winner
	malformed []nixconf.Item // entries Nix fails on, of any name
}

func lookupKey(items []nixconf.Item, k sign.PublicKey) lookup {
	var l lookup
	for i := range items {
		it := &items[i]
		pk, err := sign.ParsePublicKey(it.Text)
		if err != nil {
			l.malformed = append(l.malformed, *it)
		}
		if entryName(it.Text) != k.Name {
			continue
		}
		if l.winner == nil {
			l.winner, l.same, l.bad = it, err == nil && pk.Equal(k), err != nil
		} else if !l.same && l.later == nil && err == nil && pk.Equal(k) {
			l.later = it
		}
	}
	return l
}

// entryName returns the name of a trusted-public-keys entry, the text
// before the first ':', "" when there is none.
func entryName(text string) string {
	name, _, ok := strings.Cut(text, ":")
	if !ok {
		return ""
	}
	return name
}

// nixKeyError is the error Nix 2.8.0 throws on a trusted-public-keys entry
// (PublicKey's constructor), observed with nix store verify.
func nixKeyError(text string) string {
	name, rest, _ := strings.Cut(text, ":")
	if name == "" || rest == "" {
		return "secret key is corrupt"
	}
	for i := 0; i < len(rest) && rest[i] != '='; i++ {
		c := rest[i]
		if !(c == '\n' || c == '+' || c == '/' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return "invalid character in Base64 string"
		}
	}
	return "public key is not valid"
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
	case l.bad:
		// A malformed entry of the key's name: Nix fails before it could
		// shadow anything; the malformed reasons below say so.
		kr.Verdict = BadConfig
	case l.winner != nil:
		add("shadowed", origin(l.winner.Origin), "a different key named %q comes first in %s trusted-public-keys (%s: %s); Nix keeps the first key of a name", k.Name, whose, describeOrigin(l.winner.Origin), sign.DisplayKeyText(l.winner.Text))
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
		add("malformed", origin(it.Origin), "%s", malformedMessage(it))
		if sign.LooksLikeSecretKey(it.Text) {
			where := it.Origin.File
			if it.Origin.Layer == nixconf.LayerEnv {
				where = "NIX_CONFIG"
			}
			add("secret-key-entry", origin(it.Origin), "the entry %s is a secret key: anyone who can read %s may have copied it, so treat it as exposed: remove it and rotate the key", sign.DisplayKeyText(it.Text), where)
		}
		kr.Verdict = BadConfig
	}
	if !kr.Verdict.Accepted() && kr.Verdict != BadConfig && len(v.secretFiles) > 0 {
		add("secret-key-files", "", "Nix also trusts the public halves of secret-key-files (%s); nixsign-check never opens secret keys, so it cannot tell whether one of them is this key", strings.Join(pathTexts(v.secretFiles), " "))
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
		name := entryName(it.Text)
		if name == "" {
			name = strconv.Quote(sign.DisplayKeyText(it.Text))
		}
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}

// malformedMessage says what is wrong with a trusted-public-keys entry Nix
// fails on, in the config-error form "file:line: problem"; the entry is
// shown with sign.DisplayKeyText.
func malformedMessage(it nixconf.Item) string {
	return fmt.Sprintf("%s: trusted-public-keys entry %q is not a valid public key: Nix fails every signature check with %q, so it trusts no key",
		origin(it.Origin), sign.DisplayKeyText(it.Text), nixKeyError(it.Text))
}
