package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/ragcite/ragcite/rag"
)

// URL fetch errors.
var (
	// ErrURLNotAllowed: a URL refused before or while connecting: not
	// http(s), credentials in it, or an address that is loopback, private,
	// link-local or otherwise not public (unless allowed).
	ErrURLNotAllowed = errors.New("url not allowed")
	// ErrFetch: the page could not be fetched or read (network error,
	// timeout, non-2xx status, too large, too many redirects).
	ErrFetch = errors.New("fetch failed")
)

// FetchOptions bound a web page fetch. Zero fields take the defaults.
type FetchOptions struct {
	// Timeout covers the whole fetch, redirects and body included (20s).
	Timeout time.Duration
	// MaxBytes is the largest body read (10 MiB).
	MaxBytes int64
	// MaxRedirects is how many redirects are followed (5).
	MaxRedirects int
	// MaxText is the most text a fetched page may give once extracted
	// (MaxFileBytes); past it the fetch fails with ErrTextLimit.
	MaxText int
	// AllowPrivate permits loopback, private, link-local and other
	// non-public addresses: for tests and trusted intranets only.
	AllowPrivate bool
	// allowAddr, when set, replaces the address policy (tests).
	allowAddr func(netip.AddrPort) bool
}

func (o FetchOptions) withDefaults() FetchOptions {
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 10 << 20
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 5
	}
	if o.MaxText <= 0 || o.MaxText > MaxFileBytes {
		o.MaxText = MaxFileBytes
	}
	return o
}

// IsURL reports whether s looks like a web address to fetch rather than a
// file path (it starts with http:// or https://).
func IsURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// FetchURL downloads a web page and turns it into a document: HTML through
// the readability path of parseHTML, plain text as is, PDF and DOCX through
// their parsers. The address every connection goes to is checked when it is
// dialled, after DNS resolution, so a name that resolves (or re-resolves) to
// a private address and a redirect to one are refused alike. The document's
// source is the URL; its id is the URL without scheme, query or fragment.
func FetchURL(ctx context.Context, rawURL string, opt FetchOptions) (rag.Document, error) {
	opt = opt.withDefaults()
	u, err := checkURL(rawURL)
	if err != nil {
		return rag.Document{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return rag.Document{}, fmt.Errorf("%w: %v", ErrURLNotAllowed, err)
	}
	req.Header.Set("User-Agent", "ragcite")
	req.Header.Set("Accept", "text/html, text/plain;q=0.9, application/pdf;q=0.8, */*;q=0.1")
	resp, err := newFetchClient(opt).Do(req)
	if err != nil {
		return rag.Document{}, fetchError(ctx, u, opt, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return rag.Document{}, fmt.Errorf("%w: %s: status %s", ErrFetch, u.Redacted(), resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, opt.MaxBytes+1))
	if err != nil {
		return rag.Document{}, fmt.Errorf("%w: %s: read body: %v", ErrFetch, u.Redacted(), err)
	}
	if int64(len(body)) > opt.MaxBytes {
		return rag.Document{}, fmt.Errorf("%w: %s: body is larger than %d bytes", ErrFetch, u.Redacted(), opt.MaxBytes)
	}
	d, err := parseFetched(ctx, resp.Header.Get("Content-Type"), body, opt.MaxText)
	if err != nil {
		return rag.Document{}, fmt.Errorf("%s: %w", u.Redacted(), err)
	}
	d.ID, d.Source = urlID(u), u.String()
	if d.Title == "" {
		d.Title = firstLineTitle(d.Text, d.ID)
	}
	if err := rag.ValidateDocument(d); err != nil {
		return rag.Document{}, fmt.Errorf("%w: %s: %v", rag.ErrUnsupportedFile, u.Redacted(), err)
	}
	return d, nil
}

// checkURL accepts absolute http(s) URLs with a host and no credentials.
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrURLNotAllowed, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%w: scheme %q (want http or https)", ErrURLNotAllowed, u.Scheme)
	case u.Hostname() == "":
		return nil, fmt.Errorf("%w: no host in %q", ErrURLNotAllowed, u.Redacted())
	case u.User != nil:
		return nil, fmt.Errorf("%w: credentials in the URL", ErrURLNotAllowed)
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// newFetchClient is an HTTP client that never uses a proxy (a proxy would
// connect on our behalf, past the address check), checks every dialled
// address, and bounds redirects.
func newFetchClient(opt FetchOptions) *http.Client {
	allow := opt.allowAddr
	if allow == nil {
		allow = func(ap netip.AddrPort) bool { return opt.AllowPrivate || publicAddr(ap.Addr()) }
	}
	dialer := &net.Dialer{
		Timeout: 10 * time.Second,
		// Control runs after resolution and before connecting: no packet
		// reaches a refused address.
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return errNotPublic
			}
			if !allow(ap) {
				return errNotPublic
			}
			return nil
		},
	}
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         dialer.DialContext,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConns:        1,
		DisableKeepAlives:   true,
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > opt.MaxRedirects {
				return fmt.Errorf("%w: more than %d redirects", ErrFetch, opt.MaxRedirects)
			}
			if _, err := checkURL(req.URL.String()); err != nil {
				return fmt.Errorf("redirect: %w", err)
			}
			return nil
		},
	}
}

