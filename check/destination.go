package check

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/corskit/cors/internal/fetch"
)

// Destination is what a page loads a URL as when no script makes the request
// itself: a font, a script, an image or a stylesheet (Fetch's request
// destination, sent as Sec-Fetch-Dest). The zero value is a fetch() or
// XMLHttpRequest call (Request.Initiator).
//
// Which of these needs CORS is decided by the request's mode, which the page's
// markup sets (see Request.CrossOrigin and Request.Module):
//
//	font    @font-face                      always CORS, no credentials
//	script  <script type=module>, import()  always CORS, credentials only with use-credentials (Module)
//	script  <script src>                    no-cors; CORS with a crossorigin attribute
//	image   <img>                           no-cors; CORS with a crossorigin attribute
//	style   <link rel=stylesheet>           no-cors; CORS with a crossorigin attribute
//
// A no-cors load needs no CORS header: the element shows or runs the
// response, but the page cannot read it (Result.Opaque).
type Destination string

// The destinations Explain models.
const (
	DestinationFetch  Destination = ""       // fetch() or XMLHttpRequest (Request.Initiator)
	DestinationFont   Destination = "font"   // a font named by @font-face
	DestinationScript Destination = "script" // <script src>, or a module (Request.Module)
	DestinationImage  Destination = "image"  // <img>, and what a canvas or WebGL draws from it
	DestinationStyle  Destination = "style"  // <link rel=stylesheet>
)

// Mode is a request's mode (Fetch's request mode): whether the CORS
// protocol applies to it.
type Mode string

// CredentialsMode is a request's credentials mode (Fetch's request
// credentials mode): whether cookies and HTTP authentication go with it.
type CredentialsMode string

// The credentials modes.
const (
	// CredentialsSameOrigin: only to the page's own origin (fetch()'s
	// default, XMLHttpRequest without withCredentials).
	CredentialsSameOrigin CredentialsMode = "same-origin"
	// CredentialsInclude: everywhere (Request.Credentials).
	CredentialsInclude CredentialsMode = "include"
)

// The modes Explain models.
const (
	// ModeCORS: the request carries Origin and its response must pass the
	// CORS check, or the call fails. The default of fetch(), and always
	// XMLHttpRequest's.
	ModeCORS Mode = "cors"
	// ModeNoCORS: fetch(url, {mode: "no-cors"}), and an element without
	// crossorigin. No CORS check: the call succeeds with an opaque
	// response (status 0, no headers, no body) whatever the server
	// answers; only GET, HEAD and POST and the no-CORS-safelisted headers
	// may be used.
	ModeNoCORS Mode = "no-cors"
	// ModeSameOrigin: fetch(url, {mode: "same-origin"}). A request to
	// another origin, or redirected to one, fails.
	ModeSameOrigin Mode = "same-origin"
)

// CrossOrigin is the state of the crossorigin attribute of the element that
// loads the URL (HTML's CORS settings attribute).
type CrossOrigin string

// The crossorigin attribute's states.
const (
	// CrossOriginNone: no attribute. An <img>, a classic <script> or a
	// stylesheet is then a no-cors request.
	CrossOriginNone CrossOrigin = ""
	// CrossOriginAnonymous: crossorigin or crossorigin="anonymous". A CORS
	// request that carries no cookies to another origin;
	// Access-Control-Allow-Origin: * is enough.
	CrossOriginAnonymous CrossOrigin = "anonymous"
	// CrossOriginUseCredentials: crossorigin="use-credentials". A CORS
	// request with cookies; the response must name the origin and send
	// Access-Control-Allow-Credentials: true.
	CrossOriginUseCredentials CrossOrigin = "use-credentials"
)

// corsSettings maps CrossOrigin to the standard's states.
var corsSettings = map[CrossOrigin]fetch.CORSSetting{
	CrossOriginNone:           fetch.NoCORS,
	CrossOriginAnonymous:      fetch.Anonymous,
	CrossOriginUseCredentials: fetch.UseCredentials,
}

