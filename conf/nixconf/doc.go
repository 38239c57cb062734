// Package nixconf reads nix.conf as Nix 2.8.0 does, and records where every
// value came from.
//
// # Files
//
// Load applies, in this order, each later assignment overriding earlier ones:
//
//  1. $NIX_CONF_DIR/nix.conf (default /etc/nix): the system layer.
//  2. The user files, last listed first so that the first listed wins:
//     the ':'-separated NIX_USER_CONF_FILES if it is set (even to ""), else
//     $XDG_CONFIG_HOME/nix/nix.conf (default $HOME/.config) and
//     <d>/nix/nix.conf for each d in $XDG_CONFIG_DIRS (default /etc/xdg).
//  3. The NIX_CONFIG variable, read as the text of a file named "NIX_CONFIG".
//
// A file that cannot be read is skipped without a word, as Nix skips it.
//
// # Lines
//
// A file is split on '\n'; a '#' starts a comment anywhere, even inside a
// value; the rest is split into tokens on ' ', '\t', '\r' and '\n'. A line
// is empty, or one of
//
//	NAME = VALUE...    the value is the tokens after "=" joined by single spaces; no quoting
//	include PATH       PATH relative to the including file's directory; must exist
//	!include PATH      the same, ignored when PATH does not exist
//
// Any other line ("a=b", "a =b", a lone word) is an error. An included file
// is applied where the include line stands. Given the file
//
//	# /etc/nix/nix.conf
//	substituters = https://cache.example.org/   # the comment is dropped
//	extra-trusted-public-keys = test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=
//	require-sigs = yes
//
// Nix runs with substituters "https://cache.example.org/", trusted-public-keys
// "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=
// test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=" (the default, then
// line 3) and require-sigs "true".
//
// # Values
//
// Each setting has the type Nix gives it (settings_table.go, generated from
// Nix 2.8.0 by gen_settings.go): booleans take true|yes|1 and false|no|0;
// numbers are decimal; lists (trusted-public-keys, substituters,
// trusted-users, secret-key-files...) are whitespace-separated and a plain
// assignment replaces the whole list, default included; sets
// (trusted-substituters...) are lists kept sorted without duplicates.
// "extra-NAME = ..." appends to a list, set or map setting (also under an
// alias: extra-binary-cache-public-keys appends to trusted-public-keys). A
// name Nix does not know, extra- forms of other settings included
// (extra-require-sigs), is not an error: Nix warns "unknown setting".
//
// # Errors
//
// Where Nix 2.8.0 refuses a configuration, so that every nix command and the
// daemon fail, Load returns an *Error that reads "file:line: problem", the
// problem in Nix's words less the file name that Nix puts in some messages:
//
//	/etc/nix/nix.conf:3: illegal configuration line 'a=b'
//	/etc/nix/nix.conf:4: Boolean setting 'require-sigs' has invalid value 'maybe'
//	/etc/nix/nix.conf:5: file '/etc/nix/extra.conf' not found
//	/etc/nix/a.conf:1: include cycle: /etc/nix/nix.conf -> /etc/nix/a.conf -> /etc/nix/nix.conf
//
// Error.Nix holds Nix's own message (for the first: "illegal configuration
// line 'a=b' in '/etc/nix/nix.conf'"). An include cycle crashes Nix 2.8.0
// with a stack overflow, so it has no Nix message.
//
// Not modelled: plugin-files is read as a list, but the plugins are not
// loaded (Nix fails at startup on a plugin it cannot load); command-line
// options; settings that the nix command changes after reading the
// configuration (pure-eval, and experimental-features from its flags).
package nixconf
