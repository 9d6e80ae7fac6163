//go:build !race

package content

// raceDetector is true when tests run under -race, which makes the parser
// about ten times slower; size tests then use smaller inputs.
const raceDetector = false
