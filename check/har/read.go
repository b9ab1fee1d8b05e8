package har

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Archive is what Read keeps of a HAR file: who wrote it, its pages, and of
// each entry what bears on CORS — the request line and headers, the
// response status and headers, and the writer's own record of a failure.
// Bodies are not kept (a request body only up to maxPostData bytes).
type Archive struct {
	Version string   `json:"version"`
	Creator Software `json:"creator"`
	// Browser is log.browser, which Firefox and Playwright write and
	// Chrome's DevTools does not.
	Browser Software `json:"browser"`
	Pages   []Page   `json:"pages,omitempty"`
	Entries []Entry  `json:"-"`
}

// Software is a HAR creator or browser: a name and a version.
type Software struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Page is one of log.pages. Chrome's DevTools and Firefox write the page's
// URL as its title, Playwright the document's title.
type Page struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Header is one name/value pair of a HAR header list, as written.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Entry is one of log.entries: one request and its response.
type Entry struct {
	// Index is the entry's position in log.entries, from 0; Offset the
	// byte offset of its first byte in the file.
	Index  int   `json:"index"`
	Offset int64 `json:"offset"`

	PageRef string `json:"pageref,omitempty"`
	Started string `json:"startedDateTime,omitempty"`

	Method         string   `json:"method"`
	URL            string   `json:"url"`
	RequestHeaders []Header `json:"requestHeaders"`
	// RequestCookies counts request.cookies.
	RequestCookies int `json:"requestCookies,omitempty"`
	// PostData is request.postData.text, cut to maxPostData bytes;
	// HasPostData tells an empty body from none.
	PostData    string `json:"postData,omitempty"`
	HasPostData bool   `json:"hasPostData,omitempty"`

	// Status is response.status: 0 (Chrome's DevTools, Firefox) or -1
	// (Playwright) when no response arrived.
	Status          int      `json:"status"`
	StatusText      string   `json:"statusText,omitempty"`
	ResponseHeaders []Header `json:"responseHeaders"`
	RedirectURL     string   `json:"redirectURL,omitempty"`

	// Failure is the writer's text for a request that failed:
	// response._error (Chrome's DevTools) or response._failureText
	// (Playwright), e.g. "net::ERR_FAILED".
	Failure string `json:"failure,omitempty"`
	// ResourceType is _resourceType (Chrome's DevTools, Playwright):
	// "fetch", "xhr", "preflight", "image", "document", …
	ResourceType string `json:"resourceType,omitempty"`
	// Initiator is _initiator (Chrome's DevTools): its type ("script",
	// "parser", "preflight", …) and URL.
	InitiatorType string `json:"initiatorType,omitempty"`
	InitiatorURL  string `json:"initiatorURL,omitempty"`
	// FromCache is _fromCache (Chrome's DevTools): "memory" or "disk".
	FromCache string `json:"fromCache,omitempty"`
	// ServerIPAddress is serverIPAddress (HAR 1.2), as written: the
	// address the browser connected to for this entry, which Local Network
	// Access goes by. Playwright writes it for every entry that got a
	// response ("127.0.0.1"); Firefox 153's export, as recorded here,
	// writes none; some writers bracket IPv6 ("[::1]"). Empty when the
	// entry has none.
	ServerIPAddress string `json:"serverIPAddress,omitempty"`
}

// maxPostData is how much of a request body an Entry keeps: enough to
// repeat a small body in the corscheck explain command that settles a
// question live; its presence is what matters to CORS.
const maxPostData = 4 << 10

// RequestHeader returns the value of the first request header called name
// (any case), and whether there is one.
func (e *Entry) RequestHeader(name string) (string, bool) { return header(e.RequestHeaders, name) }

// ResponseHeader is RequestHeader for the response.
func (e *Entry) ResponseHeader(name string) (string, bool) { return header(e.ResponseHeaders, name) }

func header(hs []Header, name string) (string, bool) {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}

