package har

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/corskit/cors/internal/fetch"
)

// replay is the http.RoundTripper Judge gives check.Explain: it answers
// each request Explain makes for one chain with the response the HAR
// recorded for it — the preflight of the current hop, then the hop itself,
// then the next hop of the redirect chain — and never touches the network.
// Explain therefore judges the recorded exchanges with exactly the rules
// it applies to live ones.
//
// Where the HAR lacks what Explain asks for, RoundTrip fails with a
// *notRecorded, which Explain returns wrapped in a *check.NetworkError. One
// gap it fills, because the recording proves the answer: a preflight the
// HAR does not have (Playwright records none; a browser skips one it has
// cached) before a request whose response the HAR does have. The browser
// sends the request only after the preflight passed, so RoundTrip answers
// the preflight with one that allows exactly what was asked, and records
// that it did (inferred).
type replay struct {
	c        *chain
	hop      int  // the hop the next actual request is for
	inferred bool // a preflight was answered from the recording's evidence
}

// notRecorded is the error of a request whose response the HAR does not
// have.
type notRecorded struct {
	what  string // "the response", "the preflight", …
	entry *Entry // the entry that lacks it, nil when there is none
	url   string
}

func (e *notRecorded) Error() string {
	if e.entry == nil {
		return e.what + " (" + e.url + ") is not in the HAR"
	}
	return fmt.Sprintf("the HAR has no %s for entry %d (%s %s)", e.what, e.entry.Index, e.entry.Method, e.entry.URL)
}

// mismatch is the error of a request Explain makes that is not the one the
// browser made next: the recording and corscheck's model of the browser
// differ.
type mismatch struct {
	want, got string
}

func (e *mismatch) Error() string {
	return "the browser's next request was " + e.got + ", corscheck's model sends " + e.want
}

func (t *replay) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	u := normalURL(r.URL.String())
	preflight := r.Method == http.MethodOptions && r.Header.Get(fetch.HeaderRequestMethod) != ""
	if t.hop >= len(t.c.hops) {
		last := t.c.hops[len(t.c.hops)-1]
		return nil, &notRecorded{what: "request that followed the redirect of entry " + strconv.Itoa(last.Index), url: u}
	}
	hop := t.c.hops[t.hop]
	if h := normalURL(hop.URL); h != u {
		return nil, &mismatch{want: r.Method + " " + u, got: hop.Method + " " + h}
	}
	if preflight {
		p := t.c.preflights[t.hop]
		switch {
		case p != nil && received(p):
			return respond(r, p.Status, p.ResponseHeaders), nil
		case p != nil:
			return nil, &notRecorded{what: "response to the preflight", entry: p}
		case received(hop):
			t.inferred = true
			return respond(r, http.StatusNoContent, passingPreflight(r)), nil
		}
		return nil, &notRecorded{what: "preflight, nor the response,", entry: hop}
	}
	if !received(hop) {
		return nil, &notRecorded{what: "response", entry: hop}
	}
	t.hop++
	hs := hop.ResponseHeaders
	if _, ok := hop.ResponseHeader("Location"); !ok && hop.RedirectURL != "" && fetch.IsRedirectStatus(hop.Status) {
		hs = append(hs[:len(hs):len(hs)], Header{"Location", hop.RedirectURL})
	}
	return respond(r, hop.Status, hs), nil
}

// passingPreflight is the answer that allows exactly what the preflight r
// asks for.
func passingPreflight(r *http.Request) []Header {
	h := []Header{
		{fetch.HeaderAllowOrigin, r.Header.Get(fetch.HeaderOrigin)},
		{fetch.HeaderAllowCredentials, "true"},
		{fetch.HeaderAllowMethods, r.Header.Get(fetch.HeaderRequestMethod)},
	}
	if v := r.Header.Get(fetch.HeaderRequestHeaders); v != "" {
		h = append(h, Header{fetch.HeaderAllowHeaders, v})
	}
	return h
}

// respond builds the response Explain reads: the recorded status and
// headers, no body. Header names keep their case in the list but are
// canonicalised as keys, as net/http does for a live response.
func respond(r *http.Request, status int, hs []Header) *http.Response {
	h := http.Header{}
	for _, x := range hs {
		if x.Name == "" || strings.HasPrefix(x.Name, ":") {
			continue // HTTP/2 pseudo-headers some writers record
		}
		h.Add(x.Name, x.Value)
	}
	return &http.Response{
		Status: strconv.Itoa(status) + " " + http.StatusText(status), StatusCode: status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(nil)), Request: r,
	}
}
