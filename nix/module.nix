# NixOS module: sign every locally built store path with nixsign-hook.
#
#   services.nixsign = {
#     enable = true;
#     keyFile = "/var/lib/nixsign/cache-1.sec";   # absolute, mode 0600, owned by root
#     onError = "fail";                          # or "warn": keep building, report unsigned paths
#     pushTo = "file:///var/cache/nix";          # optional binary cache to push to
#     recursive = false;                         # also sign each output's closure
#     trustPublicKey = "cache-1:...";            # optional: trust this key on this machine too
#   };
#
# The hook runs in the daemon, as root. Its settings go to
# /etc/nixsign/config.toml, the system file nixsign reads; the secret key is
# never copied into the store.
{ config, lib, pkgs, ... }:

let
  cfg = config.services.nixsign;
  settings = {
    key_file = cfg.keyFile;
    on_error = cfg.onError;
    recursive = cfg.recursive;
  } // lib.optionalAttrs (cfg.pushTo != null) { push_to = cfg.pushTo; };
  configFile = (pkgs.formats.toml { }).generate "nixsign-config.toml" settings;
  hook = pkgs.writeShellScript "nixsign-post-build-hook" ''
    export NIXSIGN_CONFIG=/etc/nixsign/config.toml
    exec ${cfg.package}/bin/nixsign-hook
  '';
in
{
  options.services.nixsign = {
    enable = lib.mkEnableOption "signing of locally built store paths with nixsign-hook";

    package = lib.mkOption {
      type = lib.types.package;
      default = pkgs.callPackage ./package.nix { };
      defaultText = lib.literalExpression "pkgs.callPackage ./package.nix { }";
      description = "The nixsign package.";
    };

    keyFile = lib.mkOption {
      type = lib.types.str;
      example = "/var/lib/nixsign/cache-1.sec";
      description = ''
        Absolute path of the Nix secret key (from `nix key generate-secret` or
        `nixsign key generate`). Mode 0600, owned by root. It is read at run
        time and never enters the store.
      '';
    };

    onError = lib.mkOption {
      type = lib.types.enum [ "fail" "warn" ];
      default = "fail";
      description = ''
        What the hook does when it cannot sign: "fail" stops the build (Nix
        runs no further builds), "warn" prints a warning naming the unsigned
        paths and lets the build go on.
      '';
    };

    pushTo = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "file:///var/cache/nix";
      description = "A file:// binary cache to push each signed output to.";
    };

    recursive = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Sign (and push) each output's whole closure, not just the output.";
    };

    trustPublicKey = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "cache-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=";
      description = ''
        A public key (`nixsign key public KEYFILE`) to add to
        nix.settings.trusted-public-keys on this machine.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = lib.hasPrefix "/" cfg.keyFile;
        message = "services.nixsign.keyFile must be an absolute path, not \"${cfg.keyFile}\": a relative path resolves against whatever directory the daemon runs in.";
      }
      {
        assertion = cfg.trustPublicKey == null || builtins.match "[^:[:space:]]+:[A-Za-z0-9+/]{43}=" cfg.trustPublicKey != null;
        message = "services.nixsign.trustPublicKey must be a public key NAME:BASE64 such as the output of `nixsign key public KEYFILE`.";
      }
    ];

    environment.etc."nixsign/config.toml".source = configFile;
    environment.systemPackages = [ cfg.package ];

    nix.settings = {
      post-build-hook = hook;
    } // lib.optionalAttrs (cfg.trustPublicKey != null) {
      trusted-public-keys = [ cfg.trustPublicKey ];
    };
  };
}
