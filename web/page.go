package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"regexp"
	"strings"
	"unicode"

	"github.com/sshresume/sshresume/content"
)

// css is the page's only style, inline so that the page needs no second request.
// The Content-Security-Policy allows exactly this text by its hash, so it is a
// constant: the template inserts it unchanged. Colours were chosen for a contrast
// of at least 4.5:1 against their background in both schemes (the browser test
// measures it); print overrides the dark scheme, since paper is white.
const css = `:root{color-scheme:light dark;--fg:#1b1c1e;--bg:#fdfdfc;--mute:#4f545b;--link:#0a56a3;--rule:#d5d8dc;--box:#eff1f3}
@media (prefers-color-scheme:dark){:root{--fg:#e7e5e1;--bg:#141619;--mute:#a7acb4;--link:#8fbaff;--rule:#3a3f46;--box:#23272c}}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--fg);-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0 auto;max-width:44rem;padding:2.5rem 1.25rem 3rem;font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
a{color:var(--link);text-underline-offset:.15em;overflow-wrap:anywhere}
h1{font-size:2rem;line-height:1.2;margin:0}
h2{font-size:1.1rem;margin:2.2rem 0 .8rem;padding-bottom:.25rem;border-bottom:1px solid var(--rule)}
h3{font-size:1rem;margin:0}
p,ul{margin:.3rem 0}
ul{padding-left:1.2rem}
.label{font-size:1.15rem;color:var(--mute);margin:.3rem 0 .9rem}
.row{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.15rem 1.2rem}
.k,.date,.sub{color:var(--mute)}
.ssh{margin:1.2rem 0 .6rem;padding:.7rem 1rem;background:var(--box);border-radius:.4rem}
.ssh code{display:inline-block;font:1.1rem/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;user-select:all;overflow-wrap:anywhere}
.entry{margin:0 0 1.1rem}
.head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:0 1rem}.head>*{margin:0}
.text{white-space:pre-line}
@media print{:root{--fg:#000;--bg:#fff;--mute:#333;--link:#000;--rule:#999;--box:#fff}
body{max-width:none;padding:0;font-size:9pt;line-height:1.3}
h1{font-size:16pt}h2{font-size:10.5pt;margin:.7rem 0 .3rem}.label{font-size:10.5pt;margin:.1rem 0 .3rem}
.entry{margin:0 0 .45rem;break-inside:avoid}h2{break-after:avoid}
.ssh{margin:.3rem 0;padding:0}.ssh code{font-size:9pt}.ssh a,nav{display:none}
a{text-decoration:none}
@page{margin:1.2cm 1.4cm}}
`

// styleHash is the CSP source that allows css: 'sha256-...'.
var styleHash = func() string {
	sum := sha256.Sum256([]byte(css))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// contentSecurityPolicy allows our inline style by its hash, images (the icon)
// from our own origin, and nothing else: no script, no frame, no form, no other
// origin. frame-ancestors 'none' forbids framing the page anywhere.
var contentSecurityPolicy = "default-src 'none'; style-src " + styleHash +
	"; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// favicon is a terminal prompt, served by us so that browsers ask no one else.
const favicon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1b1c1e"/><path d="M3.5 4.5 7 8l-3.5 3.5M8 11.5h4.5" stroke="#8fbaff" stroke-width="1.6" fill="none" stroke-linecap="round"/></svg>
`

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{{.Title}}</title>
{{- if .Label}}
<meta name="description" content="{{.Label}}">
{{- end}}
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>{{.CSS}}</style>
</head>
<body>
{{- if .NotFound}}
<main>
<h1>Not found</h1>
<p>There is nothing at this address. The resume is at <a href="/">the home page</a>.</p>
</main>
{{- else}}
<header>
<h1>{{.Name}}</h1>
{{- if .Label}}
<p class="label">{{.Label}}</p>
{{- end}}
{{- if .Contacts}}
<ul class="row contacts">
{{- range .Contacts}}
<li><span class="k">{{.Label}}:</span> {{template "link" .}}</li>
{{- end}}
</ul>
{{- end}}
<p class="ssh">In a terminal: <code>{{.SSHCommand}}</code>
{{- if .SSHURL}} · <a href="{{.SSHURL}}">open in your SSH client</a>{{end}}</p>
<nav aria-label="Downloads">
<ul class="row">
{{- range .Downloads}}
<li><a href="{{.Path}}" type="{{.Type}}" download>{{.Label}}</a></li>
{{- end}}
</ul>
</nav>
</header>
<main>
{{- range .Sections}}
<section aria-labelledby="s-{{.ID}}">
<h2 id="s-{{.ID}}">{{.Title}}</h2>
{{- range .Entries}}
<div class="entry">
{{- if or .Heading .Date}}
<div class="head">
{{- if .Heading}}<h3>{{.Heading}}</h3>{{end}}
{{- if .Date}}<p class="date">{{range .Date}}{{if .DateTime}}<time datetime="{{.DateTime}}">{{.Text}}</time>{{else}}{{.Text}}{{end}}{{end}}</p>{{end}}
</div>
{{- end}}
{{- range .Lines}}
<p class="sub">{{.}}</p>
{{- end}}
{{- range .Paragraphs}}
<p class="text">{{.}}</p>
{{- end}}
{{- range .Links}}
<p>{{if .Label}}<span class="k">{{.Label}}:</span> {{end}}{{template "link" .}}</p>
{{- end}}
{{- if .Bullets}}
<ul>
{{- range .Bullets}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
{{- if .Tags}}
<p><span class="k">Keywords:</span> {{range $i, $t := .Tags}}{{if $i}}, {{end}}{{$t}}{{end}}</p>
{{- end}}
</div>
{{- end}}
</section>
{{- end}}
</main>
{{- end}}
</body>
</html>
{{define "link"}}{{if .URL}}<a href="{{.URL}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}{{end}}`))

