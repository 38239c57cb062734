# Derivations for TestNixInterop: one of every output kind, escapes, inputs.
let
  sh = name: script: attrs: derivation ({
    inherit name;
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" script ];
  } // attrs);
in rec {
  multi = sh "drvtest-multi" "echo o > $out; echo d > $dev; echo l > $lib" {
    outputs = [ "out" "dev" "lib" ];
    quotes = "say \"hi\" and 'bye'";
    backslashes = "a\\b\\\\c \\n \\\"";
    controls = "nl\nlf tab\tcr\r end\n";
    utf8 = "héllo wörld ✓ 日本";
    empty = "";
    "key with space" = "x";
  };
  args = derivation {
    name = "drvtest-args";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" "echo \"$1\" > $out" "--" "q\"uo\\te\nnl\ttab\rcr" "" "ünï" ];
  };
  fixed = sh "drvtest-fixed" "echo hello world > $out" {
    outputHashMode = "flat";
    outputHashAlgo = "sha256";
    outputHash = "sha256-NMo6xjCU0dV1H3QRAWkqePle7fEHRLCIEp/DJN/Q9gM=";
  };
  fixedRecursive = sh "drvtest-fixed-r" "echo hello world > $out" {
    outputHashMode = "recursive";
    outputHashAlgo = "sha256";
    outputHash = "00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil";
  };
  fixedSha1 = sh "drvtest-fixed-sha1" "echo > $out" {
    outputHashAlgo = "sha1";
    outputHash = "0123456789abcdef0123456789abcdef01234567";
  };
  inputs = sh "drvtest-inputs" "cat ${multi.dev} ${multi.lib} ${fixed} ${./interop.nix} > $out" { };
  floating = sh "drvtest-floating" "echo f > $out" {
    __contentAddressed = true;
    outputHashMode = "recursive";
    outputHashAlgo = "sha256";
    outputs = [ "out" "doc" ];
  };
  deferred = sh "drvtest-deferred" "cat ${floating} > $out" { };
  impure = sh "drvtest-impure" "echo i > $out" { __impure = true; };
}
