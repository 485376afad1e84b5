package web_test

import (
	"net/http"
	"testing"

	"github.com/sshresume/sshresume/web"
)

// discard is a ResponseWriter that keeps nothing, so that the benchmarks below
// measure the handler and not a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkHandler is the web door's own work for one request, as a browser
// asks (gzip accepted), with the request log off and on (to io.Discard):
// net/http's parsing and writing come on top, see bench/web.sh.
func BenchmarkHandler(b *testing.B) {
	for _, path := range []string{"/", "/resume.json"} {
		for _, logged := range []bool{false, true} {
			name := path + "/quiet"
			if logged {
				name = path + "/logged"
			}
			b.Run(name, func(b *testing.B) {
				cfg := openConfig()
				cfg.PublicHost = "resume.example.com"
				logger := discardLogger(logged)
				srv, err := web.New(cfg, seed(b), logger)
				if err != nil {
					b.Fatal(err)
				}
				req, err := http.NewRequest("GET", "http://resume.example.com"+path, nil)
				if err != nil {
					b.Fatal(err)
				}
				req.RemoteAddr = "192.0.2.1:40000"
				req.RequestURI = path
				req.Header.Set("Accept-Encoding", "gzip, deflate, br")
				req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) benchmark")
				b.ReportAllocs()
				for b.Loop() {
					srv.ServeHTTP(&discard{h: http.Header{}}, req)
				}
			})
		}
	}
}
