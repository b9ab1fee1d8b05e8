package cors_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"

	"github.com/corskit/cors"
)

// show sends one request through h and prints the status and the headers
// the browser would look at.
func show(h http.Handler, method, origin string, kv ...string) {
	r := httptest.NewRequest(method, "https://api.example.com/items/1", nil)
	if origin != "" {
		r.Header.Set("Origin", origin)
	}
	for i := 0; i < len(kv); i += 2 {
		r.Header.Set(kv[i], kv[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code)
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range w.Header() {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		if strings.HasPrefix(k, "Access-Control-") || k == "Vary" {
			fmt.Printf("  %s: %s\n", k, strings.Join(w.Header()[k], ", "))
		}
	}
}

func ExampleNew() {
	m, err := cors.New(cors.Config{
		AllowedOrigins:   []string{"https://app.example.com", "https://*.example.org"},
		AllowedMethods:   []string{http.MethodPut, http.MethodDelete},
		AllowedHeaders:   []string{"Content-Type", "Authorization"},
		ExposedHeaders:   []string{"X-Request-Id"},
		AllowCredentials: true,
		MaxAge:           600,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	api := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "42")
		fmt.Fprintln(w, `{"id": 1}`)
	}))

	// The browser's preflight for a PUT with a JSON body and a token.
	show(api, "OPTIONS", "https://app.example.com",
		"Access-Control-Request-Method", "PUT",
		"Access-Control-Request-Headers", "authorization,content-type")
	// The actual request.
	show(api, "PUT", "https://app.example.com")
	// A look-alike origin gets no CORS headers: the browser blocks the read.
	show(api, "GET", "https://app.example.com.evil.test")
	// Output:
	// 204
	//   Access-Control-Allow-Credentials: true
	//   Access-Control-Allow-Headers: authorization,content-type
	//   Access-Control-Allow-Methods: PUT,DELETE
	//   Access-Control-Allow-Origin: https://app.example.com
	//   Access-Control-Max-Age: 600
	//   Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers
	// 200
	//   Access-Control-Allow-Credentials: true
	//   Access-Control-Allow-Origin: https://app.example.com
	//   Access-Control-Expose-Headers: x-request-id
	//   Vary: Origin
	// 200
	//   Vary: Origin
}

// Every problem in a Config is reported at once, each with what to write
// instead.
func ExampleNew_errors() {
	_, err := cors.New(cors.Config{
		AllowedOrigins:   []string{"*", "https://app.example.com/", "http://*.com"},
		AllowCredentials: true,
		AllowedMethods:   []string{"TRACE"},
	})
	for _, e := range cors.ConfigErrors(err) {
		fmt.Printf("%s [%s]\n", e, e.Reason)
	}
	var ce *cors.ConfigError
	fmt.Println(errors.As(err, &ce), ce.Field)
	// Output:
	// cors: AllowedOrigins "*": "*" cannot be used with AllowCredentials (browsers refuse it, and reflecting every origin with credentials lets any site act as your users): list the origins you trust [wildcard-origin-with-credentials]
	// cors: AllowedOrigins "*": "*" already allows every origin: remove the other entries, or remove "*" [wildcard-origin-not-alone]
	// cors: AllowedOrigins "https://app.example.com/": trailing slash: an origin has no path; write "https://app.example.com" instead [invalid-origin]
	// cors: AllowedOrigins "http://*.com": plain-http origins can be impersonated by anyone on the network path, who would then ride your users' credentials: write "https://*.com", or set DangerouslyAllowInsecureOrigins [insecure-origin-with-credentials]
	// cors: AllowedOrigins "http://*.com": "com" is a public suffix, where anyone can register a name: list your own domains (for example "http://*.yourname.com"), or set DangerouslyAllowPublicSuffixWildcards [public-suffix-wildcard-with-credentials]
	// cors: AllowedMethods "TRACE": browsers never send CONNECT, TRACE or TRACK (Fetch forbids them): remove it [forbidden-method]
	// true AllowedOrigins
}

// AllowAll is Express's cors(): any origin, no credentials.
func ExampleAllowAll() {
	api := cors.AllowAll().Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	show(api, "GET", "https://anyone.example")
	show(api, "OPTIONS", "https://anyone.example", "Access-Control-Request-Method", "DELETE", "Access-Control-Request-Headers", "x-custom")
	// Output:
	// 200
	//   Access-Control-Allow-Origin: *
	// 204
	//   Access-Control-Allow-Headers: *,authorization
	//   Access-Control-Allow-Methods: PUT,PATCH,DELETE
	//   Access-Control-Allow-Origin: *
	//   Vary: Access-Control-Request-Method, Access-Control-Request-Headers
}

