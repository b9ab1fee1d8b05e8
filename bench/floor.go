package bench

import "net/http"

// The floors: what any correct middleware must do for the scenarios whose
// answer writes headers, with this benchmark's policies (credentials, one
// exposed header, max-age; or AllowAll): look up the request headers that
// decide the answer and write the response headers that answer it, nothing
// else (no policy check, no parsing). BenchmarkFloor times them and cmd/instr
// counts their instructions; TestFloorAnswers checks that each writes the
// header set corskit writes. When 0.6 × rs/cors is below the unshared floor,
// that target cannot be met by any middleware that writes the same headers
// without sharing.

var (
	sharedVary    = []string{"Origin"}
	sharedTrue    = []string{"true"}
	sharedExposed = []string{"x-request-id"}
	sharedMaxAge  = []string{"600"}
	sharedMethods = []string{"PUT"}
	sharedVaryPre = []string{"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"}
	sharedStar    = []string{"*"}
	// A static "*" answer depends on the method and headers requested,
	// not on Origin.
	sharedVaryStarPre = []string{"Access-Control-Request-Method, Access-Control-Request-Headers"}
	floorNotAllowed   = func(w http.ResponseWriter) { w.WriteHeader(http.StatusForbidden) }
)

// A Floor is the least a middleware must do to answer one scenario, in two
// variants: Unshared gives each response its own backing array, as corskit
// must; Shared reuses package-level slices, as rs/cors does.
type Floor struct {
	Scenario         string
	Unshared, Shared func(http.Handler) http.Handler
}

