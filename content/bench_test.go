package content_test

import (
	"testing"

	"github.com/sshresume/sshresume/content"
)

// BenchmarkExport renders each export of the seed resume; "bytes" is its size.
func BenchmarkExport(b *testing.B) {
	r := defaultResume(b)
	for _, e := range content.Exports() {
		b.Run(e.Name, func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				n = len(e.Render(r))
			}
			b.ReportMetric(float64(n), "bytes")
		})
	}
}

// BenchmarkParse reads and validates the seed resume, as JSON and as YAML: what
// serve does at start and on every reload, and check on every file.
func BenchmarkParse(b *testing.B) {
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"resume.json", seedJSON(b)},
		{"resume.yaml", seedAsYAML(b)},
	} {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(f.data)))
			for b.Loop() {
				if _, err := content.Parse(f.name, f.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
