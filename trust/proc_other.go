//go:build !linux && !darwin

package trust

import (
	"errors"
	"time"
)

type noProcs struct{}

func defaultProcessTable(machineFS, func() time.Time) ProcessTable { return noProcs{} }

func (noProcs) Daemons() ([]Process, error) {
	return nil, errors.New("cannot list processes on this system")
}
