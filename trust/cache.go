package trust

import (
	"slices"
	"strings"

	"github.com/nixsign/nixsign/conf/nixconf"
)

// checkCache says whether the user's nix commands substitute from url.
//
// A local store, or a daemon serving a trusted user, uses the user's
// substituters. For any other user the daemon keeps its own substituters,
// or, when the user sets substituters, only those of them found in the
// daemon's trusted-substituters or substituters (an entry that lacks the
// final '/' of a trusted one counts too): ClientSettings::apply.
func (c *checker) checkCache(url string) *CacheReport {
	cr := &CacheReport{URL: url, Reasons: []Reason{}, Fixes: []Fix{}}
	add := func(code, origin, msg string) {
		cr.Reasons = append(cr.Reasons, Reason{Code: code, Message: msg, Origin: origin})
	}
	cfg := c.client
	daemonMode := c.r.Store.Mode == ModeDaemon
	if daemonMode {
		cfg = c.daemon
	}
	if cfg == nil || c.client == nil {
		cr.Status = "refused"
		add("config-error", "", "the configuration does not load (see the errors)")
		return cr
	}
	if sub, _ := c.client.Get("substitute"); sub.Text == "false" {
		add("substitute-off", origin(sub.Origin), "substitute = false ("+describeOrigin(sub.Origin)+"): nix substitutes from no cache")
	}
	var subs nixconf.Value
	var allowed func(string) bool
	switch {
	case !daemonMode || c.r.User.Trusted:
		subs, _ = c.client.Get("substituters")
		if daemonMode && !overridden(c.client, "substituters") {
			subs, _ = c.daemon.Get("substituters")
		}
		allowed = func(string) bool { return true }
	default:
		ts, _ := c.daemon.Get("trusted-substituters")
		ds, _ := c.daemon.Get("substituters")
		trusted := append(itemTexts(ts.Items), itemTexts(ds.Items)...)
		allowed = func(s string) bool {
			return slices.Contains(trusted, s) || !strings.HasSuffix(s, "/") && slices.Contains(trusted, s+"/")
		}
		subs = ds
		if overridden(c.client, "substituters") {
			mine, _ := c.client.Get("substituters")
			subs = nixconf.Value{Origin: mine.Origin}
			for _, it := range mine.Items {
				if allowed(it.Text) {
					subs.Items = append(subs.Items, it)
				} else {
					c.r.Warnings = append(c.r.Warnings, "the daemon ignores the untrusted substituter '"+it.Text+"' ("+describeOrigin(it.Origin)+")")
				}
			}
		}
	}
	norm := strings.TrimRight(url, "/")
	for _, it := range subs.Items {
		if strings.TrimRight(it.Text, "/") == norm {
			cr.Status = "used"
			add("substituter", origin(it.Origin), "it is a substituter ("+describeOrigin(it.Origin)+")")
			return cr
		}
	}
	add("not-substituter", "", "it is not among the substituters this user's nix commands use ("+strings.Join(itemTexts(subs.Items), " ")+")")
	user := c.fix.target()
	if daemonMode {
		user = c.firstUserFile()
		if user == "" {
			user = "~/.config/nix/nix.conf"
		}
	}
	if allowed(url) {
		cr.Status = "allowed"
		if daemonMode && !c.r.User.Trusted {
			add("trusted-substituter", "", "the daemon allows it for this user (trusted-substituters)")
		}
		cr.Fixes = append(cr.Fixes, Fix{Message: "use it: add `extra-substituters = " + url + "` to " + user + " (or pass --extra-substituters " + url + ")"})
		return cr
	}
	cr.Status = "refused"
	add("untrusted-substituter", "", "user "+c.user.Name+" is not trusted and the daemon's trusted-substituters and substituters do not list it: the daemon ignores it")
	if strings.HasSuffix(url, "/") && slicesHasTrim(c.daemon, url) {
		add("trailing-slash", "", "the daemon lists it without the final '/': write it exactly as the daemon's configuration does")
	}
	if c.r.Platform.Generated {
		file, cmd := c.r.Platform.rebuild()
		cr.Fixes = append(cr.Fixes, Fix{Message: "allow it in " + file + ", then run " + cmd, Snippet: "nix.settings.trusted-substituters = [ \"" + url + "\" ];", File: file})
	} else {
		cr.Fixes = append(cr.Fixes, Fix{Message: "allow it: add `extra-trusted-substituters = " + url + "` to " + c.fix.conf + " and restart the daemon, then add `extra-substituters = " + url + "` to " + user})
	}
	return cr
}

// slicesHasTrim reports whether the daemon's trusted or plain substituters
// list url without its final '/'.
func slicesHasTrim(daemon *nixconf.Config, url string) bool {
	u := strings.TrimSuffix(url, "/")
	for _, name := range []string{"trusted-substituters", "substituters"} {
		v, _ := daemon.Get(name)
		if slices.Contains(itemTexts(v.Items), u) {
			return true
		}
	}
	return false
}
