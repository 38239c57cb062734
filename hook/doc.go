// Package hook is the runtime of nixsign-hook, Nix's post-build-hook:
// environment -> outputs -> key -> sign -> push -> report.
//
// # What Nix passes
//
// Nix runs the hook with no arguments after each local build, once the
// outputs are registered, in the process that built (the daemon, as root, in
// a multi-user install; the nix client otherwise). Its standard output and
// error are merged and shown to the user line by line as
// "post-build-hook: <line>"; the build loop waits for it, and a non-zero
// exit makes the whole Nix command fail with no further builds. Its
// environment is that of the building process, plus, unless already set
// (Nix uses std::map::emplace, which does not replace):
//
//	DRV_PATH=/nix/store/509vmzxssa8q7cbjzr7dban5scdp6693-sigtest-a.drv
//	OUT_PATHS=/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev /nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a
//	NIX_CONFIG=<every setting, "name = value" per line>
//
// OUT_PATHS holds the output paths sorted and separated by single spaces.
// Nix 2.8.0 passes it empty (NixOS/nix#6446), as do 2.30 and 2.31 for
// rebuilds (NixOS/nix#14287); an OUT_PATHS exported where Nix was started
// reaches the hook instead of Nix's. FindOutputs therefore checks OUT_PATHS
// against the outputs of DRV_PATH's .drv file and falls back to the .drv (see
// package nix/drv for its format), saying so once. The .drv of a floating
// content-addressed derivation holds no output paths: those the hook asks of
// the store it signs in (store.DerivationOutputser), which Nix 2.8.0's daemon
// answers only when its own configuration enables ca-derivations.
//
// # What the hook does
//
// Run reads nixsign's config (package conf/config), resolves the key file
// (--key-file > $NIXSIGN_KEY_FILE > key_file in nixsign's config >
// publish.signing_private_key in flox's config, see ResolveKey) and checks it
// with the key-file policy of sign/secretkey before any other work; then it
// signs each output (with recursive = true, the outputs' closure) in the
// store the config names (store = "auto" by default: the daemon if its socket
// answers, else nix-daemon --stdio) with the operations of package
// nix/store, and with push_to copies the closure to that binary cache.
// The nixsign-hook binary links no compressor (it does not import package
// nix/cache/codecs), so that it starts faster after every build: with
// push_to it hands the whole run over to `nixsign hook` before it opens the
// store (see Options.HandOff).
//
// It prints one line per signed path, for example (Nix shows it prefixed):
//
//	signed /nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a by test-key-1
//
// and the signature it adds is the one `nix store sign` makes,
//
//	test-key-1:kLz1xZjqyqxZ6ZF5HcIuIkSA56mGBKPJhUV4RXv0S1H24saGksQp68YmZGseYvHESRPl8hohklSKW43uXU7IAA==
//
// With log_file, it appends one JSON line per path (see LogEntry).
//
// # Failures
//
// A failure is an *Error that prints as one line naming the paths left
// unsigned, where the failing setting came from, what is wrong and the fix:
//
//	/nix/store/l5ji…-sigtest-a-dev, /nix/store/qyg4…-sigtest-a left unsigned: /etc/nixsign/config.toml:1: key_file:
//	/var/lib/nixsign/k.sec: has mode 0644, wider than 0600: a secret key must be private to its owner; run: chmod 600 /var/lib/nixsign/k.sec
//
// (one line). With on_error = "fail" (the default) the caller exits non-zero
// and Nix stops; with "warn" it prints the same as a warning (Error.Warning)
// and exits 0, so that the build goes on. Check runs the key checks alone,
// plus the checker's verdict on the public key (package trust), for
// `nixsign-hook --preflight`.
package hook