// element names, for messages, what loads a request to dest.
func element(dest Destination, module bool) string {
	switch dest {
	case DestinationFont:
		return "a font from @font-face"
	case DestinationScript:
		if module {
			return "an ES module (<script type=module>, import())"
		}
		return "a <script>"
	case DestinationImage:
		return "an <img>"
	case DestinationStyle:
		return "a stylesheet (<link rel=stylesheet>)"
	}
	return "a fetch() or XMLHttpRequest call"
}

// prepareDestination sets p's destination, mode and credentials mode from
// req.Destination, req.CrossOrigin and req.Module, and refuses what an element
// cannot do. For an element whose credentials mode is "include" it sets
// p.req.Credentials, which the rest of Explain reads as "the request carries
// credentials" (cookie jar, Cookie, the credentials rule of the CORS check).
func prepareDestination(p *prepared) error {
	req := p.req
	if req.Destination == DestinationFetch {
		switch {
		case req.CrossOrigin != CrossOriginNone:
			return &InputError{"crossorigin", "only an element has a crossorigin attribute: give the destination (font, script, image or style) too, or leave it out for a fetch() or XMLHttpRequest call"}
		case req.Module:
			return &InputError{"module", "a module is a script: give the destination script too"}
		}
		p.mode, p.credentials = fetch.ModeCORS, fetch.CredentialsSameOrigin
		switch req.Mode {
		case "", ModeCORS:
		case ModeNoCORS, ModeSameOrigin:
			if req.Initiator == XHR {
				return &InputError{"mode", "XMLHttpRequest has no mode: it is always a CORS request; drop the mode, or explain a fetch() call"}
			}
			p.mode = fetch.Mode(req.Mode)
		default:
			return &InputError{"mode", fmt.Sprintf("%q is not a fetch() mode: write cors, no-cors or same-origin", req.Mode)}
		}
		if req.Credentials {
			p.credentials = fetch.CredentialsInclude
		}
		return nil
	}
	if req.Mode != "" {
		return &InputError{"mode", "an element's mode comes from its crossorigin attribute: drop the mode, and give CrossOrigin (--crossorigin) instead"}
	}
	switch req.Destination {
	case DestinationFont, DestinationScript, DestinationImage, DestinationStyle:
	default:
		return &InputError{"destination", fmt.Sprintf("%q is not a destination corscheck models: write font, script, image or style, or nothing for a fetch() or XMLHttpRequest call", req.Destination)}
	}
	what := element(req.Destination, req.Module)
	setting, ok := corsSettings[req.CrossOrigin]
	switch {
	case !ok:
		return &InputError{"crossorigin", fmt.Sprintf("%q is not a crossorigin value corscheck models: write anonymous or use-credentials, or nothing for no attribute", req.CrossOrigin)}
	case req.Module && req.Destination != DestinationScript:
		return &InputError{"module", "only a script can be a module: give the destination script"}
	case req.Initiator != "" && req.Initiator != Fetch, req.ForcePreflight:
		return &InputError{"initiator", what + " is loaded by the browser itself, not by XMLHttpRequest: drop the XMLHttpRequest settings"}
	case req.Method != "" && fetch.NormalizeMethod(req.Method) != http.MethodGet:
		return &InputError{"method", what + " is always loaded with GET"}
	case len(req.Header) > 0:
		return &InputError{"header", what + " carries only the headers the browser chooses, a page cannot add any: drop them, or explain a fetch() call"}
	case req.Body != "":
		return &InputError{"body", what + " is loaded with GET, without a body"}
	case req.Credentials && req.Destination == DestinationFont:
		return &InputError{"credentials", "a font (@font-face) is always fetched without credentials: drop credentials"}
	case req.Credentials:
		return &InputError{"credentials", "the element's crossorigin attribute decides whether " + what + " carries credentials: set it to use-credentials (--crossorigin use-credentials) instead"}
	case req.Destination == DestinationFont && setting == fetch.UseCredentials:
		return &InputError{"crossorigin", "@font-face has no crossorigin attribute: fonts are always fetched in CORS mode without credentials (credentials mode same-origin); drop use-credentials"}
	case req.Import && !req.Module:
		return &InputError{"import", "import() loads a module: give Module (--module) too"}
	}
	p.dest = fetch.Destination(req.Destination)
	switch {
	case req.Destination == DestinationFont && p.rules.FontNoCORS,
		req.Import && p.rules.ImportNoCORS && setting == fetch.NoCORS:
		// engine.Rules.FontNoCORS, ImportNoCORS: Safari.
		p.mode, p.credentials = fetch.ModeNoCORS, fetch.CredentialsInclude
	case req.Destination == DestinationFont:
		p.mode, p.credentials = fetch.FontRequest()
	case req.Module:
		p.mode, p.credentials = fetch.ModuleScriptRequest(setting)
	default:
		p.mode, p.credentials = fetch.PotentialCORSRequest(setting)
	}
	p.req.Credentials = p.credentials == fetch.CredentialsInclude
	return nil
}