// A method-qualified ServeMux pattern never sees OPTIONS, so wrap the whole
// mux: the middleware answers preflights before routing.
func ExampleMiddleware_Handler_serveMux() {
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "updated", r.PathValue("id"))
	})
	m, _ := cors.New(cors.Config{
		AllowedOrigins: []string{"https://app.example.com"},
		AllowedMethods: []string{"PUT"},
	})

	// Wrapping only the route: the preflight never reaches the middleware.
	onlyRoute := http.NewServeMux()
	onlyRoute.Handle("PUT /items/{id}", m.Handler(mux))
	show(onlyRoute, "OPTIONS", "https://app.example.com", "Access-Control-Request-Method", "PUT")

	// Wrapping the mux: it does.
	show(m.Handler(mux), "OPTIONS", "https://app.example.com", "Access-Control-Request-Method", "PUT")
	// Output:
	// 405
	// 204
	//   Access-Control-Allow-Methods: PUT
	//   Access-Control-Allow-Origin: https://app.example.com
	//   Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers
}

// CORS controls who may read responses, not who may send requests. Pair it
// with http.CrossOriginProtection against cross-site request forgery.
func Example_crossOriginProtection() {
	m, _ := cors.New(cors.Config{AllowedOrigins: []string{"https://app.example.com"}})
	csrf := http.NewCrossOriginProtection()
	if err := csrf.AddTrustedOrigin("https://app.example.com"); err != nil {
		fmt.Println(err)
		return
	}
	api := m.Handler(csrf.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("  handler ran")
	})))

	// A form posted from another site: CORS alone would let it run.
	show(api, "POST", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	// The trusted origin passes both.
	show(api, "POST", "https://app.example.com", "Sec-Fetch-Site", "cross-site")
	// Output:
	// 403
	//   Vary: Origin
	//   handler ran
	// 200
	//   Access-Control-Allow-Origin: https://app.example.com
	//   Vary: Origin
}

// Debug mode makes the browser's console name the culprit of a failed
// preflight, and OnReject says why each request was rejected.
func ExampleMiddleware_SetDebug() {
	m, _ := cors.New(cors.Config{
		AllowedOrigins: []string{"https://app.example.com"},
		AllowedMethods: []string{"PUT"},
		OnReject: func(r *http.Request, reason cors.Reason) {
			fmt.Println("  rejected:", reason)
		},
	})
	api := m.Handler(http.NotFoundHandler())
	show(api, "OPTIONS", "https://app.example.com", "Access-Control-Request-Method", "DELETE")
	m.SetDebug(true)
	// Chromium now logs "Method DELETE is not allowed by
	// Access-Control-Allow-Methods in preflight response."
	show(api, "OPTIONS", "https://app.example.com", "Access-Control-Request-Method", "DELETE")
	// Output:
	//   rejected: method-not-allowed
	// 403
	//   rejected: method-not-allowed
	// 204
	//   Access-Control-Allow-Methods: PUT
	//   Access-Control-Allow-Origin: https://app.example.com
	//   Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers
}

func ExampleLogRejections() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // keep the output stable
			}
			return a
		},
	}))
	m, _ := cors.New(cors.Config{
		AllowedOrigins: []string{"https://app.example.com"},
		OnReject:       cors.LogRejections(logger),
	})
	api := m.Handler(http.NotFoundHandler())
	r := httptest.NewRequest("OPTIONS", "/items", nil)
	r.Header.Set("Origin", "https://evil.example")
	r.Header.Set("Access-Control-Request-Method", "PUT")
	api.ServeHTTP(httptest.NewRecorder(), r)
	// Output:
	// level=INFO msg="cors: request rejected" reason=origin-not-allowed origin=https://evil.example method=OPTIONS path=/items requestMethod=PUT
}

func ExampleMiddleware_Reconfigure() {
	m, _ := cors.New(cors.Config{AllowedOrigins: []string{"https://old.example"}})
	err := m.Reconfigure(cors.Config{AllowedOrigins: []string{"https://new.example/"}})
	fmt.Println(err)
	fmt.Println(m.Config().AllowedOrigins) // the old policy stays in force
	_ = m.Reconfigure(cors.Config{AllowedOrigins: []string{"https://new.example"}})
	fmt.Println(m.Config().AllowedOrigins)
	// Output:
	// cors: AllowedOrigins "https://new.example/": trailing slash: an origin has no path; write "https://new.example" instead
	// [https://old.example]
	// [https://new.example]
}
