package content_test

import "testing"

// BenchmarkPDF typesets the seed resume and a resume of about ten pages, as a
// load or reload does once; "pages" and "bytes" describe the result.
func BenchmarkPDF(b *testing.B) {
	for _, tt := range []struct {
		name       string
		highlights int
	}{{"seed", -1}, {"10-pages", 260}, {"10000-highlights", 10_000}} {
		b.Run(tt.name, func(b *testing.B) {
			r := defaultResume(b)
			if tt.highlights >= 0 {
				r = stressResume(b, tt.highlights)
			}
			b.ReportAllocs()
			var n int
			for b.Loop() {
				n = len(pdfOf(b, r))
			}
			b.ReportMetric(float64(n), "bytes")
		})
	}
}
