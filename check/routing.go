package check

import (
	"fmt"
	"net/http"
	"strings"
)

// routingAdvice explains a failed preflight whose status or headers show
// that a router, not the CORS code, answered the OPTIONS request, and says
// how to route it. It applies to:
//
//   - a 405: Go 1.22's ServeMux answers it, with "Allow: GET, HEAD", when
//     the only pattern for the path names a method ("GET /api/items"), as do
//     other routers with method-specific routes;
//   - a 404: no route for OPTIONS at that path (Express with app.put(…) and
//     no app.options(…) for it in some setups, a gateway, a static server);
//   - a 2xx with an Allow header and no Access-Control-Allow-Origin:
//     Express's automatic OPTIONS answer ("Allow: GET,HEAD,PUT"), which it
//     sends when no app.options route or app.use(cors()) handles OPTIONS.
//
// ok is false when the evidence points elsewhere; the general advice then
// stands.
func routingAdvice(e CorsError, ex *Exchange) (explanation, fix string, ok bool) {
	if ex == nil || ex.Kind != "preflight" {
		return "", "", false
	}
	if e != PreflightInvalidStatus && e != PreflightMissingAllowOriginHeader {
		return "", "", false
	}
	allow := strings.Join(ex.Header.Values("Allow"), ", ")
	path := "/path"
	if i := strings.Index(ex.URL, "://"); i >= 0 {
		if j := strings.IndexByte(ex.URL[i+3:], '/'); j >= 0 {
			path = ex.URL[i+3+j:]
			if q := strings.IndexAny(path, "?#"); q >= 0 {
				path = path[:q]
			}
		}
	}
	allowNote := ""
	if allow != "" {
		allowNote = fmt.Sprintf(" (it sent Allow: %s)", allow)
	}
	routeMethod := "GET"
	if m, _, _ := strings.Cut(allow, ","); strings.TrimSpace(m) != "" {
		routeMethod = strings.TrimSpace(m)
	}
	switch {
	case ex.Status == http.StatusMethodNotAllowed:
		explanation = fmt.Sprintf("The preflight (OPTIONS %s) was answered 405 Method Not Allowed%s: the router has routes for this path, but none for OPTIONS, so the request never reached the CORS code. In Go 1.22+, a ServeMux pattern that names a method, such as \"%s %s\", never matches OPTIONS; Express, chi, gorilla/mux and others do the same for method-specific routes.", path, allowNote, routeMethod, path)
		fix = fmt.Sprintf("Route OPTIONS to the CORS code: wrap the whole router rather than one route (in Go, c.Handler(mux) with the *cors.Middleware c that cors.New returns; chi's r.Use runs before routing, gorilla/mux's r.Use does not; in Express, app.use(cors()) before the routes), or register a pattern without a method (\"%s\") or an OPTIONS route (\"OPTIONS %s\", app.options('%s', cors())).", path, path, path)
	case ex.Status == http.StatusNotFound:
		explanation = fmt.Sprintf("The preflight (OPTIONS %s) was answered 404 Not Found: no route matches OPTIONS at this path, so the request never reached the CORS code (a route registered for GET/PUT only, an Express app without app.options for it, a gateway or static server in front).", path)
		fix = fmt.Sprintf("Answer OPTIONS %s with the CORS headers before routing: wrap the whole router with the CORS middleware (app.use(cors()) before the routes in Express; in Go, c.Handler(mux) with the *cors.Middleware c that cors.New returns), or add app.options('%s', cors()).", path, path)
	case ex.Status >= 200 && ex.Status < 300 && allow != "" && e == PreflightMissingAllowOriginHeader:
		explanation = fmt.Sprintf("The preflight (OPTIONS %s) was answered %d with Allow: %s and no CORS headers: that is a router's automatic OPTIONS answer (Express sends exactly this when cors() is attached to app.get/app.put routes but not to OPTIONS), so the CORS code never ran.", path, ex.Status, allow)
		fix = fmt.Sprintf("Let the CORS middleware answer OPTIONS: app.use(cors()) before the routes, or app.options('%s', cors()) (Express 5: app.options('/{*splat}', cors()) for every path).", path)
	default:
		return "", "", false
	}
	return explanation, fix, true
}
