package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/sshresume/sshresume/content"
)

// axeScript is where .ci/run installs axe-core (npm ci --prefix .ci/axe),
// pinned by .ci/axe/package-lock.json.
const axeScript = "../.ci/axe/node_modules/axe-core/axe.min.js"

// need skips the test when a tool the browser tests use is missing on a
// developer's machine, and fails it in CI, where .ci/run installs it.
func need(t *testing.T, what, install string) {
	t.Helper()
	msg := fmt.Sprintf("%s is not installed (%s)", what, install)
	if os.Getenv("CI") != "" {
		t.Fatalf("%s; .ci/run installs it", msg)
	}
	t.Skipf("%s; the browser tests skip without it here and run in CI", msg)
}

func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("SSHRESUME_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	need(t, "chromium", "apt-get install chromium")
	return ""
}

// browserEvents records what a tab did: console errors, exceptions and CSP
// violations, every URL it requested, and dialogs a script opened.
type browserEvents struct {
	mu       sync.Mutex
	errors   []string
	requests []string
	dialogs  []string
}

func (e *browserEvents) add(list *[]string, s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	*list = append(*list, s)
}

func (e *browserEvents) snapshot() (errs, reqs, dialogs []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.errors...), append([]string(nil), e.requests...), append([]string(nil), e.dialogs...)
}

// cspProbe runs before any script of a page could and collects the page's CSP
// violation reports; DevTools' own scripts are not subject to the policy.
const cspProbe = `window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`

// newTab opens a tab in the browser with its events recorded.
func newTab(t *testing.T, browser context.Context) (context.Context, *browserEvents) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	ev := &browserEvents{}
	// The listener runs in the loop that reads the tab's messages: it only
	// records, and answers a dialog from another goroutine.
	err := chromedp.Listen(ctx, func(v any) {
		switch e := v.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				ev.add(&ev.errors, fmt.Sprintf("console.%s %s", e.Type, strings.Join(args, " ")))
			}
		case *runtime.EventExceptionThrown:
			ev.add(&ev.errors, fmt.Sprintf("exception: %s at %s:%d", e.ExceptionDetails.Text, e.ExceptionDetails.URL, e.ExceptionDetails.LineNumber))
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError || e.Entry.Level == cdplog.EntryLevelWarning || e.Entry.Source == cdplog.EntrySourceSecurity || e.Entry.Source == cdplog.EntrySourceViolation {
				ev.add(&ev.errors, fmt.Sprintf("log %s/%s: %s %s", e.Entry.Source, e.Entry.Level, e.Entry.Text, e.Entry.URL))
			}
		case *network.EventRequestWillBeSent:
			ev.add(&ev.requests, e.Request.URL)
		case *page.EventJavascriptDialogOpening:
			ev.add(&ev.dialogs, e.Message)
			go func() {
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			}()
		}
	})
	if err == nil {
		_, err = chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspProbe})
	}
	if err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx, ev
}

func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}

// contrastJS finds the lowest contrast ratio (WCAG 2) between an element's
// text colour and the background behind it, over every element that holds text
// of its own, from the computed styles; and the page's background luminance,
// which tells the two schemes apart.
const contrastJS = `(() => {
  const rgb = s => { const m = s.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/); if (!m) throw new Error('colour ' + s); return [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]]; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const bg = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor); if (c[3] > 0) return c; } return [255, 255, 255, 1]; };
  let min = 99, where = '', checked = 0;
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!own || el.getClientRects().length === 0) continue;
    const fg = lum(rgb(getComputedStyle(el).color)), b = lum(bg(el));
    const ratio = (Math.max(fg, b) + 0.05) / (Math.min(fg, b) + 0.05);
    checked++;
    if (ratio < min) { min = ratio; where = el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' "' + el.textContent.trim().slice(0, 40) + '"'; }
  }
  return {min, where, checked, background: lum(bg(document.body))};
})()`

type contrast struct {
	Min        float64
	Where      string
	Checked    int
	Background float64
}

