package difftest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"

	"github.com/corskit/cors/check"
)

// PageCookie is the cookie the page sets (document.cookie) before every
// case: cookies are not scoped by port, so a browser attaches it to the
// requests to every server, P, A and B alike, whenever the credentials mode
// sends cookies there, and a Variant on the Cookie header shows when it
// did. A sandboxed page has no cookie.
const PageCookie = "difftest=1"

// Engines are the browser engines a corpus records, in the order the
// suite runs them. They are also check.Browser names ("webkit" is Safari's
// engine).
var Engines = []string{"chromium", "firefox", "webkit"}

// Verdict is what a browser (or the checker, speaking for one) concluded
// about a case: whether the page could read the response, Chromium's
// CorsError name ("" when allowed, and always "" for the other engines,
// whose automation does not report one), and every CORS line the browser
// logged to the console, in order, normalised (see Normalize): Chromium's
// one "has been blocked by CORS policy" line, Firefox's "Cross-Origin
// Request Blocked" lines and its "Cross-Origin Request Warning", WebKit's
// security error and its "… cannot load … due to access control checks."
// line.
type Verdict struct {
	Allowed bool     `json:"allowed"`
	Reason  string   `json:"reason,omitempty"`
	Console []string `json:"console,omitempty"`
}

// Equal reports whether v and w are the same verdict, reason and lines.
func (v Verdict) Equal(w Verdict) bool {
	return v.Allowed == w.Allowed && v.Reason == w.Reason && slices.Equal(v.Console, w.Console)
}

func (v Verdict) String() string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Record is one case with the verdict each recorded engine gave; an engine
// that was not recorded has none.
type Record struct {
	Case     Case     `json:"case"`
	Chromium *Verdict `json:"chromium,omitempty"`
	Firefox  *Verdict `json:"firefox,omitempty"`
	WebKit   *Verdict `json:"webkit,omitempty"`
}

// Verdict returns the verdict engine gave, nil if none was recorded.
func (r *Record) Verdict(engine string) *Verdict {
	switch engine {
	case "chromium":
		return r.Chromium
	case "firefox":
		return r.Firefox
	case "webkit":
		return r.WebKit
	}
	return nil
}

// SetVerdict records v as engine's verdict.
func (r *Record) SetVerdict(engine string, v Verdict) {
	switch engine {
	case "chromium":
		r.Chromium = &v
	case "firefox":
		r.Firefox = &v
	case "webkit":
		r.WebKit = &v
	}
}

// Corpus is a recorded set of cases.
type Corpus struct {
	// Browsers names, for each engine recorded, the browser and version
	// that gave the answers ("chromium": "Chromium 156.0.8078.114 …").
	Browsers map[string]string `json:"browsers"`
	// Seed is the seed the cases were generated from.
	Seed    uint64   `json:"seed"`
	Records []Record `json:"records"`
}

// Load reads a corpus written by Save.
func Load(path string) (*Corpus, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Corpus
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

// Save writes c as indented JSON, one record per few lines, so that a
// re-recording shows as a readable diff.
func (c *Corpus) Save(path string) error {
	b, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Request is the check.Request that describes c, from a page on page, as
// browser (a check.Browser name) would make it.
func (c *Case) Request(o Origins, page, browser string) check.Request {
	h := http.Header{}
	var order []string
	for _, f := range c.Header {
		if _, ok := h[f.Name]; !ok {
			order = append(order, f.Name)
		}
		h[f.Name] = append(h[f.Name], byteString(f.Value))
	}
	req := check.Request{
		URL: c.URL(o), Origin: page, Method: c.Method, Header: h, HeaderOrder: order,
		Credentials: c.Credentials, ForcePreflight: c.Upload, Body: c.Body,
		SendActual: true, Browser: check.Browser(browser),
		Mode: check.Mode(c.Mode), Keepalive: c.Keepalive, ReferrerPolicy: c.ReferrerPolicy,
	}
	if c.API == "xhr" {
		req.Initiator = check.XHR
	}
	if c.Sandboxed {
		req.Origin = "null"
	} else {
		req.Cookie = PageCookie
	}
	return req
}

// byteString is the bytes a browser sends for the script's string s
// (WebIDL's ByteString: each character, all below U+0100, is one byte).
func byteString(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return string(b)
}

// Explain runs c through check.Explain for engine with client (which must
// reach the servers at o) and returns the checker's verdict, normalised.
// Only Chromium's verdict carries a CorsError reason, as only Chromium's
// automation reports one.
func Explain(ctx context.Context, client *http.Client, c *Case, o Origins, page, engine string) (Verdict, error) {
	res, err := check.Explain(ctx, client, c.Request(o, page, engine))
	if err != nil {
		return Verdict{}, err
	}
	v := Verdict{Allowed: res.Allowed}
	if engine == "chromium" {
		v.Reason = string(res.Reason)
	}
	for _, l := range res.Console {
		v.Console = append(v.Console, Normalize(l, o, page))
	}
	return v, nil
}