// explainAllowed fills in what res says about a request whose CORS check
// passed, ex being the final response: what the page may do with it, and
// what may still keep an element from using it.
func (p *prepared) explainAllowed(res *Result, ex *Exchange) {
	res.Explanation = "The browser lets the page read the response."
	if p.dest == fetch.DestinationEmpty {
		return
	}
	switch {
	case p.dest == fetch.DestinationFont:
		res.Explanation = "The font loads: @font-face fetches fonts in CORS mode, and this response passes the CORS check."
	case p.req.Module:
		res.Explanation = "The module loads: ES modules are fetched in CORS mode, and this response passes the CORS check."
	case p.dest == fetch.DestinationScript:
		res.Explanation = "The script loads and runs; with crossorigin and a passing CORS check, its errors reach window.onerror in full (message, line, stack), not as \"Script error.\"."
	case p.dest == fetch.DestinationImage:
		res.Explanation = "The image loads and is readable: a canvas that draws it stays clean (getImageData, toDataURL and toBlob work) and WebGL accepts it as a texture."
	case p.dest == fetch.DestinationStyle:
		res.Explanation = "The stylesheet loads and applies, and the page may read its rules (sheet.cssRules)."
	}
	res.Warnings = append(res.Warnings, p.elementWarnings(ex)...)
}

// elementWarnings are the reasons, other than CORS, for which the element
// loading p may still fail with the response ex.
func (p *prepared) elementWarnings(ex *Exchange) []string {
	var out []string
	if !fetch.IsOKStatus(ex.Status) {
		out = append(out, fmt.Sprintf("the response's status is %d: %s fires an error event for it (a failed load, not a CORS failure)", ex.Status, element(p.req.Destination, p.req.Module)))
	}
	if p.req.Module {
		essence := fetch.ResponseMIMEEssence(ex.Header.Get("Content-Type"))
		// application/wasm is left alone: whether Chromium runs a Wasm
		// module depends on features corscheck does not model.
		if !fetch.IsJavaScriptMIMEType(essence) && essence != "application/wasm" && p.rules.ModuleMIMELines != nil {
			out = append(out, p.rules.Name+" will not run the module: its Content-Type is not a JavaScript MIME type (send Content-Type: text/javascript). Its console says: "+strings.Join(p.rules.ModuleMIMELines(ex.URL, essence), " / "))
		}
	}
	return out
}

// destinationAdvice prefixes the explanation of a blocked element load with
// why that element needs CORS at all.
func (p *prepared) destinationAdvice(explanation, fix string) (string, string) {
	switch {
	case p.dest == fetch.DestinationEmpty:
	case p.dest == fetch.DestinationFont:
		explanation = "A font from @font-face is always fetched in CORS mode (without cookies to another origin), so it needs Access-Control-Allow-Origin like a fetch() call does; without it the text falls back to the next font in font-family. " + explanation
	case p.req.Module:
		explanation = "An ES module (<script type=module>, import()) is always fetched in CORS mode, so it needs Access-Control-Allow-Origin like a fetch() call does; without it the module, and every module that imports it, does not run. " + explanation
	default:
		explanation = "The crossorigin attribute makes " + element(p.req.Destination, false) + " a CORS request: without a passing CORS answer it does not load at all (its error event fires). " + explanation
		fix += " Or, if the page does not need to read it (canvas pixels, WebGL, error details, cssRules), drop the crossorigin attribute: the load is then no-cors and needs no CORS header."
	}
	return explanation, fix
}

