//go:build race

package frames_test

// raceEnabled: the race detector slows drawing a large window to longer than
// a step's quiet time.
const raceEnabled = true
