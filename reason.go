package cors

import (
	"log/slog"
	"net/http"

	"github.com/corskit/cors/internal/fetch"
)

// Reason says why the policy rejected a CORS request. It is passed to
// Config.OnReject.
type Reason string

// The reasons a CORS request is rejected.
const (
	// OriginNotAllowed: the Origin matches no pattern and AllowOriginFunc
	// (if any) said no. For an actual request the handler still ran, without
	// CORS headers; a preflight got a 403.
	OriginNotAllowed Reason = "origin-not-allowed"
	// MethodNotAllowed: the preflight's Access-Control-Request-Method is not
	// allowed (methods are compared byte for byte: "patch" is not "PATCH").
	MethodNotAllowed Reason = "method-not-allowed"
	// HeaderNotAllowed: a name in Access-Control-Request-Headers is not
	// allowed.
	HeaderNotAllowed Reason = "header-not-allowed"
	// HeadersMalformed: Access-Control-Request-Headers is not a list of
	// header names within the parser's limits (see the package
	// documentation); browsers never send such a header.
	HeadersMalformed Reason = "headers-malformed"
	// PrivateNetworkNotAllowed: a legacy Private Network Access preflight,
	// and AllowPrivateNetwork is off.
	PrivateNetworkNotAllowed Reason = "private-network-not-allowed"
)

// maxLogValue bounds each request-controlled value that LogRejections logs,
// so a hostile header cannot flood the log.
const maxLogValue = 256

// LogRejections returns an OnReject function that logs each rejection to l
// at level Info, with the reason, the origin, the method, the path and, for
// preflights, the requested method and headers (each cut to 256 bytes). A nil
// l means slog.Default().
//
//	cfg.OnReject = cors.LogRejections(logger)
func LogRejections(l *slog.Logger) func(*http.Request, Reason) {
	return func(r *http.Request, reason Reason) {
		logger := l
		if logger == nil {
			logger = slog.Default()
		}
		attrs := []slog.Attr{
			slog.String("reason", string(reason)),
			slog.String("origin", first(r.Header[fetch.HeaderOrigin])),
			slog.String("method", cut(r.Method)),
			slog.String("path", cut(r.URL.Path)),
		}
		if v, ok := r.Header[fetch.HeaderRequestMethod]; ok {
			attrs = append(attrs, slog.String("requestMethod", first(v)))
		}
		if v, ok := r.Header[fetch.HeaderRequestHeaders]; ok {
			attrs = append(attrs, slog.String("requestHeaders", first(v)))
		}
		logger.LogAttrs(r.Context(), slog.LevelInfo, "cors: request rejected", attrs...)
	}
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return cut(v[0])
}

func cut(s string) string {
	if len(s) > maxLogValue {
		return s[:maxLogValue] + "…"
	}
	return s
}
