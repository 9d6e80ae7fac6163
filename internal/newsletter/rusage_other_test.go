//go:build !unix

package newsletter_test

// peakRSSMB is unknown here.
func peakRSSMB() float64 { return 0 }