// errNotPublic: the host resolved (or redirected) to an address that is
// not public. It names no address: the caller learns nothing of the
// server's network or resolver.
var errNotPublic = fmt.Errorf("%w: the host is not a public address", ErrURLNotAllowed)

// fetchError describes a failed fetch of u without the addresses it
// resolved to, the resolver it asked, or a redirect's target.
func fetchError(ctx context.Context, u *url.URL, opt FetchOptions, err error) error {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.Is(err, errNotPublic):
		return fmt.Errorf("fetch %s: %w", u.Redacted(), errNotPublic)
	case errors.Is(err, ErrURLNotAllowed):
		return fmt.Errorf("fetch %s: %w", u.Redacted(), unwrapURLError(err))
	case ctx.Err() != nil:
		return fmt.Errorf("%w: %s: timed out after %s", ErrFetch, u.Redacted(), opt.Timeout)
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return fmt.Errorf("%w: %s: no such host", ErrFetch, u.Redacted())
	case errors.As(err, &dnsErr):
		return fmt.Errorf("%w: %s: the host name could not be resolved", ErrFetch, u.Redacted())
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return fmt.Errorf("%w: %s: could not connect", ErrFetch, u.Redacted())
	}
	return fmt.Errorf("%w: %s: %v", ErrFetch, u.Redacted(), unwrapURLError(err))
}

// unwrapURLError drops *url.Error's "Get \"...\":" prefix, keeping the cause.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// notPublic lists special-purpose ranges beyond what netip's predicates
// cover; addresses in them are never fetched unless private ones are allowed.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: embeds an IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local NAT64
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds an IPv4 address
	netip.MustParsePrefix("2001::/32"),       // Teredo
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("100::/64"),        // discard
}

// publicAddr reports whether a is a globally routable unicast address.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() ||
		a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range notPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// parseFetched turns a fetched body into a document by its media type.
func parseFetched(ctx context.Context, contentType string, body []byte, maxText int) (rag.Document, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/pdf" || (mt == "" || mt == "application/octet-stream") && bytes.HasPrefix(body, []byte("%PDF-")):
		return parsePDF(ctx, body, maxText)
	case mt == "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return parseDOCX(body, maxText)
	case mt == "text/plain" || mt == "text/markdown":
		if !utf8.Valid(body) {
			return rag.Document{}, fmt.Errorf("%w: not valid UTF-8", rag.ErrUnsupportedFile)
		}
		text := normaliseNewlines(string(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))))
		if strings.TrimSpace(text) == "" {
			return rag.Document{}, fmt.Errorf("%w: the page is empty", rag.ErrUnsupportedFile)
		}
		return rag.Document{Text: text}, nil
	case mt == "text/html" || mt == "application/xhtml+xml" || mt == "":
		return parseHTML(bytes.NewReader(body))
	}
	return rag.Document{}, fmt.Errorf("%w: content type %q (want HTML, plain text, PDF or DOCX)", rag.ErrUnsupportedFile, mt)
}

// urlID is a document id for a URL: host and path, without scheme, query
// or fragment, and with '#' (reserved in ids) impossible by construction.
func urlID(u *url.URL) string {
	p := path.Clean("/" + u.EscapedPath())
	if p == "/" {
		return strings.ToLower(u.Host)
	}
	id := strings.ToLower(u.Host) + p
	if len(id) > 400 {
		id = id[:400]
	}
	return id
}
