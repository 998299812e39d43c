//go:build race

package selector_test

// The race detector makes sync.Pool drop objects at random, so allocation
// counts are only checked without it.
const raceEnabled = true
