//go:build race

package sign

// raceEnabled: the race detector slows crypto about tenfold, so the
// exhaustive mangling tests sample the one-byte changes instead.
const raceEnabled = true