// A FormatError says why a file is not a HAR that Read can use, and where:
// the byte offset (and, from ReadFile, the line and column) of the
// offending value, and its path in the JSON ("log.entries[3].request.url").
type FormatError struct {
	Offset int64
	Line   int // 0 when unknown
	Column int
	Path   string
	Msg    string
}

func (e *FormatError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d, column %d (byte %d)", e.Line, e.Column, e.Offset)
	} else {
		fmt.Fprintf(&b, "byte %d", e.Offset)
	}
	if e.Path != "" {
		b.WriteString(", " + e.Path)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// ReadFile reads the HAR file name (see Read). A *FormatError from it also
// carries the line and column.
func ReadFile(name string) (*Archive, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := Read(f)
	var fe *FormatError
	if errors.As(err, &fe) {
		// An offset may fall on the white space before the value it is
		// about (Read knows where a value may start, not where it does).
		if _, serr := f.Seek(fe.Offset, io.SeekStart); serr == nil {
			br := bufio.NewReader(f)
			for {
				b, rerr := br.ReadByte()
				if rerr != nil || (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
					break
				}
				fe.Offset++
			}
		}
		if _, serr := f.Seek(0, io.SeekStart); serr == nil {
			fe.Line, fe.Column = position(f, fe.Offset)
		}
	}
	return a, err
}

// position returns the line and column (from 1, in bytes) of offset in r.
func position(r io.Reader, offset int64) (line, col int) {
	br := bufio.NewReader(io.LimitReader(r, offset))
	line, col = 1, 1
	for {
		b, err := br.ReadByte()
		if err != nil {
			return line, col
		}
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
}

// Read reads a HAR 1.1 or 1.2 file (http://www.softwareishard.com/blog/har-12-spec/)
// as it streams: it never holds more than one entry, and of that entry's
// strings at most 64 KiB each, so a file of any size with bodies of any
// size is read in memory that grows only with the number of entries and
// their headers. Anything that is not such a file is a *FormatError that
// says what is wrong and where.
func Read(r io.Reader) (*Archive, error) {
	s := newSkim(r)
	d := &decoder{dec: json.NewDecoder(s), skim: s}
	a, err := d.archive()
	if err != nil {
		return nil, err
	}
	return a, nil
}

type decoder struct {
	dec  *json.Decoder
	skim *skim
}

// decode reads one value with Decode; base is the offset where the value
// (or the white space before it) starts.
func (d *decoder) decode(path string, base int64, v any) error {
	if err := d.dec.Decode(v); err != nil {
		return d.syntaxAt(path, base, err)
	}
	return nil
}

// fail returns a FormatError at the decoder's position.
func (d *decoder) fail(path, format string, args ...any) error {
	return &FormatError{Offset: d.skim.original(d.dec.InputOffset()), Path: path, Msg: fmt.Sprintf(format, args...)}
}

// syntax turns an error of encoding/json into a FormatError. Decode's
// errors count their offset from base, the start of the value; Token's
// from the start of the input (base 0).
func (d *decoder) syntax(path string, err error) error { return d.syntaxAt(path, 0, err) }

func (d *decoder) syntaxAt(path string, base int64, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// A syntax error's own offset counts only some of the bytes
		// before it (encoding/json's Decoder leaves out those its Token
		// method consumed), so it is located by the decoder's position:
		// the value being decoded, or the token being read.
		if base > 0 {
			return &FormatError{Offset: d.skim.original(base), Path: path, Msg: "not JSON, in the value that starts here: " + se.Error()}
		}
		return &FormatError{Offset: d.skim.original(d.dec.InputOffset()), Path: path, Msg: "not JSON: " + se.Error()}
	case errors.As(err, &te):
		p := path
		if te.Field != "" {
			p += "." + te.Field
		}
		return &FormatError{Offset: d.skim.original(base + te.Offset), Path: p, Msg: fmt.Sprintf("a JSON %s where a HAR has a %s", te.Value, jsonKind(te.Type.Kind().String()))}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &FormatError{Offset: d.skim.original(d.skim.out), Path: path, Msg: "the file ends in the middle of the JSON (cut short?)"}
	}
	var fe *FormatError
	if errors.As(err, &fe) {
		return fe
	}
	return &FormatError{Offset: d.skim.original(d.dec.InputOffset()), Path: path, Msg: err.Error()}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "struct", "map":
		return "object"
	case "slice":
		return "array"
	case "int", "float64":
		return "number"
	}
	return goKind
}

