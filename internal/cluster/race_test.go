//go:build race

package cluster_test

// raceEnabled builds the nodes with the race detector too: the test's own
// build has compiled every package that way already, and the nodes' races
// are found as well.
const raceEnabled = true
