# Evaluates nix/module.nix without nixpkgs: a small stand-in for lib and pkgs
# is enough to check what the module sets for a given configuration.
# Run: nix-instantiate --eval --strict nix/tests/module-eval.nix (prints true).
let
  lib = {
    mkEnableOption = description: { _type = "option"; default = false; inherit description; };
    mkOption = args: args // { _type = "option"; };
    literalExpression = text: { _type = "literalExpression"; inherit text; };
    types = {
      package = "package";
      str = "str";
      bool = "bool";
      enum = values: { enum = values; };
      nullOr = type: { nullOr = type; };
    };
    mkIf = condition: content: if condition then content else { };
    optionalAttrs = condition: attrs: if condition then attrs else { };
    hasPrefix = prefix: s: builtins.substring 0 (builtins.stringLength prefix) s == prefix;
  };
  pkgs = {
    formats.toml = _: { generate = name: value: { inherit name value; }; };
    writeShellScript = name: text: { inherit name text; };
    callPackage = _: _: "/nix/store/00000000000000000000000000000000-nixsign";
  };
  eval = cfg: import ../module.nix {
    config.services.nixsign = {
      package = "/nix/store/00000000000000000000000000000000-nixsign";
      onError = "fail";
      pushTo = null;
      recursive = false;
      trustPublicKey = null;
    } // cfg;
    inherit lib pkgs;
  };
  check = name: cond: if cond then true else throw "module-eval: ${name}";
  key = "test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=";

  off = eval { enable = false; keyFile = "/k"; };
  on = eval { enable = true; keyFile = "/var/lib/nixsign/k.sec"; onError = "warn"; recursive = true; pushTo = "file:///c"; trustPublicKey = key; };
  plain = eval { enable = true; keyFile = "/var/lib/nixsign/k.sec"; };
  relative = eval { enable = true; keyFile = "k.sec"; };
  badKey = eval { enable = true; keyFile = "/k"; trustPublicKey = "not a key"; };
  allHold = m: builtins.all (a: a.assertion) m.config.assertions;
in
builtins.all (x: x) [
  (check "options declared" (builtins.attrNames off.options.services.nixsign
    == [ "enable" "keyFile" "onError" "package" "pushTo" "recursive" "trustPublicKey" ]))
  (check "disabled sets nothing" (off.config == { }))
  (check "hook runs nixsign-hook" (builtins.match ".*exec /nix/store/[a-z0-9]+-nixsign/bin/nixsign-hook.*" on.config.nix.settings.post-build-hook.text != null))
  (check "hook reads the system config" (builtins.match ".*NIXSIGN_CONFIG=/etc/nixsign/config.toml.*" on.config.nix.settings.post-build-hook.text != null))
  (check "settings" (on.config.environment.etc."nixsign/config.toml".source.value
    == { key_file = "/var/lib/nixsign/k.sec"; on_error = "warn"; recursive = true; push_to = "file:///c"; }))
  (check "no push_to by default" (!(plain.config.environment.etc."nixsign/config.toml".source.value ? push_to)))
  (check "trusted key added" (on.config.nix.settings.trusted-public-keys == [ key ]))
  (check "no trusted key by default" (!(plain.config.nix.settings ? trusted-public-keys)))
  (check "valid config passes assertions" (allHold on && allHold plain))
  (check "relative keyFile fails an assertion" (!(allHold relative)))
  (check "malformed trustPublicKey fails an assertion" (!(allHold badKey)))
]
