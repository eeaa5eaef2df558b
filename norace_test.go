//go:build !race

package stripegate_test

// raceEnabled reports whether the tests run under the race detector,
// which slows them about tenfold.
const raceEnabled = false
