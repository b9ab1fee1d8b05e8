package engine

import (
	"strings"

	"github.com/corskit/cors/internal/fetch"
)

// Rules are one engine's departures from the Fetch standard that corskit
// models. The zero value is the standard itself.
type Rules struct {
	// Name is the engine's name as users know it ("Chromium").
	Name string

	// SafelistedRequestHeader reports whether the pair (name, value) is
	// CORS-safelisted in this engine: sent without a preflight and counted
	// toward the 1024-byte total. nil means the standard's list
	// (fetch.IsSafelistedRequestHeader).
	SafelistedRequestHeader func(name, value string) bool

	// UploadPreflightNeedsBody reports that an XMLHttpRequest's upload
	// listeners force a preflight only when the request has a body (XHR
	// §4.5.6, send() step 11.3: the "upload listener flag" is set only when
	// the body is non-null). A GET, a HEAD, or a POST sent without a body
	// is not preflighted for its listeners.
	UploadPreflightNeedsBody bool

	// RedirectCredentialsLocation returns the location that the console
	// line of RedirectContainsCredentials shows for a redirect to loc.
	// nil means loc itself.
	RedirectCredentialsLocation func(loc string) string

	// DestinationAccept returns the Accept value the engine sends for a
	// request to dest that no script gave an Accept (an <img>, a
	// stylesheet, a font, a script; fetch() without one). nil means the
	// standard's suggestion (fetch.StandardAccept).
	DestinationAccept func(dest fetch.Destination) string
}

// Accept applies r.DestinationAccept, or the standard's value when r has
// none.
func (r Rules) Accept(dest fetch.Destination) string {
	if r.DestinationAccept == nil {
		return fetch.StandardAccept(dest)
	}
	return r.DestinationAccept(dest)
}

// IsSafelistedRequestHeader applies r.SafelistedRequestHeader, or the
// standard's list when r has none.
func (r Rules) IsSafelistedRequestHeader(name, value string) bool {
	if r.SafelistedRequestHeader == nil {
		return fetch.IsSafelistedRequestHeader(name, value)
	}
	return r.SafelistedRequestHeader(name, value)
}

// Chromium is Chromium's behaviour, as of Chromium 156 (each rule below was
// confirmed in Debian's Chromium 156.0.8078.114, by the e2e suite's
// differential test or by the experiment named in its comment).
var Chromium = Rules{
	Name:                        "Chromium",
	SafelistedRequestHeader:     chromiumSafelistedRequestHeader,
	UploadPreflightNeedsBody:    true,
	RedirectCredentialsLocation: func(string) string { return "" },
	DestinationAccept:           chromiumAccept,
}

// chromiumSafelistedRequestHeader is network::cors::IsCorsSafelistedHeader
// (services/network/public/cpp/cors/cors.cc): the standard's five names,
// plus names Chromium adds itself and which a script may set as well:
//
//   - Intervention, any value (Chrome adds it when it applies an
//     intervention);
//   - the legacy client hints DPR, Device-Memory and Downlink, whose value
//     must be 1*DIGIT ["." 1*DIGIT] (IsSimilarToDoubleABNF: "2.0" and "2"
//     pass, "2.", ".5" and "high" are preflighted);
//   - Width, Viewport-Width and RTT, whose value must be 1*DIGIT
//     (IsSimilarToIntABNF);
//   - ECT, one of "slow-2g", "2g", "3g", "4g", compared case-sensitively
//     (kWebEffectiveConnectionTypeMapping in client_hints.h);
//   - Save-Data, "on" in any case.
//
// Every one of them is limited to 128 bytes, like the standard's, and counts
// toward the 1024-byte total (CorsUnsafeNotForbiddenRequestHeaderNames,
// services/network/cors/cors_util.cc). The Sec-CH-* names on the same list
// are forbidden request-headers, which scripts cannot set, so they are not
// repeated here. Confirmed one by one in Chromium 156 (each value above,
// a 1024-byte total made of them, and Lang, which Chromium dropped from the
// list in M96, preflighting).
func chromiumSafelistedRequestHeader(name, value string) bool {
	if fetch.IsSafelistedRequestHeader(name, value) {
		return true
	}
	if len(value) > fetch.SafelistedValueLimit {
		return false
	}
	switch strings.ToLower(name) {
	case "intervention":
		return true
	case "dpr", "device-memory", "downlink":
		return isDecimal(value)
	case "width", "viewport-width", "rtt":
		return fetch.IsDigits(value)
	case "ect":
		switch value {
		case "slow-2g", "2g", "3g", "4g":
			return true
		}
		return false
	case "save-data":
		return strings.EqualFold(value, "on")
	}
	return false
}

