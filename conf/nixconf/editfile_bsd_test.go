//go:build unix && !linux

package nixconf

import "errors"

func mountReadOnly(string) error { return errors.New("no bind mounts here") }
