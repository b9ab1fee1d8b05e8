package engine

import (
	"net/url"
	"strings"

	"github.com/corskit/cors/internal/fetch"
)

// Chromium is Chromium's behaviour, as of Chromium 156 (each rule below was
// confirmed in Debian's Chromium 156.0.8078.114, by the e2e suite's
// differential test or by the experiment named in its comment).
var Chromium = Rules{
	Name:                    "Chromium",
	SafelistedRequestHeader: chromiumSafelistedRequestHeader,
	HeaderCheckOrder: func(h Headers) []string {
		return ChromiumHeaderCheckOrder(h.Fields, h.AddedAccept, h.XHR, h.Secure)
	},
	UploadPreflightNeedsBody: true,
	AllowOrigin:              chromiumAllowOrigin,
	// PreflightController::CheckPreflightAccessAndRedirect and
	// PreflightResult::Create (services/network/cors/preflight_controller.cc,
	// preflight_result.cc): a redirect fails first, then the CORS check,
	// then the status, then both lists are parsed, then the method and the
	// headers are checked.
	PreflightOrder: []PreflightStep{StepRedirect, StepAllowOrigin, StepStatus, StepMethodsSyntax, StepHeadersSyntax, StepMethod, StepHeaders},
	// CorsNonWildcardRequestHeadersSupport is off in Chromium 156:
	// Access-Control-Allow-Headers: * still covers Authorization, against
	// the Fetch standard, with a deprecation issue in DevTools (not a
	// console line).
	WildcardCoversAuthorization: true,
	PreflightCacheSeconds: func(v string, present bool) int {
		return fetch.PreflightCacheSeconds(v, present, ChromiumMaxAge)
	},
	// Its console line reads "Redirect location '' contains a username and
	// password": the location is left out.
	RedirectCredentialsLocation: func(string) string { return "" },
	DestinationAccept:           chromiumAccept,
	Console:                     chromiumConsole,
	NetError:                    chromiumNetError,
	// CorsURLLoader::FollowRedirect (services/network/cors/cors_url_loader.cc)
	// fails a redirect to a URL with user:password whenever the request is
	// in mode "cors", before it looks at origins: a same-origin redirect
	// of a same-origin request fails too, with no console line (Chromium
	// 156: fetch() rejects, nothing is logged).
	SameOriginRedirectCredentialsFail: true,
	// A Location that does not parse fails in the network stack
	// (net::ERR_INVALID_REDIRECT) before CorsURLLoader sees the redirect
	// response; every other failure of a redirect comes after its CORS
	// check.
	SchemeBeforeCORSCheck: func(scheme string) bool { return scheme == "" },
	ModuleMIMELines: func(_, essence string) []string {
		return []string{ChromiumModuleMIMEMessage(essence)}
	},
}

// ChromiumMaxAge is the longest Chromium keeps a preflight result:
// kMaxTimeout in services/network/cors/preflight_result.cc, 2 hours since
// Chrome 76 (10 minutes before).
const ChromiumMaxAge = 7200

// chromiumAllowOrigin is Chromium's CORS check (CheckAccessInternal in
// services/network/public/cpp/cors/cors.cc): repeated lines are combined
// with ", " first, which is why two Access-Control-Allow-Origin lines read
// as multiple values; a value other than the origin is "multiple values" if
// it contains a space or comma, a mismatch if it is "null", an invalid value
// if it is not a URL, and a mismatch otherwise; with credentials,
// Access-Control-Allow-Credentials must then be exactly "true".
func chromiumAllowOrigin(acao, acac []string, origin string, creds bool) (Check, string) {
	v, ok := combined(acao)
	if !ok {
		return MissingAllowOrigin, ""
	}
	if v == fetch.Wildcard {
		if creds {
			return WildcardWithCredentials, ""
		}
		return Passed, ""
	}
	if v != origin {
		switch {
		case strings.ContainsAny(v, " ,"):
			return MultipleAllowOrigin, v
		case v == fetch.NullOrigin:
			return AllowOriginMismatch, v
		case !isValidURL(v):
			return InvalidAllowOrigin, v
		}
		return AllowOriginMismatch, v
	}
	if creds {
		if c, _ := combined(acac); c != "true" {
			return AllowCredentialsNotTrue, c
		}
	}
	return Passed, ""
}

// isValidURL approximates Chromium's GURL::is_valid for an ACAO value: an
// absolute URL with a scheme, and a host when the scheme is one of the URL
// Standard's special schemes with a default port (http, https, ws, wss,
// ftp). "example.com", "true" and "*.example.com" are not;
// "https://example.com/" is (and so reads as a mismatch).
func isValidURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return false
	}
	if fetch.DefaultPort(strings.ToLower(u.Scheme)) != "" {
		return u.Host != "" || strings.Trim(u.Opaque, "/") != ""
	}
	return true
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
