package demo

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corskit/cors"
	"github.com/corskit/cors/check"
	"github.com/corskit/cors/internal/fetch"
)

// The API's routes. Each is registered without a method in the pattern
// (see methods), so that preflights reach the route's CORS middleware.
const (
	PathWithoutCORS    = "/without-cors"
	PathWithCORS       = "/with-cors"
	PathProducts       = "/products/{id}"
	PathAllowList      = "/allow-list"
	PathPartners       = "/partners"
	PathItems          = "/items/{id}"
	PathSession        = "/session"
	PathExposedHeaders = "/exposed-headers"
)

// The origins, other than the client's, that the allow-list routes name.
// They are examples: no page in the demo runs on them.
var (
	// AllowListOthers are allowed by /allow-list besides the client origin.
	AllowListOthers = []string{"https://example.com", "https://app.example.org"}
	// PartnerOrigins are the only origins /partners allows; the client
	// origin is not among them.
	PartnerOrigins = []string{"https://partner.example.com", "https://shop.example.net"}
)

// Names the API uses on the wire.
const (
	// TokenHeader is the custom request header /items/{id} requires; it
	// alone makes a request need a preflight.
	TokenHeader = "X-Demo-Token"
	// RequestIDHeader is exposed to pages by /exposed-headers.
	RequestIDHeader = "X-Request-Id"
	// SecretHeader is sent by /exposed-headers but not exposed, so pages
	// cannot read it.
	SecretHeader = "X-Secret"
	// SessionCookie is the cookie /session sets and reads.
	SessionCookie = "corsdemo_visits"
)

// NewAPI returns the API origin's handler. clientOrigin is the origin of
// the demo page, as a browser sends it ("http://localhost:8080"); the
// routes that trust only some origins trust it. Rejections (the middleware's
// OnReject) and one line per request are logged to logger; nil means
// slog.Default(). The error is that of cors.New, for a clientOrigin the
// middleware refuses.
//
// The routes and their policies:
//
//	/without-cors     GET   no policy: the handler answers, the browser hides the answer
//	/with-cors        GET   cors.AllowAll(): Access-Control-Allow-Origin: *
//	/products/{id}    GET   clientOrigin only
//	/allow-list       GET   clientOrigin, https://example.com, https://app.example.org
//	/partners         GET   https://partner.example.com, https://shop.example.net (not the client)
//	/items/{id}       PUT DELETE  clientOrigin; methods PUT, DELETE; headers Content-Type, X-Demo-Token
//	/session          GET   clientOrigin with AllowCredentials: sets and reads a cookie
//	/exposed-headers  GET   clientOrigin; exposes X-Request-Id, not X-Secret
//	/assets/plain/…   GET   no policy: a font, a module, a classic script, a stylesheet, an image (Assets)
//	/assets/cors/…    GET   the same files through AssetPolicy: Access-Control-Allow-Origin: *
//
// Every policy except AllowAll runs in debug mode (Middleware.SetDebug), so
// that a preflight refused for its method or headers makes Chromium's
// console name the culprit instead of reporting a missing
// Access-Control-Allow-Origin header. That is what a development server
// should do; a disallowed origin still learns nothing.
func NewAPI(clientOrigin string, logger *slog.Logger) (http.Handler, error) {
	if logger == nil {
		logger = slog.Default()
	}
	onReject := cors.LogRejections(logger)
	policy := func(c cors.Config) (*cors.Middleware, error) {
		c.OnReject = onReject
		m, err := cors.New(c)
		if err != nil {
			return nil, err
		}
		m.SetDebug(true)
		return m, nil
	}
	client := []string{clientOrigin}

	products, err := policy(cors.Config{AllowedOrigins: client})
	if err != nil {
		return nil, fmt.Errorf("demo: client origin %q: %w", clientOrigin, err)
	}
	allowList, err := policy(cors.Config{AllowedOrigins: append(slices.Clone(client), AllowListOthers...)})
	if err != nil {
		return nil, err
	}
	partners, err := policy(cors.Config{AllowedOrigins: PartnerOrigins})
	if err != nil {
		return nil, err
	}
	items, err := policy(cors.Config{
		AllowedOrigins: client,
		AllowedMethods: []string{http.MethodPut, http.MethodDelete},
		AllowedHeaders: []string{"Content-Type", TokenHeader},
	})
	if err != nil {
		return nil, err
	}
	session, err := policy(cors.Config{AllowedOrigins: client, AllowCredentials: true})
	if err != nil {
		return nil, err
	}
	exposed, err := policy(cors.Config{AllowedOrigins: client, ExposedHeaders: []string{RequestIDHeader}})
	if err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	// No policy. Express answers an OPTIONS request to a route it knows by
	// itself (200, "Allow: GET,HEAD", no CORS headers), which is why the
	// article has to add app.options(path, cors()) before a preflighted
	// call can work. Here the route's own answer is the same in spirit: 204
	// with "Allow: GET, HEAD, OPTIONS" and no CORS headers, so a preflight
	// to /without-cors fails exactly as in the article.
	mux.Handle(PathWithoutCORS, methods{http.MethodGet: message("😞 no CORS, no party!")})
	// app.get('/with-cors', cors(), …)
	mux.Handle(PathWithCORS, cors.AllowAll().Handler(methods{http.MethodGet: message("WHOAH with CORS it works! 🔝 🎉")}))
	// app.get('/products/:id', cors({origin: client}), …)
	mux.Handle(PathProducts, products.Handler(methods{http.MethodGet: product(clientOrigin)}))
	// The article's whitelist. Its callback(new Error('Not allowed by
	// CORS')) turns a stranger into a 500; here a stranger gets the same
	// answer without CORS headers, and OnReject logs why.
	mux.Handle(PathAllowList, allowList.Handler(methods{http.MethodGet: message("This is CORS-enabled for an allow-listed origin.")}))
	mux.Handle(PathPartners, partners.Handler(methods{http.MethodGet: message("Partners only: CORS-enabled for " + strings.Join(PartnerOrigins, " and ") + ".")}))
	mux.Handle(PathItems, items.Handler(methods{http.MethodPut: putItem, http.MethodDelete: deleteItem}))
	mux.Handle(PathSession, session.Handler(methods{http.MethodGet: visit}))
	mux.Handle(PathExposedHeaders, exposed.Handler(methods{http.MethodGet: withHeaders}))
	registerAssets(mux)
	return accessLog(logger, mux), nil
}