// TestBrowser drives headless Chromium through the page, with one browser for
// every subtest.
func TestBrowser(t *testing.T) {
	path := chromium(t)
	r := seed(t)
	cfg := openConfig()
	cfg.PublicHost = "resume.example.com"
	d := startDoor(t, cfg, r)
	// Started before the browser, so that they shut down after it has closed
	// its connections: net/http waits up to 5s for a connection the browser
	// opened ahead of a request that never came.
	h := startDoor(t, openConfig(), hostileResume())

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1000, 800),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true), chromedp.Flag("disable-default-apps", true))
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	// The first Run starts the browser; it lives as long as browser.
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}

	// checkClean fails the test for any console error, CSP violation, dialog
	// or request to another origin that the tab saw.
	checkClean := func(t *testing.T, tab context.Context, ev *browserEvents, origin string) {
		t.Helper()
		csp, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`window.__csp`))
		if err != nil {
			t.Fatal(err)
		}
		errs, reqs, dialogs := ev.snapshot()
		for _, e := range append(errs, csp...) {
			t.Errorf("browser reported: %s", e)
		}
		for _, dl := range dialogs {
			t.Errorf("a script opened a dialog: %q", dl)
		}
		if len(reqs) == 0 {
			t.Error("no request seen")
		}
		for _, u := range reqs {
			if !strings.HasPrefix(u, origin+"/") {
				t.Errorf("request outside the origin: %s", u)
			}
		}
	}

	t.Run("facts, no errors, one origin", func(t *testing.T) {
		tab, ev := newTab(t, browser)
		if err := chromedp.Do(tab, chromedp.Navigate(d.url+"/")); err != nil {
			t.Fatal(err)
		}
		text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`))
		if err != nil {
			t.Fatal(err)
		}
		text = normalize(text)
		for _, f := range facts(r) {
			if !strings.Contains(text, f) {
				t.Errorf("visible text lacks %q", f)
			}
		}
		if !strings.Contains(text, "ssh resume.example.com") {
			t.Error("the ssh command is not visible")
		}
		checkClean(t, tab, ev, d.url)
	})

	for _, scheme := range []string{"light", "dark"} {
		t.Run("contrast "+scheme, func(t *testing.T) {
			tab, ev := newTab(t, browser)
			if err := chromedp.Do(tab, colorScheme(scheme), chromedp.Navigate(d.url+"/")); err != nil {
				t.Fatal(err)
			}
			c, err := chromedp.Run(tab, chromedp.Evaluate[contrast](contrastJS))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: lowest contrast %.2f:1 (%s) over %d text elements; background luminance %.3f", scheme, c.Min, c.Where, c.Checked, c.Background)
			if c.Checked < 20 {
				t.Errorf("only %d text elements checked", c.Checked)
			}
			if c.Min < 4.5 {
				t.Errorf("contrast %.2f:1 below 4.5:1 at %s", c.Min, c.Where)
			}
			if dark := c.Background < 0.2; dark != (scheme == "dark") {
				t.Errorf("%s scheme renders with background luminance %.3f", scheme, c.Background)
			}
			checkClean(t, tab, ev, d.url)
		})
	}

	for _, scheme := range []string{"light", "dark"} {
		t.Run("print "+scheme, func(t *testing.T) {
			tab, _ := newTab(t, browser)
			if err := chromedp.Do(tab, colorScheme(scheme), chromedp.Navigate(d.url+"/")); err != nil {
				t.Fatal(err)
			}
			pdf, err := chromedp.Run(tab, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize()))
			if err != nil {
				t.Fatal(err)
			}
			pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1))
			t.Logf("printed to A4 in the %s scheme: %d pages, %d bytes of PDF", scheme, pages, len(pdf))
			if pages < 1 || pages > 2 {
				t.Errorf("%d printed pages, want 1 or 2", pages)
			}
		})
	}

	t.Run("downloads", func(t *testing.T) {
		tab, _ := newTab(t, browser)
		if err := chromedp.Do(tab, chromedp.Navigate(d.url+"/")); err != nil {
			t.Fatal(err)
		}
		links, err := chromedp.Run(tab, chromedp.Evaluate[[]struct{ Href, Type string }](`[...document.querySelectorAll('a[download]')].map(a => ({href: a.href, type: a.type}))`))
		if err != nil {
			t.Fatal(err)
		}
		if len(links) != len(content.Exports()) {
			t.Fatalf("%d download links for %d exports", len(links), len(content.Exports()))
		}
		for _, l := range links {
			resp, err := http.Get(l.Href)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
			if resp.StatusCode != 200 || got != l.Type {
				t.Errorf("%s: status %d, type %q; the link says %q", l.Href, resp.StatusCode, got, l.Type)
			}
		}
	})

	t.Run("axe-core", func(t *testing.T) {
		src, err := os.ReadFile(axeScript)
		if err != nil {
			need(t, "axe-core", "npm ci --prefix .ci/axe")
		}
		for _, scheme := range []string{"light", "dark"} {
			tab, _ := newTab(t, browser)
			if err := chromedp.Do(tab, colorScheme(scheme), chromedp.Navigate(d.url+"/"), chromedp.Evaluate[chromedp.Void](string(src))); err != nil {
				t.Fatal(err)
			}
			out, err := chromedp.Run(tab, chromedp.Evaluate[string](`axe.run(document).then(r => JSON.stringify({version: axe.version, passes: r.passes.length, violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))}))`,
				chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			var res struct {
				Version    string
				Passes     int
				Violations []struct {
					ID, Impact, Help string
					Nodes            []string
				}
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("axe result %q: %v", out, err)
			}
			t.Logf("axe-core %s, %s scheme: %d rules passed, %d violations", res.Version, scheme, res.Passes, len(res.Violations))
			for _, v := range res.Violations {
				t.Errorf("axe %s (%s): %s at %q", v.ID, v.Impact, v.Help, v.Nodes)
			}
		}
	})

	t.Run("hostile resume", func(t *testing.T) {
		tab, ev := newTab(t, browser)
		if err := chromedp.Do(tab, chromedp.Navigate(h.url+"/")); err != nil {
			t.Fatal(err)
		}
		text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`))
		if err != nil {
			t.Fatal(err)
		}
		scripts, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.scripts.length + document.images.length + document.querySelectorAll('iframe,[onclick],[onerror],[onmouseover]').length`))
		if err != nil {
			t.Fatal(err)
		}
		if scripts != 0 {
			t.Errorf("%d scripts, images, frames or handlers in the page", scripts)
		}
		for _, literal := range []string{`<script>alert("name")</script>`, `"><img src=x onerror=alert(1)>`, "javascript:alert(3)", "</section><h1>fake</h1>"} {
			if !strings.Contains(text, literal) {
				t.Errorf("visible text lacks %q", literal)
			}
		}
		checkClean(t, tab, ev, h.url)
	})
}