// noCORSAdvice says what a no-cors load of p means for the page, and what to
// do when the page needs to read it.
func noCORSAdvice(p *prepared) (explanation, fix string) {
	switch {
	case p.dest == fetch.DestinationEmpty:
		explanation = "fetch() in mode no-cors sends no CORS request and runs no CORS check: the promise resolves with an opaque response (type \"opaque\", status 0, no headers, no body) whatever the server answers, so the page can neither read it nor tell success from failure."
		fix = "If the page must read the response, drop mode: \"no-cors\" and have the server answer with Access-Control-Allow-Origin: " + p.pageOrigin + " (or *)."
		return explanation, fix
	case p.dest == fetch.DestinationFont:
		explanation = p.rules.Name + " fetches a font from @font-face in mode no-cors, with cookies, and uses it whatever the CORS headers say (the CSS Fonts standard, Chromium and Firefox fetch fonts in CORS mode: the same font is blocked there without Access-Control-Allow-Origin)."
		fix = "Nothing to fix for " + p.rules.Name + ". For the other browsers, send Access-Control-Allow-Origin: " + p.pageOrigin + " (or *) with the font."
		return explanation, fix
	case p.req.Module:
		explanation = p.rules.Name + " fetches a module that import() loads from a classic script or the page in mode no-cors, with cookies, and runs it whatever the CORS headers say (HTML, Chromium and Firefox fetch every module in CORS mode: the same import() fails there without Access-Control-Allow-Origin)."
		fix = "Nothing to fix for " + p.rules.Name + ". For the other browsers, send Access-Control-Allow-Origin: " + p.pageOrigin + " (or *) with the module."
		return explanation, fix
	}
	what := element(p.req.Destination, false)
	explanation = "Without a crossorigin attribute, " + what + " is a no-cors request: the browser sends no Origin, runs no CORS check, and uses the response whatever its CORS headers say. The page cannot read it (an opaque response): "
	switch p.dest {
	case fetch.DestinationImage:
		explanation += "the image shows, but a canvas that draws it is tainted (getImageData, toDataURL and toBlob throw a SecurityError) and WebGL refuses it as a texture (texImage2D throws a SecurityError)."
	case fetch.DestinationScript:
		explanation += "the script runs, but its errors reach window.onerror only as \"Script error.\", without message, line or stack."
		if p.rules.ScriptErrorsInFull {
			explanation = "Without a crossorigin attribute, " + what + " is a no-cors request: the browser sends no Origin, runs no CORS check, and runs the response whatever its CORS headers say. " + p.rules.Name + " passes its errors to window.onerror in full (message, line, stack), where Chromium and Safari reduce them to \"Script error.\"."
		}
	case fetch.DestinationStyle:
		explanation += "the stylesheet applies, but reading its rules (sheet.cssRules) throws a SecurityError."
	}
	fix = "Nothing to fix for showing or running it. If the page must read it, add crossorigin=\"anonymous\" to the element and have the server answer with Access-Control-Allow-Origin: " + p.pageOrigin + " (or *); check that with the crossorigin setting anonymous (--crossorigin anonymous)."
	return explanation, fix
}

// secFetchMode is the Sec-Fetch-Mode the request carries: its mode.
func (p *prepared) secFetchMode() fetch.Mode { return p.mode }

// Request headers the browser sets itself on every request (Fetch Metadata).
const (
	headerSecFetchMode = "Sec-Fetch-Mode"
	headerSecFetchDest = "Sec-Fetch-Dest"
)