// The floors, one pair per shape of answer. Each is written out by hand, as
// tightly as Go allows, so that no loop or indirection makes it slower than
// a real middleware could be.
var (
	floorNonCORS = Floor{
		Unshared: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if len(r.Header["Origin"]) == 0 {
					// h["Vary"] = append(h["Vary"], "Origin") would be one
					// map operation, but its growslice costs more time than
					// the lookup it saves.
					h := w.Header()
					if len(h["Vary"]) == 0 {
						h["Vary"] = []string{"Origin"}
					}
				}
				next.ServeHTTP(w, r)
			})
		},
		Shared: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if len(r.Header["Origin"]) == 0 {
					h := w.Header()
					if len(h["Vary"]) == 0 {
						h["Vary"] = sharedVary
					}
				}
				next.ServeHTTP(w, r)
			})
		},
	}
	floorActual = Floor{
		Unshared: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				o := r.Header["Origin"]
				h := w.Header()
				buf := new([4]string) // an array type allocates faster than make
				buf[0], buf[1], buf[2], buf[3] = o[0], "true", "x-request-id", "Origin"
				h["Access-Control-Allow-Origin"] = buf[0:1:1]
				h["Access-Control-Allow-Credentials"] = buf[1:2:2]
				h["Access-Control-Expose-Headers"] = buf[2:3:3]
				if len(h["Vary"]) == 0 {
					h["Vary"] = buf[3:4:4]
				}
				next.ServeHTTP(w, r)
			})
		},
		Shared: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				o := r.Header["Origin"]
				h := w.Header()
				h["Access-Control-Allow-Origin"] = o
				h["Access-Control-Allow-Credentials"] = sharedTrue
				h["Access-Control-Expose-Headers"] = sharedExposed
				if len(h["Vary"]) == 0 {
					h["Vary"] = sharedVary
				}
				next.ServeHTTP(w, r)
			})
		},
	}
	floorPreflight = Floor{
		Unshared: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				o, m, hs := r.Header["Origin"], r.Header["Access-Control-Request-Method"], r.Header["Access-Control-Request-Headers"]
				if len(o) == 0 || len(m) == 0 {
					floorNotAllowed(w)
					return
				}
				h := w.Header()
				buf := new([6]string)
				buf[0], buf[1], buf[2], buf[3], buf[4], buf[5] = o[0], "true", "PUT", hs[0], "600", sharedVaryPre[0]
				h["Access-Control-Allow-Origin"] = buf[0:1:1]
				h["Access-Control-Allow-Credentials"] = buf[1:2:2]
				h["Access-Control-Allow-Methods"] = buf[2:3:3]
				h["Access-Control-Allow-Headers"] = buf[3:4:4]
				h["Access-Control-Max-Age"] = buf[4:5:5]
				if len(h["Vary"]) == 0 {
					h["Vary"] = buf[5:6:6]
				}
				w.WriteHeader(http.StatusNoContent)
			})
		},
		Shared: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				o, m, hs := r.Header["Origin"], r.Header["Access-Control-Request-Method"], r.Header["Access-Control-Request-Headers"]
				if len(o) == 0 || len(m) == 0 {
					floorNotAllowed(w)
					return
				}
				h := w.Header()
				h["Access-Control-Allow-Origin"] = o
				h["Access-Control-Allow-Credentials"] = sharedTrue
				h["Access-Control-Allow-Methods"] = sharedMethods
				h["Access-Control-Allow-Headers"] = hs
				h["Access-Control-Max-Age"] = sharedMaxAge
				if len(h["Vary"]) == 0 {
					h["Vary"] = sharedVaryPre
				}
				w.WriteHeader(http.StatusNoContent)
			})
		},
	}
	// A preflight from a disallowed origin: the answer is a bare 403, but
	// only a request with Access-Control-Request-Method is a preflight (a
	// plain OPTIONS request goes to the handler), so that header must be
	// looked up too. Nothing is written but the status, so the two
	// variants are the same.
	floorRejectOrigin = Floor{
		Unshared: rejectOrigin,
		Shared:   rejectOrigin,
	}
	floorStarActual = Floor{
		Unshared: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if len(r.Header["Origin"]) != 0 {
					v := new([1]string)
					v[0] = "*"
					w.Header()["Access-Control-Allow-Origin"] = v[:]
				}
				next.ServeHTTP(w, r)
			})
		},
		Shared: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if len(r.Header["Origin"]) != 0 {
					w.Header()["Access-Control-Allow-Origin"] = sharedStar
				}
				next.ServeHTTP(w, r)
			})
		},
	}
	floorStarPreflight = Floor{
		Unshared: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				o, m, hs := r.Header["Origin"], r.Header["Access-Control-Request-Method"], r.Header["Access-Control-Request-Headers"]
				if len(o) == 0 || len(m) == 0 {
					floorNotAllowed(w)
					return
				}
				h := w.Header()
				buf := new([4]string)
				buf[0], buf[1], buf[2], buf[3] = "*", "PUT", hs[0], sharedVaryStarPre[0]
				h["Access-Control-Allow-Origin"] = buf[0:1:1]
				h["Access-Control-Allow-Methods"] = buf[1:2:2]
				h["Access-Control-Allow-Headers"] = buf[2:3:3]
				if len(h["Vary"]) == 0 {
					h["Vary"] = buf[3:4:4]
				}
				w.WriteHeader(http.StatusNoContent)
			})
		},
		Shared: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				o, m, hs := r.Header["Origin"], r.Header["Access-Control-Request-Method"], r.Header["Access-Control-Request-Headers"]
				if len(o) == 0 || len(m) == 0 {
					floorNotAllowed(w)
					return
				}
				h := w.Header()
				h["Access-Control-Allow-Origin"] = sharedStar
				h["Access-Control-Allow-Methods"] = sharedMethods
				h["Access-Control-Allow-Headers"] = hs
				if len(h["Vary"]) == 0 {
					h["Vary"] = sharedVaryStarPre
				}
				w.WriteHeader(http.StatusNoContent)
			})
		},
	}
)

func rejectOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := r.Header["Origin"]
		if len(o) != 0 && r.Method == http.MethodOptions {
			if _, ok := r.Header["Access-Control-Request-Method"]; ok && o[0] != OneOrig[0] {
				w.WriteHeader(http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Floors says which floor bounds which scenario. Scenarios that write the
// same headers share one: the floor does no origin or header matching, so
// the subdomain and 100-origin policies cost it what one origin does.
var Floors = []Floor{
	withScenario(floorNonCORS, "non-cors-get"),
	withScenario(floorActual, "actual-allowed-1origin"),
	withScenario(floorActual, "actual-allowed-subdomain"),
	withScenario(floorPreflight, "preflight-allowed-1hdr"),
	withScenario(floorPreflight, "preflight-allowed-3hdr"),
	withScenario(floorRejectOrigin, "preflight-disallowed-origin"),
	withScenario(floorStarActual, "allowall-actual"),
	withScenario(floorStarPreflight, "allowall-preflight"),
}

func withScenario(f Floor, scenario string) Floor {
	f.Scenario = scenario
	return f
}
