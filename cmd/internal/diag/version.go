package diag

import "runtime/debug"

// Version is set at link time with
// -ldflags "-X github.com/nixsign/nixsign/cmd/internal/diag.Version=v1.2.3";
// otherwise it comes from the module's build information.
var Version = ""

// VersionString returns the version to print.
func VersionString() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