// delim reads the next token and checks that it is want.
func (d *decoder) delim(path string, want json.Delim, what string) error {
	t, err := d.dec.Token()
	if err != nil {
		return d.syntax(path, err)
	}
	if got, ok := t.(json.Delim); !ok || got != want {
		off := d.dec.InputOffset()
		if ok {
			off-- // point at the delimiter, not past it
		}
		return &FormatError{Offset: d.skim.original(off), Path: path, Msg: fmt.Sprintf("%s, found %s", what, describeToken(t))}
	}
	return nil
}

func describeToken(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		if v == '[' {
			return "an array"
		}
		return string(v)
	case string:
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		return strconv.Quote(v)
	case nil:
		return "null"
	case bool:
		return "a boolean"
	}
	return "a number"
}

// key reads an object key, or reports the end of the object.
func (d *decoder) key(path string) (string, bool, error) {
	t, err := d.dec.Token()
	if err != nil {
		return "", false, d.syntax(path, err)
	}
	if t == json.Delim('}') {
		return "", false, nil
	}
	k, ok := t.(string)
	if !ok {
		return "", false, d.fail(path, "an object key, found %s", describeToken(t))
	}
	return k, true, nil
}

// skip reads past one value without keeping it.
func (d *decoder) skip(path string) error {
	depth := 0
	for {
		t, err := d.dec.Token()
		if err != nil {
			return d.syntax(path, err)
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func (d *decoder) archive() (*Archive, error) {
	if err := d.delim("", '{', "a HAR file is a JSON object"); err != nil {
		var fe *FormatError
		if errors.As(err, &fe) && fe.Offset == 0 && strings.HasPrefix(fe.Msg, "not JSON") {
			fe.Msg = "not a HAR file: it does not start with a JSON object (" + fe.Msg + ")"
		}
		return nil, err
	}
	var a *Archive
	for {
		k, ok, err := d.key("")
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if k != "log" {
			if err := d.skip(k); err != nil {
				return nil, err
			}
			continue
		}
		if a, err = d.log(); err != nil {
			return nil, err
		}
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, d.fail("", "more JSON after the HAR's object")
	}
	if a == nil {
		return nil, d.fail("", `not a HAR file: no "log" object`)
	}
	return a, nil
}

func (d *decoder) log() (*Archive, error) {
	if err := d.delim("log", '{', `"log" must be an object`); err != nil {
		return nil, err
	}
	start := d.skim.original(d.dec.InputOffset() - 1)
	a := &Archive{}
	seen := map[string]bool{}
	for {
		k, ok, err := d.key("log")
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		seen[k] = true
		path := "log." + k
		switch k {
		case "version":
			if err := d.value(path, &a.Version); err != nil {
				return nil, err
			}
			if a.Version != "1.2" && a.Version != "1.1" {
				return nil, d.fail(path, "HAR version %q: corscheck reads versions 1.1 and 1.2", a.Version)
			}
		case "creator":
			if err := d.value(path, &a.Creator); err != nil {
				return nil, err
			}
		case "browser":
			if err := d.value(path, &a.Browser); err != nil {
				return nil, err
			}
		case "pages":
			if err := d.value(path, &a.Pages); err != nil {
				return nil, err
			}
		case "entries":
			if err := d.entries(a); err != nil {
				return nil, err
			}
		default:
			if err := d.skip(path); err != nil {
				return nil, err
			}
		}
	}
	for _, k := range []string{"version", "creator", "entries"} {
		if !seen[k] {
			return nil, &FormatError{Offset: start, Path: "log", Msg: fmt.Sprintf(`not a HAR file: "log" has no %q (HAR 1.2 requires version, creator and entries)`, k)}
		}
	}
	return a, nil
}

// value decodes one small value, the value of an object's key.
func (d *decoder) value(path string, v any) error {
	d.dec.More() // skips the white space before the colon
	return d.decode(path, d.dec.InputOffset()+1, v)
}

// rawEntry is the part of a HAR entry Read decodes; encoding/json skips the
// rest (timings, content, …) without keeping it.
type rawEntry struct {
	PageRef string `json:"pageref"`
	Started string `json:"startedDateTime"`
	Request *struct {
		Method   *string    `json:"method"`
		URL      *string    `json:"url"`
		Headers  []Header   `json:"headers"`
		Cookies  []struct{} `json:"cookies"`
		PostData *struct {
			Text string `json:"text"`
		} `json:"postData"`
	} `json:"request"`
	Response *struct {
		Status      *float64 `json:"status"`
		StatusText  string   `json:"statusText"`
		Headers     []Header `json:"headers"`
		RedirectURL string   `json:"redirectURL"`
		Error       *string  `json:"_error"`
		FailureText string   `json:"_failureText"`
	} `json:"response"`
	ResourceType string `json:"_resourceType"`
	Initiator    *struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"_initiator"`
	FromCache string `json:"_fromCache"`
	// ServerIPAddress is HAR 1.2's string; anything else is taken as
	// none, rather than refusing the file for a field only LNA needs.
	ServerIPAddress any `json:"serverIPAddress"`
}

func (d *decoder) entries(a *Archive) error {
	if err := d.delim("log.entries", '[', `"entries" must be an array`); err != nil {
		return err
	}
	for i := 0; d.dec.More(); i++ {
		path := fmt.Sprintf("log.entries[%d]", i)
		// More has skipped the white space: the offset is that of the
		// entry, or of the comma before it, which Decode then skips.
		base := d.dec.InputOffset()
		if i > 0 {
			base++
		}
		var raw rawEntry
		if err := d.decode(path, base, &raw); err != nil {
			return err
		}
		off := d.skim.original(base)
		e, msg := entry(i, &raw)
		if msg != "" {
			return &FormatError{Offset: off, Path: path, Msg: msg}
		}
		e.Offset = off
		a.Entries = append(a.Entries, e)
	}
	return d.delim("log.entries", ']', "the end of the entries")
}

// entry makes the i-th entry of raw, or says what HAR 1.2 requires that raw
// lacks.
func entry(i int, raw *rawEntry) (Entry, string) {
	switch {
	case raw.Request == nil:
		return Entry{}, `an entry without "request"`
	case raw.Request.Method == nil:
		return Entry{}, `an entry whose request has no "method"`
	case raw.Request.URL == nil:
		return Entry{}, `an entry whose request has no "url"`
	case raw.Response == nil:
		return Entry{}, `an entry without "response"`
	case raw.Response.Status == nil:
		return Entry{}, `an entry whose response has no "status"`
	}
	e := Entry{
		Index: i, PageRef: raw.PageRef, Started: raw.Started,
		Method: *raw.Request.Method, URL: *raw.Request.URL,
		RequestHeaders: raw.Request.Headers, RequestCookies: len(raw.Request.Cookies),
		Status: int(*raw.Response.Status), StatusText: raw.Response.StatusText,
		ResponseHeaders: raw.Response.Headers, RedirectURL: raw.Response.RedirectURL,
		Failure:      raw.Response.FailureText,
		ResourceType: raw.ResourceType, FromCache: raw.FromCache,
	}
	e.ServerIPAddress, _ = raw.ServerIPAddress.(string)
	if raw.Response.Error != nil && *raw.Response.Error != "" {
		e.Failure = *raw.Response.Error
	}
	if p := raw.Request.PostData; p != nil {
		e.HasPostData = true
		e.PostData = p.Text
		if len(e.PostData) > maxPostData {
			e.PostData = string(bytes.ToValidUTF8([]byte(e.PostData[:maxPostData]), nil))
		}
	}
	if in := raw.Initiator; in != nil {
		e.InitiatorType, e.InitiatorURL = in.Type, in.URL
	}
	return e, ""
}
