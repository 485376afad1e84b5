package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"

	"github.com/sshresume/sshresume/content"
)

// asset is one response, its body and headers prepared once per loaded resume:
// requests only copy bytes.
type asset struct {
	body   []byte
	etag   string
	gz     []byte // the body gzipped; nil when not worth it
	gzETag string // a representation of its own needs a tag of its own

	// Header values, made once: net/http only reads them.
	hdrType, hdrDisposition []string // hdrDisposition nil for the page
	hdrETag, hdrGzETag      []string
	hdrLen, hdrGzLen        []string

	// For the request log, made once: the path the asset is served at ("" for
	// the 404 page) and, in interfaces, that path and the two sizes.
	path                      string
	logPath, logLen, logGzLen any

	// export is the name of the export the asset is ("json", "pdf", ...), ""
	// for the page and the icon; counted says whether Config.Served hears of
	// it: the page and the exports, not the icon or the 404 page.
	export  string
	counted bool
}

func newAsset(ctype, disposition string, body []byte, compress bool) *asset {
	sum := sha256.Sum256(body)
	tag := base64.RawURLEncoding.EncodeToString(sum[:18])
	a := &asset{body: body, etag: `"` + tag + `"`, hdrType: []string{ctype}, hdrLen: []string{strconv.Itoa(len(body))}, logLen: len(body)}
	a.hdrETag = []string{a.etag}
	if disposition != "" {
		a.hdrDisposition = []string{disposition}
	}
	if compress {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression) // a valid level: no error
		_, _ = zw.Write(body)                                  // a bytes.Buffer does not fail
		_ = zw.Close()
		if b.Len() < len(body) {
			a.gz, a.gzETag = b.Bytes(), `"`+tag+`-gz"`
			a.hdrGzETag, a.hdrGzLen = []string{a.gzETag}, []string{strconv.Itoa(len(a.gz))}
			a.logGzLen = len(a.gz)
		}
	}
	return a
}

// at records the path the asset is served at, for the request log.
func (a *asset) at(path string) *asset {
	a.path, a.logPath = path, path
	return a
}

// download is a link to an export on the page.
type download struct {
	Path  string // "/resume.json"
	Type  string // "application/json"
	Label string // "JSON Resume"
}

// exportFile is how the web door serves an export of content.Exports.
type exportFile struct {
	name  string // the export's name
	ext   string
	ctype string
	label string
}

// exportFiles are the exports with a route, in the order the page lists them. An
// export content adds later gets a route only once it is added here (a test
// checks that every export has one).
var exportFiles = []exportFile{
	{"pdf", "pdf", "application/pdf", "PDF"},
	{"text", "txt", "text/plain; charset=utf-8", "Plain text"},
	{"md", "md", "text/markdown; charset=utf-8", "Markdown"},
	{"json", "json", "application/json; charset=utf-8", "JSON Resume"},
	{"vcard", "vcf", "text/vcard; charset=utf-8", "vCard"},
}

// maxHostPages bounds the pages kept for Host headers when no public host is
// configured: each valid host name gets its page once, and a client that makes
// up names gets the page without a host once the table is full.
const maxHostPages = 16

// site is everything the web door serves for one loaded resume. It is built
// whole on load and reload and replaced at once, so a request sees one resume.
type site struct {
	resume      *content.Resume
	downloads   []download
	files       map[string]*asset // by path: the exports and the icon
	notFound    *asset
	fixed       *asset // the page for the configured public host, if any
	placeholder *asset // the page for a request without a usable host

	mu    sync.RWMutex
	pages map[string]*asset // by Host, when no public host is configured
}

func newSite(r *content.Resume, public sshHost) *site {
	s := &site{resume: r, files: map[string]*asset{}, pages: map[string]*asset{}}
	base := fileBase(r.Document().Name)
	for _, f := range exportFiles {
		e, ok := content.LookupExport(f.name)
		if !ok {
			continue
		}
		path := "/resume." + f.ext
		mime, _, _ := strings.Cut(f.ctype, ";")
		s.downloads = append(s.downloads, download{Path: path, Type: mime, Label: f.label})
		disposition := `inline; filename="` + base + "." + f.ext + `"`
		a := newAsset(f.ctype, disposition, e.Render(r), f.ext != "pdf").at(path)
		a.export, a.counted = e.Name, true
		s.files[path] = a
	}
	s.files["/favicon.svg"] = newAsset("image/svg+xml", "", []byte(favicon), true).at("/favicon.svg")
	s.notFound = newAsset("text/html; charset=utf-8", "", buildNotFound(), true)
	if public.name != "" {
		s.fixed = s.pageAsset(public)
	}
	s.placeholder = s.pageAsset(sshHost{})
	return s
}

func (s *site) pageAsset(h sshHost) *asset {
	a := newAsset("text/html; charset=utf-8", "", buildPage(s.resume, s.downloads, h), true).at("/")
	a.counted = true
	return a
}

// page returns the page for a request whose Host header is hostHeader.
func (s *site) page(hostHeader string) *asset {
	if s.fixed != nil {
		return s.fixed
	}
	h, ok := hostFromHeader(hostHeader)
	if !ok {
		return s.placeholder
	}
	s.mu.RLock()
	a := s.pages[h.name]
	n := len(s.pages)
	s.mu.RUnlock()
	if a != nil {
		return a
	}
	if n >= maxHostPages {
		return s.placeholder
	}
	a = s.pageAsset(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.pages[h.name]; old != nil {
		return old
	}
	if len(s.pages) >= maxHostPages {
		return s.placeholder
	}
	s.pages[h.name] = a
	return a
}

// fileBase is the download's file name without extension: the resume's name
// in lowercase ASCII letters and digits joined by hyphens ("tianhao-wu"), so
// that the header needs no quoting rules; "resume" when nothing is left.
func fileBase(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "resume"
	}
	return b.String()
}
