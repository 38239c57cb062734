//go:build !race

package secretkey

const raceEnabled = false