// pageData is what the page template reads.
type pageData struct {
	Lang       string
	Title      string
	Name       string
	Label      string
	CSS        template.CSS
	NotFound   bool
	Contacts   []linkData
	SSHCommand string
	SSHURL     template.URL
	Downloads  []download
	Sections   []sectionData
}

type sectionData struct {
	ID      string
	Title   string
	Entries []entryData
}

type entryData struct {
	Heading    string
	Date       []datePart
	Lines      []string
	Paragraphs []string
	Links      []linkData
	Bullets    []string
	Tags       []string
}

// datePart is a piece of a date range: a date with its machine-readable form,
// or a piece of text ("Present", the dash).
type datePart struct {
	Text     string
	DateTime string
}

// linkData is a link whose URL is set only when it is safe to follow.
type linkData struct {
	Label string
	Text  string
	URL   template.URL
}

// buildPage renders the resume's page for visitors who reach it as host (see
// sshHost; empty when no valid host is known).
func buildPage(r *content.Resume, downloads []download, host sshHost) []byte {
	d := r.Document()
	data := pageData{
		Lang:       "en",
		Name:       clean(d.Name),
		Label:      clean(d.Label),
		CSS:        template.CSS(css),
		SSHCommand: "ssh " + host.command(),
		Downloads:  downloads,
	}
	if host.name == "" {
		data.SSHCommand = "ssh " + placeholderHost
	} else {
		data.SSHURL = template.URL(host.url())
	}
	data.Title = data.Name
	if data.Label != "" {
		data.Title += " – " + data.Label
	}
	for _, c := range d.Contacts {
		data.Contacts = append(data.Contacts, link(c))
	}
	for _, s := range d.Sections {
		if s.ID == "contact" {
			continue // the header lists every contact, as the text export does
		}
		sd := sectionData{ID: s.ID, Title: clean(s.Title)}
		for _, e := range s.Entries {
			ed := entryData{
				Heading: clean(e.Heading),
				Date:    dateParts(clean(e.Date), e.Start, e.End),
				Lines:   cleanAll(e.Lines),
				Bullets: cleanAll(e.Bullets),
				Tags:    cleanAll(e.Tags),
			}
			if t := strings.TrimSpace(clean(e.Text)); t != "" {
				for _, p := range paragraphBreak.Split(t, -1) {
					ed.Paragraphs = append(ed.Paragraphs, strings.TrimSpace(p))
				}
			}
			for _, l := range e.Links {
				ed.Links = append(ed.Links, link(l))
			}
			sd.Entries = append(sd.Entries, ed)
		}
		data.Sections = append(data.Sections, sd)
	}
	return render(data)
}

// placeholderHost stands in the ssh command when the page was asked for without
// a usable host name (an HTTP/1.0 request, an IP literal we do not trust...).
const placeholderHost = "this-host"

// buildNotFound renders the 404 page.
func buildNotFound() []byte {
	return render(pageData{Lang: "en", Title: "Not found", CSS: template.CSS(css), NotFound: true})
}

func render(data pageData) []byte {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, data); err != nil {
		// The template is fixed and its data plain strings: it always executes.
		panic("render page: " + err.Error())
	}
	return b.Bytes()
}

// link turns a content link into one for the page: only http(s), mailto and tel
// addresses are linked; any other scheme (javascript:, data:, ...) is shown as
// text and never becomes an href.
func link(l content.Link) linkData {
	out := linkData{Label: clean(l.Label), Text: clean(l.Text)}
	if out.Text == "" {
		out.Text = clean(l.URL)
	}
	if content.LinkAllowed(l.URL) {
		out.URL = template.URL(l.URL)
	}
	return out
}

// clean drops what must not reach the page as text: control characters other
// than newline and tab, and the bidirectional controls that would make the text
// read differently from how it is stored (validation refuses both in a loaded
// resume; a resume built another way gets the same page). html/template escapes
// the rest.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
			return -1
		}
		return r
	}, s)
}

func cleanAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = clean(s); strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// paragraphBreak is a blank line, which ends a paragraph.
var paragraphBreak = regexp.MustCompile(`\n\s*\n`)

// isoDate is the machine-readable date of a <time> element: a year, a month or a
// day, the three forms JSON Resume dates take.
var isoDate = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)

// dateParts splits a document date ("Sep 2023 – Present", "2021") into pieces,
// giving the start and end dates their machine-readable form where the resume
// has them.
func dateParts(date, start, end string) []datePart {
	if date == "" {
		return nil
	}
	tag := func(text, raw string) datePart {
		if isoDate.MatchString(raw) {
			return datePart{Text: text, DateTime: raw}
		}
		return datePart{Text: text}
	}
	const dash = " – "
	if from, to, ok := strings.Cut(date, dash); ok {
		first := tag(from, start)
		second := datePart{Text: to}
		if end != "" {
			second = tag(to, end)
		}
		return []datePart{first, {Text: dash}, second}
	}
	if start != "" {
		return []datePart{tag(date, start)}
	}
	return []datePart{tag(date, end)}
}