// methods routes a request by its method. Patterns such as "GET /x" never
// see OPTIONS, so a preflight would not reach a middleware that wraps such
// a route; registering the path alone and dispatching here lets every
// request through the route's CORS middleware first. HEAD is served by the
// GET handler. Any other method is the application's own business: a plain
// OPTIONS (no Access-Control-Request-Method, so not a preflight: the
// middleware lets it through) gets 204 with Allow, and an unknown method
// 405 with Allow.
type methods map[string]http.HandlerFunc

func (m methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, ok := m[r.Method]
	if !ok && r.Method == http.MethodHead {
		h, ok = m[http.MethodGet]
	}
	if ok {
		h(w, r)
		return
	}
	w.Header().Set("Allow", m.allow())
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method " + r.Method + " not allowed; use " + m.allow()})
}

func (m methods) allow() string {
	var names []string
	for name := range m {
		names = append(names, name)
		if name == http.MethodGet {
			names = append(names, http.MethodHead)
		}
	}
	names = append(names, http.MethodOptions)
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func message(msg string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"msg": msg})
	}
}

func product(clientOrigin string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{
			"id":  r.PathValue("id"),
			"msg": "This is CORS-enabled for only " + clientOrigin + ".",
		})
	}
}

func putItem(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(TokenHeader) == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "missing " + TokenHeader})
		return
	}
	var item any
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&item); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the body is not JSON: " + err.Error()})
		return
	}
	id := r.PathValue("id")
	writeJSON(w, http.StatusOK, struct {
		Msg   string `json:"msg"`
		ID    string `json:"id"`
		Saved any    `json:"saved"`
	}{"item " + id + " saved", id, item})
}

func deleteItem(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(TokenHeader) == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "missing " + TokenHeader})
		return
	}
	id := r.PathValue("id")
	writeJSON(w, http.StatusOK, struct {
		Msg     string `json:"msg"`
		ID      string `json:"id"`
		Deleted bool   `json:"deleted"`
	}{"item " + id + " deleted", id, true})
}

// visit counts the calls from one browser in a cookie. The cookie is
// HttpOnly (scripts never see it) and SameSite=Lax: by default the demo's
// two origins differ only by port, so they are the same site and the
// browser sends it whenever the request's credentials mode allows. Started
// with hosts of two sites (-api 127.0.0.1:3000 -client localhost:8080), the
// browser withholds it, and the page says "pass, but no cookie" (see
// Call.CookieLost).
func visit(w http.ResponseWriter, r *http.Request) {
	n, received := 0, false
	if c, err := r.Cookie(SessionCookie); err == nil {
		if v, err := strconv.Atoi(c.Value); err == nil && v >= 0 {
			n, received = v, true
		}
	}
	n++
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: strconv.Itoa(n), Path: "/",
		MaxAge: 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	msg := "No cookie came with this request; the response sets one."
	if received {
		msg = "The cookie came back: this browser has called /session " + strconv.Itoa(n) + " times."
	}
	writeJSON(w, http.StatusOK, struct {
		Msg            string `json:"msg"`
		Visits         int    `json:"visits"`
		CookieReceived bool   `json:"cookieReceived"`
	}{msg, n, received})
}

func withHeaders(w http.ResponseWriter, r *http.Request) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	w.Header().Set(RequestIDHeader, hex.EncodeToString(b[:]))
	w.Header().Set(SecretHeader, "hunter2")
	writeJSON(w, http.StatusOK, map[string]string{"msg": "This response carries " + RequestIDHeader + " (exposed) and " + SecretHeader + " (not exposed)."})
}

// accessLog logs one line per request, so that the terminal shows what the
// article points out in the Network panel: a call the browser blocks still
// reached the server, which answered it.
func accessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
		}
		if o := r.Header.Get(fetch.HeaderOrigin); o != "" {
			attrs = append(attrs, slog.String("origin", o))
		}
		if m := r.Header.Get(fetch.HeaderRequestMethod); r.Method == http.MethodOptions && m != "" {
			attrs = append(attrs, slog.String("preflightFor", m))
		}
		if acao := w.Header().Get(fetch.HeaderAllowOrigin); acao != "" {
			attrs = append(attrs, slog.String("allowOrigin", acao))
		}
		if r.UserAgent() == check.UserAgent {
			// The demo page's /explain: the checker probing this API.
			attrs = append(attrs, slog.String("by", "corscheck"))
		}
		logger.LogAttrs(r.Context(), slog.LevelInfo, "api", attrs...)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
