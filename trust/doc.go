// Package trust answers, for a public key: would this machine accept a store
// path signed by it? It explains the answer and gives the fix for this
// platform, and it edits nix.conf safely (AddKey, RemoveKeys). It never
// starts Nix (unless asked to cross-check) and never opens a secret key.
//
// # Whose configuration counts
//
// The keys that count are those of the process that adds paths to the store
// (Nix 2.8.0, observed; see ClientSettings::apply in src/libstore/daemon.cc):
//
//   - A local store (root, single-user installs, nix --store DIR, and "auto"
//     when /nix/var/nix is writable): the nix command itself, so the system
//     nix.conf, the user's files and NIX_CONFIG all count.
//   - The daemon (NIX_REMOTE=daemon, unix://PATH, or "auto" with a socket and
//     no write access): the daemon's own configuration, read when it started
//     in its own environment: $NIX_CONF_DIR/nix.conf, its user's files (root's
//     ~/.config/nix/nix.conf, /etc/xdg/nix/nix.conf) and its NIX_CONFIG. A
//     client's trusted-public-keys (from user files or NIX_CONFIG) replace
//     the daemon's only when the client is in trusted-users ("*", the user's
//     name, "@group" of its primary group or a group listing it, as the
//     daemon's matchUser); require-sigs never comes from a client, as the
//     daemon makes its store before the client's settings arrive.
//
// The daemon is found in the process table (/proc on Linux): the listening
// nix-daemon (or `nix daemon`) whose socket, from its environment, is the
// store's, not the children it forks per connection. Its environment is
// read when possible (as root); otherwise the checker assumes the user's
// NIX_CONF_DIR and defaults for the rest. A daemon that started before a
// file it reads last changed (the file, or a link leading to it, by more
// than 50ms) must be restarted.
//
// Nix chooses the store "auto" with its pathExists on the daemon's socket:
// only ENOENT and ENOTDIR mean that there is none. A socket the user may not
// examine (Debian makes /nix/var/nix/daemon-socket 0770 root:nix-users)
// makes every nix command fail: the report says so (StoreInfo.Error, the
// problem "store-unusable"), with the group to join.
//
// In the list that counts, the first entry with the key's name decides
// (getDefaultPublicKeys): the key itself (trusted), or another key of that
// name (shadowed). An entry that is not a valid key, of any name, makes Nix
// throw at every signature check ("public key is not valid", "secret key is
// corrupt"), so that it trusts no key: the verdict is "config-error". An
// entry that is a secret key is never shown (sign.DisplayKeyText), and must
// be removed and rotated. With require-sigs = false every path is accepted.
//
// # Example
//
// On a machine where /etc/nix/nix.conf says
//
//	trusted-users = root
//
// and alice's ~/.config/nix/nix.conf says
//
//	extra-trusted-public-keys = test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=
//
// Check for that key, for alice using the daemon, reports the verdict
// UserOnly with the reasons "the daemon's trusted-public-keys does not list
// it (it has cache.nixos.org-1)", "only your user configuration trusts it
// (/home/alice/.config/nix/nix.conf:1)" and "user alice is not trusted by
// the daemon (trusted-users = root, /etc/nix/nix.conf:1)", and the fixes
// "sudo nixsign trust add test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs="
// then "sudo systemctl restart nix-daemon". On NixOS, where nix.conf is a
// link into the store, the fix is instead
//
//	nix.settings.trusted-public-keys = [ "test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=" ];
//
// in configuration.nix, then sudo nixos-rebuild switch.
//
// # JSON
//
// A Report encodes (encoding/json) as an object with the fields below; the
// schema, "nixsign.trust.check/v1", only grows:
//
//	schema       "nixsign.trust.check/v1"
//	problem      "" | "config-error" | "store-unusable" | "not-trusted" | "user-only" | "shadowed" |
//	             "restart-needed" | "disagree" | "cache-unused"  (the first, in this order)
//	store        {mode: "local"|"daemon"|"remote", uri, socket?, why?, error?,
//	             fix?: {message, command?}}
//	user         {name, uid, group, trusted, trusted_by?, trusted_users?, trusted_users_origin?, allowed}
//	platform     {os, kind: ""|"nixos"|"nix-darwin", generated, generated_by?, home_manager,
//	             service_manager: ""|"systemd"|"launchd"}
//	daemon?      {processes: [{pid, start, env_visible}], env_known, conf_file,
//	             files: [{path, exists, mtime?, changed}], stale}
//	config       {from: "daemon"|"client", trusted_public_keys: [{key, origin}],
//	             require_sigs, require_sigs_origin, secret_key_files: [...]}
//	keys         [{key, name, verdict: "trusted"|"accepts-all"|"not-trusted"|"user-only"|
//	             "shadowed"|"restart-needed"|"config-error", accepted, reasons: [{code, message, origin?}],
//	             fixes: [{message, command?, snippet?, file?}]}]
//	cache?       {url, status: "used"|"allowed"|"refused", reasons, fixes}
//	cross_check? {command, agrees, differences: [{setting, nix, checker}], error?}
//	errors       [{whose: "client"|"daemon", message: "file:line: problem"}]
//	warnings     [...]
//	restart_fix? {message, command?}
//
// Origins are "file:line", "NIX_CONFIG:line" or "default".
//
// # Testing
//
// Every input comes through Options.Machine: the environment, a directory
// standing for the root (nix.conf files, /etc/passwd, /etc/group,
// /etc/NIXOS, /proc...), the process table, the user, the OS and the clock,
// so that tests describe whole machines.
package trust