// ChromiumExtraSafelistedNames are the request-header names that
// chromiumSafelistedRequestHeader adds to the standard's, for generators and
// documentation.
var ChromiumExtraSafelistedNames = []string{"Intervention", "DPR", "Device-Memory", "Downlink", "Width", "Viewport-Width", "RTT", "ECT", "Save-Data"}

// isDecimal reports whether s is 1*DIGIT [ "." 1*DIGIT ].
func isDecimal(s string) bool {
	whole, frac, dot := strings.Cut(s, ".")
	return fetch.IsDigits(whole) && (!dot || fetch.IsDigits(frac))
}

// chromiumAccept is the Accept Chromium sends per destination: Blink's
// network_utils::GetAcceptHeaderForDestination
// (third_party/blink/common/loader/network_utils.cc), whose image value is
// ImageAcceptHeader() with JPEG XL first when the kJXL feature is on, as it
// is in Chromium 156; everything else, fetch() and fonts and scripts
// included, gets "*/*". The same for an image or a stylesheet with and
// without crossorigin. Seen on the wire from Chromium 156 for every
// destination (the e2e suite's TestDestinations compares these requests with
// the checker's, header by header).
func chromiumAccept(dest fetch.Destination) string {
	switch dest {
	case fetch.DestinationImage:
		return "image/jxl,image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
	case fetch.DestinationStyle:
		return "text/css,*/*;q=0.1"
	}
	return fetch.DefaultAccept
}

// ChromiumResourceKind returns the "<kind>" of Chromium's console line
// "Access to <kind> at '…' from origin '…' has been blocked by CORS policy:
// …" for a resource an element loads: Blink's Resource::ResourceTypeToString
// (third_party/blink/renderer/platform/loader/fetch/resource.cc), which
// cors::GetErrorString (cors_error_string.cc) lower-cases when its second
// letter is lower case. So "image", "script" (classic scripts, module
// scripts and import() alike), "font", but "CSS stylesheet". It returns ""
// for the empty destination, whose kind is the API that made the request
// ("fetch", "XMLHttpRequest"). No reason text of these kinds gets the
// sentences Chromium adds for fetch() or XMLHttpRequest. Each was printed by
// Chromium 156 (e2e TestDestinations).
func ChromiumResourceKind(dest fetch.Destination) string {
	switch dest {
	case fetch.DestinationImage, fetch.DestinationScript, fetch.DestinationFont:
		return string(dest)
	case fetch.DestinationStyle:
		return "CSS stylesheet"
	}
	return ""
}

// ChromiumModuleMIMEMessage is the console line Chromium prints when a module
// script's response is not of a JavaScript MIME type
// (fetch.IsJavaScriptMIMEType): it refuses to run it, whatever the CORS
// headers say. essence is the response's MIME type essence ("" when there
// is none). Blink's ModuleScriptFetcher::WasModuleLoadSuccessful
// (third_party/blink/renderer/core/loader/modulescript/module_script_fetcher.cc);
// printed by Chromium 156 for a module served as text/plain (e2e
// TestDestinations).
func ChromiumModuleMIMEMessage(essence string) string {
	return "Failed to load module script: Expected a JavaScript-or-Wasm module script but the server responded with a MIME type of \"" +
		essence + "\". Strict MIME type checking is enforced for module scripts per HTML spec."
}
