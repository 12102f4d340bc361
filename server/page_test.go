package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	evalpkg "github.com/ragcite/ragcite/eval"
)

// screenshot saves a PNG of the whole page (full) or of the viewport as
// name under $RAGCITE_SCREENSHOTS (the README shows the ones in
// testdata/screenshots); unset, it does nothing.
func screenshot(t *testing.T, ctx context.Context, name string, full bool) {
	t.Helper()
	dir := os.Getenv("RAGCITE_SCREENSHOTS")
	if dir == "" {
		return
	}
	shot := chromedp.CaptureScreenshot()
	if full {
		shot = chromedp.FullScreenshot(100)
	}
	png, err := chromedp.Run(ctx, shot)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// rect is an element's bounding box in CSS pixels.
type rect struct{ Left, Top, Right, Bottom, Width, Height float64 }

func box(t *testing.T, ctx context.Context, sel string) rect {
	t.Helper()
	return eval[rect](t, ctx, fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect();
		return {Left: r.left, Top: r.top, Right: r.right, Bottom: r.bottom, Width: r.width, Height: r.height}; })()`, sel))
}

// askOnPage types q, asks, and waits for the finished reply.
func askOnPage(t *testing.T, ctx context.Context, base, q string) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#question")),
		chromedp.SendKeys(chromedp.CSS("#question"), q),
		chromedp.Evaluate[chromedp.Void](visibleJS),
		chromedp.Click(chromedp.CSS("#ask")),
	)
	waitFor(t, ctx, "the answer", `document.getElementById("answer").dataset.state === "done"`)
}

// visibleJS defines visible(selector) in the page: rendered with a size.
const visibleJS = `window.visible = (sel) => { const e = document.querySelector(sel); return !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden"; }`

// noSideScroll fails when the page is wider than its viewport.
func noSideScroll(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if w := eval[[]float64](t, ctx, `[document.documentElement.scrollWidth, window.innerWidth]`); w[0] > w[1] {
		t.Errorf("%s: the page is %v px wide in a %v px viewport: it scrolls sideways", what, w[0], w[1])
	}
}

// TestBrowserPageWide: on a 1280 px screen the source opens beside the
// answer with the quote highlighted in view, previous/next walk the
// citations, the conflict is stated once and sources are not numbered twice.
func TestBrowserPageWide(t *testing.T) {
	ctx := newBrowser(t)
	s := newTestServer(t, Config{})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	do(t, ctx, chromedp.EmulateViewport(1280, 900))
	askOnPage(t, ctx, ts.URL, amazonQuestion)
	if eval[bool](t, ctx, `visible("#progress")`) {
		t.Error("the progress bar stays after the answer")
	}

	reply := eval[string](t, ctx, `document.getElementById("reply").innerText`)
	if n := strings.Count(strings.ToLower(reply), "disagree"); n != 1 {
		t.Errorf("the conflict is stated %d times, want once:\n%s", n, reply)
	}
	if eval[bool](t, ctx, `visible("#conflicts")`) {
		t.Error("the conflict box repeats what the answer says")
	}
	items := eval[[]string](t, ctx, `[...document.querySelectorAll("#citations li")].map(li => li.innerText)`)
	if len(items) == 0 {
		t.Fatal("no sources listed")
	}
	for _, it := range items {
		if !strings.HasPrefix(it, "[") || eval[string](t, ctx, `getComputedStyle(document.querySelector("#citations li")).listStyleType`) != "none" {
			t.Errorf("source %q is numbered besides its marker", it)
		}
	}
	cites := eval[[]int](t, ctx, `window.ragcite.state.citations.map(c => c.n)`)
	do(t, ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#answer a.cite[data-n="%d"]`, cites[0]))))
	waitFor(t, ctx, "the viewer", `!!document.querySelector("#doc-text mark")`)
	answer, viewer := box(t, ctx, "#answer"), box(t, ctx, "#viewer")
	if viewer.Left < answer.Right || viewer.Top > answer.Bottom {
		t.Errorf("viewer %+v is not beside the answer %+v", viewer, answer)
	}
	markInView(t, ctx)
	screenshot(t, ctx, "page-1280.png", true)

	if len(cites) > 1 {
		c2 := eval[map[string]any](t, ctx, `window.ragcite.state.citations[1]`)
		do(t, ctx, chromedp.Click(chromedp.CSS("#next-cite")))
		waitFor(t, ctx, "the next citation", fmt.Sprintf(`document.getElementById("doc-meta").textContent.endsWith("bytes %v–%v") && document.querySelector("#doc-text mark").textContent === %s`,
			c2["start"], c2["end"], jsString(c2["quote"].(string))))
		markInView(t, ctx)
		if eval[string](t, ctx, `document.querySelector("a.cite.active").dataset.n`) != fmt.Sprint(cites[1]) {
			t.Error("the marker of the shown citation is not marked active")
		}
		do(t, ctx, chromedp.Click(chromedp.CSS("#prev-cite")))
		waitFor(t, ctx, "the previous citation", fmt.Sprintf(`document.getElementById("cite-pos").textContent.startsWith("Citation [%d]")`, cites[0]))
		if !eval[bool](t, ctx, `document.getElementById("prev-cite").disabled`) {
			t.Error("previous is enabled on the first citation")
		}
	}
	noSideScroll(t, ctx, "1280 px")
}

// markInView fails unless the highlighted quote is inside the viewer's
// scrolled text box.
func markInView(t *testing.T, ctx context.Context) {
	t.Helper()
	m, b := box(t, ctx, "#doc-text mark"), box(t, ctx, "#doc-text")
	if m.Top < b.Top-1 || m.Top > b.Bottom-10 {
		t.Errorf("the quote (top %v) is not scrolled into the viewer (%v..%v)", m.Top, b.Top, b.Bottom)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestBrowserPagePhone: at 390 px the page does not scroll sideways,
// markers are 44 px tap targets, and a clicked citation opens right after
// the answer, scrolled into view.
func TestBrowserPagePhone(t *testing.T) {
	ctx := newBrowser(t)
	s := newTestServer(t, Config{})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	askOnPage(t, ctx, ts.URL, amazonQuestion)
	noSideScroll(t, ctx, "390 px with an answer")
	sizes := eval[[][]float64](t, ctx, `[...document.querySelectorAll("a.cite")].map(a => { const r = a.getBoundingClientRect(); return [r.width, r.height]; })`)
	for _, wh := range sizes {
		if wh[0] < 44 || wh[1] < 44 {
			t.Errorf("a marker is %vx%v px, want at least 44x44", wh[0], wh[1])
			break
		}
	}
	screenshot(t, ctx, "page-390.png", false)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#answer a.cite`)))
	waitFor(t, ctx, "the viewer", `!!document.querySelector("#doc-text mark")`)
	answer, viewer := box(t, ctx, "#answer"), box(t, ctx, "#viewer")
	if gap := viewer.Top - answer.Bottom; gap < 0 || gap > 60 {
		t.Errorf("the viewer opens %v px after the answer, want right after it", gap)
	}
	if h := eval[float64](t, ctx, `window.innerHeight`); viewer.Top < -1 || viewer.Top > h/2 {
		t.Errorf("the viewer (top %v) is not scrolled into view (height %v)", viewer.Top, h)
	}
	markInView(t, ctx)
	noSideScroll(t, ctx, "390 px with the viewer")
	screenshot(t, ctx, "page-390-citation.png", false)
}

// TestBrowserAbstainOnce: an abstention is said once, by the answer.
func TestBrowserAbstainOnce(t *testing.T) {
	ctx := newBrowser(t)
	s := newTestServer(t, Config{})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	askOnPage(t, ctx, ts.URL, "What is the boiling point of liquid nitrogen?")
	reply := eval[string](t, ctx, `document.getElementById("reply").innerText`)
	if n := strings.Count(strings.ToLower(reply), "do not cover"); n != 1 {
		t.Errorf("the abstention is stated %d times, want once:\n%s", n, reply)
	}
	if !eval[bool](t, ctx, `document.getElementById("answer").classList.contains("abstained")`) {
		t.Error("the abstention is not marked as such")
	}
}

// TestBrowserProgressAndCancel: a running question shows progress and a
// cancel button; cancel stops the request on the server too.
func TestBrowserProgressAndCancel(t *testing.T) {
	ctx := newBrowser(t)
	s := newTestServer(t, Config{})
	canceled := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/ask" {
			// A question that takes long: the request is read, as the real
			// handler binds it, then nothing comes (not even the stream's
			// headers, sent with the first event) until the page gives up.
			io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
				close(canceled)
			case <-time.After(30 * time.Second):
			}
			return
		}
		s.Handler().ServeHTTP(w, r)
	}))
	defer ts.Close()
	do(t, ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#question")),
		chromedp.SendKeys(chromedp.CSS("#question"), amazonQuestion),
		chromedp.Evaluate[chromedp.Void](visibleJS),
		chromedp.Click(chromedp.CSS("#ask")),
	)
	waitFor(t, ctx, "the progress", `visible("#progress") && visible("#cancel") && document.getElementById("progress-text").textContent.startsWith("Answering")`)
	if !eval[bool](t, ctx, `document.getElementById("ask").disabled`) {
		t.Error("Ask stays enabled while a question runs")
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#cancel")))
	waitFor(t, ctx, "the cancel", `document.getElementById("answer").dataset.state === "canceled" && !visible("#progress")`)
	select {
	case <-canceled:
	case <-time.After(10 * time.Second):
		t.Error("the server never saw the request canceled")
	}
	if eval[string](t, ctx, `document.getElementById("status").textContent`) != "Canceled." {
		t.Error("the page does not say the question was canceled")
	}
}

// TestBrowserDocPath: document ids become URL paths segment by segment,
// and ids with dot segments are refused rather than resolved by the browser
// to another document.
func TestBrowserDocPath(t *testing.T) {
	ctx := newBrowser(t)
	s := newTestServer(t, Config{})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	do(t, ctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#question")))
	for id, want := range map[string]string{
		"a b/c?d#e":     "/v1/documents/a%20b/c%3Fd%23e",
		"sub/nested":    "/v1/documents/sub/nested",
		"x/../victim":   "refused",
		"./x":           "refused",
		"x/%2e%2e/v":    "refused",
		"x//y":          "/v1/documents/x//y",
		"/etc/notes":    "/v1/documents//etc/notes",
		"":              "refused",
		"..":            "refused",
		"notes.v2/a..b": "/v1/documents/notes.v2/a..b",
	} {
		got := eval[string](t, ctx, fmt.Sprintf(`(() => { try { return window.ragcite.docPath(%s); } catch (e) { return "refused"; } })()`, jsString(id)))
		if got != want {
			t.Errorf("docPath(%q) = %q, want %q", id, got, want)
		}
	}
}

// TestBrowserEvalReport opens the eval HTML report at 1280 and 390 px: it
// has a chart with axis ticks and gate lines, and fits a phone's width.
func TestBrowserEvalReport(t *testing.T) {
	ctx := newBrowser(t)
	data, err := os.ReadFile("../eval/testdata/report.json")
	if err != nil {
		t.Fatal(err)
	}
	var rep evalpkg.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := evalpkg.WriteHTML(&page, &rep); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page.Bytes())
	}))
	defer ts.Close()
	for _, width := range []int64{1280, 390} {
		do(t, ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(ts.URL), chromedp.WaitVisible(chromedp.CSS("svg.chart")))
		noSideScroll(t, ctx, fmt.Sprintf("report at %d px", width))
		if chart := box(t, ctx, "svg.chart"); chart.Right > float64(width) {
			t.Errorf("at %d px the chart ends at %v", width, chart.Right)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("svg.chart line.gate").length`); n == 0 {
			t.Errorf("at %d px: no gate line in the chart", width)
		}
		if ticks := eval[[]string](t, ctx, `[...document.querySelectorAll("svg.chart text[text-anchor=middle]")].map(t => t.textContent)`); len(ticks) < 5 {
			t.Errorf("axis labels %v", ticks)
		}
		screenshot(t, ctx, fmt.Sprintf("eval-report-%d.png", width), width > 400)
	}
}
