package checkcmd

import (
	"os"

	"github.com/nixsign/nixsign/trust"
)

// procFromEnv reads the process table from $NIXSIGN_PROC_DIR instead of
// /proc when it is set: to check a container's or chroot's view from
// outside, and for stories that describe a daemon with a made-up /proc.
func procFromEnv(opts *trust.Options) {
	if dir := os.Getenv("NIXSIGN_PROC_DIR"); dir != "" {
		opts.Machine.Procs = trust.ProcFS(dir, nil)
	}
}
