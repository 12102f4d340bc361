package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/chromedp"

	"github.com/ragcite/ragcite/rag"
)

// chromiumPath finds the browser for the browser tests: $RAGCITE_CHROMIUM,
// /usr/bin/chromium, or chromium / chromium-browser on PATH. With none, the
// test fails when CI=true and is skipped otherwise.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("RAGCITE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed, and CI=true requires the browser test: apt-get install -y chromium")
	}
	t.Skip("chromium is not installed: apt-get install -y chromium (or set RAGCITE_CHROMIUM) to run the browser test")
	return ""
}

// newBrowser starts a fresh headless Chromium and returns a tab context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(actx)
	// The first call starts the browser, which lives as long as that call's
	// context: it gets no timeout; the calls after it do.
	if err := chromedp.Do(tab); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(tab, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelTab(); cancelAlloc() })
	return ctx
}

// eval evaluates a JavaScript expression (awaiting a promise) into a T.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// do runs browser steps, failing the test on error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls a JavaScript condition, reporting the page's error text on
// timeout.
func waitFor(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	poll := chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second))
	if _, err := chromedp.Run(ctx, poll); err != nil {
		pageErr, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("error").textContent`))
		t.Fatalf("waiting for %s: %v (page error: %q)", what, err, pageErr)
	}
}

// TestBrowserAskAndCite drives the web page in a real headless Chromium:
// ask, watch the answer stream in, click each citation marker and check the
// highlighted passage is the citation's quote, byte for byte.
func TestBrowserAskAndCite(t *testing.T) {
	ctx := newBrowser(t)
	s := newTestServer(t, Config{})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()

	want, err := s.eng.Ask(context.Background(), rag.AskRequest{Question: amazonQuestion})
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Citations) == 0 {
		t.Fatalf("the engine cites nothing for %q", amazonQuestion)
	}

	do(t, ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#question")),
		chromedp.SendKeys(chromedp.CSS("#question"), amazonQuestion),
		chromedp.Click(chromedp.CSS("#ask")),
	)
	waitFor(t, ctx, "the answer", `document.getElementById("answer").dataset.state === "done"`)

	shown := eval[string](t, ctx, `document.getElementById("answer").textContent`)
	got := eval[rag.Answer](t, ctx, `window.ragcite.state.lastReply`)
	if shown != want.Answer || got.Answer != want.Answer {
		t.Fatalf("page shows\n%q\nwant\n%q", shown, want.Answer)
	}
	if markers := eval[int](t, ctx, `document.querySelectorAll("#answer a.cite").length`); markers != strings.Count(want.Answer, "[") {
		t.Errorf("%d marker links in the answer, want %d", markers, strings.Count(want.Answer, "["))
	}

	multibyte := false
	for _, c := range want.Citations {
		doc, err := s.eng.Document(context.Background(), c.DocID)
		if err != nil {
			t.Fatal(err)
		}
		if utf8.RuneCountInString(doc.Text[:c.Start]) != c.Start {
			multibyte = true
		}
		sel := fmt.Sprintf(`#answer a.cite[data-n="%d"]`, c.N)
		do(t, ctx, chromedp.Click(chromedp.CSS(sel)))
		waitFor(t, ctx, fmt.Sprintf("the passage of [%d]", c.N),
			fmt.Sprintf(`document.getElementById("doc-meta").textContent.includes(%q) && !!document.querySelector("#doc-text mark")`,
				fmt.Sprintf("%s · %s · bytes %d–%d", c.DocID, c.Source, c.Start, c.End)))
		mark := eval[string](t, ctx, `document.querySelector("#doc-text mark").textContent`)
		whole := eval[string](t, ctx, `document.getElementById("doc-text").textContent`)
		if mark != c.Quote {
			t.Errorf("[%d] highlights\n%q\nwant the quote\n%q", c.N, mark, c.Quote)
		}
		if whole != doc.Text {
			t.Errorf("[%d] shows a document text of %d bytes, want %d", c.N, len(whole), len(doc.Text))
		}
	}
	t.Logf("answer: %s (%d citations, a quote after multi-byte text: %v)", want.Answer, len(want.Citations), multibyte)

	// Whatever the answer cites, check a passage that follows curly quotes
	// (’ is three bytes in UTF-8 but one UTF-16 unit in JavaScript).
	doc, start, end := passageAfterCurlyQuote(t, sampleArticles(t))
	returned := eval[string](t, ctx, fmt.Sprintf(`window.ragcite.showPassage(%q, %d, %d)`, doc.ID, start, end))
	mark := eval[string](t, ctx, `document.querySelector("#doc-text mark").textContent`)
	if want := doc.Text[start:end]; mark != want || returned != want {
		t.Errorf("bytes [%d,%d) of %s highlight %q, want %q", start, end, doc.ID, mark, want)
	}

	// Summarize the question's passages: the summary streams in with markers.
	do(t, ctx, chromedp.Click(chromedp.CSS("#summarize")))
	waitFor(t, ctx, "the summary", `document.getElementById("answer").dataset.state === "done" && window.ragcite.state.lastReply && "summary" in window.ragcite.state.lastReply`)
	if eval[int](t, ctx, `document.querySelectorAll("#answer a.cite").length`) == 0 {
		t.Error("the summary shows no citation markers")
	}

	if path := os.Getenv("RAGCITE_SCREENSHOT"); path != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// passageAfterCurlyQuote finds a sample article with a ’ and returns a
// passage of it that starts after one.
func passageAfterCurlyQuote(t *testing.T, docs []rag.Document) (rag.Document, int, int) {
	t.Helper()
	for _, d := range docs {
		i := strings.Index(d.Text, "’")
		if i < 0 {
			continue
		}
		start := i + len("’") + 1
		end := start + 60
		for end < len(d.Text) && !utf8.RuneStart(d.Text[end]) {
			end++
		}
		if end <= len(d.Text) {
			return d, start, end
		}
	}
	t.Fatal("no sample article contains ’")
	return rag.Document{}, 0, 0
}

// TestBrowserUploadAndAuth: with an API key typed into the page (kept in
// localStorage), the document list loads and a multipart upload works.
func TestBrowserUploadAndAuth(t *testing.T) {
	ctx := newBrowser(t)
	s := newTestServer(t, Config{WriteKeys: []string{"page-key"}})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	file := t.TempDir() + "/harbour.txt"
	if err := os.WriteFile(file, []byte("Harbour notes\n\nThe harbour master counted 17 ships in May.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#api-key")))
	waitFor(t, ctx, "the 401 shown", `document.getElementById("error").textContent.includes("401")`)
	do(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#api-key"), "page-key"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("api-key").dispatchEvent(new Event("change"))`),
	)
	waitFor(t, ctx, "the document list", fmt.Sprintf(`document.querySelectorAll("#doc-list li input").length === %d`, len(sampleArticles(t))))
	stored := eval[string](t, ctx, `localStorage.getItem("ragcite.apiKey")`)
	do(t, ctx,
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{file}),
		chromedp.Click(chromedp.CSS(`#upload-form button[type="submit"]`)),
	)
	if stored != "page-key" {
		t.Errorf("localStorage holds %q, want the key", stored)
	}
	waitFor(t, ctx, "the upload", `document.getElementById("upload-status").textContent === "harbour: created"`)
	waitFor(t, ctx, "the new document listed", `[...document.querySelectorAll("#doc-list li input")].some(i => i.value === "harbour")`)
	if _, err := s.eng.Document(context.Background(), "harbour"); err != nil {
		t.Fatalf("uploaded document not stored: %v", err)
	}
}
