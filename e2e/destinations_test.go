package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	cors "github.com/corskit/cors"
	"github.com/corskit/cors/check"
	"github.com/corskit/cors/e2e/internal/driver"
	"github.com/corskit/cors/internal/demo"
	"github.com/corskit/cors/internal/engine"
)

// destCase is one load a page makes with an element or @font-face.
type destCase struct {
	name  string
	load  string // how the page loads it: font, module, import, script, style, image, webgl
	route string // the API route: plain, star, page, creds, other, text, hop, plainhop
	file  string // the demo asset
	co    check.CrossOrigin
	want  string // written by hand: loads, opaque, blocked, or refused (CORS passes, the element does not run it)
}

// destWant is the outcome of c in engine eng: c.want, except where an
// engine does otherwise (each seen in it, and modelled in internal/engine):
// Safari loads fonts, and a module import() loads from a classic script,
// in mode no-cors, so they load whatever the CORS headers say; Firefox
// passes a no-cors classic script's errors to window.onerror in full.
func destWant(c destCase, eng engineName) string {
	switch {
	case eng == webkit && (c.load == "font" || c.load == "import"):
		return "loads"
	case eng == firefox && c.load == "script" && c.co == "":
		return "loads"
	}
	return c.want
}

// destLine reports whether l is one of the lines engine eng logs about a
// load it refused: a CORS line (isCORSLine), WebKit's "Cross-origin script
// load denied" that follows one for a classic script, and the lines of a
// module refused for its MIME type; not the SecurityError a page's own
// getImageData on a tainted canvas logs in WebKit, nor Firefox's
// "downloadable font" line, checked apart.
func destLine(eng engineName, l driver.Line) bool {
	switch {
	case strings.HasPrefix(l.Text, "Unable to get image data from canvas"):
		return false
	case isCORSLine(eng, l):
		return true
	}
	for _, p := range []string{"Cross-origin script load denied by", "Failed to load module script:", "Loading module from ", "TypeError: '"} {
		if strings.HasPrefix(l.Text, p) {
			return true
		}
	}
	return false
}

// request is the check.Request that describes c.
func (c destCase) request(url, origin string) check.Request {
	req := check.Request{URL: url, Origin: origin, CrossOrigin: c.co, Cookie: destCookie}
	switch c.load {
	case "font":
		req.Destination = check.DestinationFont
	case "module":
		req.Destination, req.Module = check.DestinationScript, true
	case "import":
		req.Destination, req.Module, req.Import = check.DestinationScript, true, true
	case "script":
		req.Destination = check.DestinationScript
	case "style":
		req.Destination = check.DestinationStyle
	default:
		req.Destination = check.DestinationImage
	}
	return req
}

// engineRules are the rules internal/engine holds for each engine.
var engineRules = map[engineName]*engine.Rules{chromium: &engine.Chromium, firefox: &engine.Firefox, webkit: &engine.WebKit}

// destCookie is the cookie the API sets before the loads, so that each
// request shows whether its credentials mode sends it.
const destCookie = "corskit_dest=1"

func destCases() []destCase {
	const (
		font, module, script, style, image = demo.AssetFont, demo.AssetModule, demo.AssetScript, demo.AssetStyle, demo.AssetImage
		anon, creds                        = check.CrossOriginAnonymous, check.CrossOriginUseCredentials
	)
	return []destCase{
		{"font-plain", "font", "plain", font, "", "blocked"},
		{"font-star", "font", "star", font, "", "loads"},
		{"font-page", "font", "page", font, "", "loads"},
		{"font-other", "font", "other", font, "", "blocked"},
		{"font-hop", "font", "hop", font, "", "loads"},
		{"font-plainhop", "font", "plainhop", font, "", "blocked"},
		{"module-plain", "module", "plain", module, "", "blocked"},
		{"module-star", "module", "star", module, "", "loads"},
		{"module-creds-star", "module", "star", module, creds, "blocked"},
		{"module-creds-page", "module", "page", module, creds, "blocked"},
		{"module-creds", "module", "creds", module, creds, "loads"},
		{"module-text", "module", "text", module, "", "refused"},
		{"import-plain", "import", "plain", module, "", "blocked"},
		{"import-page", "import", "page", module, "", "loads"},
		{"script-plain", "script", "plain", script, "", "opaque"},
		{"script-star", "script", "star", script, "", "opaque"},
		{"script-anon-plain", "script", "plain", script, anon, "blocked"},
		{"script-anon-star", "script", "star", script, anon, "loads"},
		{"script-creds-star", "script", "star", script, creds, "blocked"},
		{"style-plain", "style", "plain", style, "", "opaque"},
		{"style-anon-plain", "style", "plain", style, anon, "blocked"},
		{"style-anon-page", "style", "page", style, anon, "loads"},
		{"style-creds-star", "style", "star", style, creds, "blocked"},
		{"image-plain", "image", "plain", image, "", "opaque"},
		{"image-star", "image", "star", image, "", "opaque"},
		{"image-plainhop", "image", "plainhop", image, "", "opaque"},
		{"image-anon-plain", "image", "plain", image, anon, "blocked"},
		{"image-anon-star", "image", "star", image, anon, "loads"},
		{"image-anon-other", "image", "other", image, anon, "blocked"},
		{"image-creds-star", "image", "star", image, creds, "blocked"},
		{"image-creds", "image", "creds", image, creds, "loads"},
		{"webgl-star", "webgl", "star", image, "", "opaque"},
		{"webgl-anon-star", "webgl", "star", image, anon, "loads"},
	}
}

// destHandler is the API of TestDestinations: the demo's assets behind the
// middleware, under one route per policy. Every path is
// /ROUTE/CASE/FILE, so that each load has a URL of its own.
func destHandler(t *testing.T, pageOrigin string) http.Handler {
	t.Helper()
	policy := func(c cors.Config) *cors.Middleware {
		m, err := cors.New(c)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	star := policy(cors.Config{AllowedOrigins: []string{"*"}})
	page := policy(cors.Config{AllowedOrigins: []string{pageOrigin}})
	creds := policy(cors.Config{AllowedOrigins: []string{pageOrigin}, AllowCredentials: true})
	other := policy(cors.Config{AllowedOrigins: []string{"https://other.example"}})
	files := demo.Assets()
	// A module served as text/plain: CORS passes, the browser refuses to
	// run it.
	text := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("export const message = 'text/plain';\n"))
	})
	hop := func(to string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rest := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)[1]
			http.Redirect(w, r, "/"+to+"/"+rest, http.StatusFound)
		})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/setcookie", func(w http.ResponseWriter, r *http.Request) {
		name, value, _ := strings.Cut(destCookie, "=")
		http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/"})
	})
	mux.Handle("/plain/", files)
	mux.Handle("/star/", star.Handler(files))
	mux.Handle("/page/", page.Handler(files))
	mux.Handle("/creds/", creds.Handler(files))
	mux.Handle("/other/", other.Handler(files))
	mux.Handle("/text/", star.Handler(text))
	mux.Handle("/hop/", star.Handler(hop("star")))
	mux.Handle("/plainhop/", hop("plain"))
	return mux
}

// destLoadJS loads each spec in turn ({id, load, url, co}) and resolves to
// {id: {loaded, opaque, detail}}: opaque is true when the page could not read
// what loaded (a tainted canvas, a rejected texture, unreadable cssRules, a
// script error reduced to "Script error."), null when that does not apply.
const destLoadJS = `
const out = {};
const image = (s) => new Promise((resolve) => {
  const img = new Image();
  if (s.co) img.crossOrigin = s.co;
  img.onload = () => resolve(img);
  img.onerror = () => resolve(null);
  img.src = s.url;
});
const element = (e) => new Promise((resolve) => {
  e.onload = () => resolve(true);
  e.onerror = () => resolve(false);
  document.head.append(e);
});
const loaders = {
  async font(s) {
    const family = "dest-" + s.id;
    const st = document.createElement("style");
    st.textContent = '@font-face { font-family: "' + family + '"; src: url("' + s.url + '"); }';
    document.head.append(st);
    try { await document.fonts.load('16px "' + family + '"'); } catch {}
    const face = [...document.fonts].find((f) => f.family.replace(/"/g, "") === family);
    return {loaded: face?.status === "loaded", opaque: null, detail: face?.status || "no face"};
  },
  async module(s) {
    const e = document.createElement("script");
    e.type = "module";
    if (s.co) e.crossOrigin = s.co;
    e.src = s.url;
    const ok = await element(e);
    return {loaded: ok && (window.corsdemoRan || []).includes(s.url), opaque: null, detail: String(ok)};
  },
  async import(s) {
    try { await import(s.url); return {loaded: true, opaque: null, detail: ""}; }
    catch (e) { return {loaded: false, opaque: null, detail: String(e)}; }
  },
  async script(s) {
    const e = document.createElement("script");
    if (s.co) e.crossOrigin = s.co;
    e.setAttribute("data-throw", "");
    e.src = s.url;
    let seen = "";
    const onError = (ev) => { seen = ev.message; ev.preventDefault(); };
    window.addEventListener("error", onError);
    const ok = await element(e);
    window.removeEventListener("error", onError);
    return {loaded: ok, opaque: ok ? seen === "Script error." : null, detail: seen};
  },
  async style(s) {
    const e = document.createElement("link");
    e.rel = "stylesheet";
    if (s.co) e.crossOrigin = s.co;
    e.href = s.url;
    if (!await element(e)) return {loaded: false, opaque: null, detail: ""};
    try { e.sheet.cssRules; return {loaded: true, opaque: false, detail: ""}; }
    catch (err) { return {loaded: true, opaque: true, detail: String(err)}; }
  },
  async image(s) {
    const img = await image(s);
    if (!img) return {loaded: false, opaque: null, detail: ""};
    const c = document.createElement("canvas");
    const ctx = c.getContext("2d");
    ctx.drawImage(img, 0, 0);
    try { ctx.getImageData(0, 0, 1, 1); return {loaded: true, opaque: false, detail: ""}; }
    catch (err) { return {loaded: true, opaque: err.name === "SecurityError", detail: String(err)}; }
  },
  async webgl(s) {
    const img = await image(s);
    if (!img) return {loaded: false, opaque: null, detail: ""};
    const gl = document.createElement("canvas").getContext("webgl");
    if (!gl) return {loaded: true, opaque: null, detail: "no WebGL"};
    gl.bindTexture(gl.TEXTURE_2D, gl.createTexture());
    try { gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, img); return {loaded: true, opaque: false, detail: ""}; }
    catch (err) { return {loaded: true, opaque: err.name === "SecurityError", detail: String(err)}; }
  },
};
for (const s of specs) out[s.id] = await loaders[s.load](s);
return out;
`

// destLines returns the console lines a load logged since the first skip
// lines of the tab: the CORS lines and every other line an engine logs
// about a load it refused (elementLine). Chromium and WebKit log before
// the load settles; Firefox may log later, so there the lines are awaited
// until one names url and none has come for lateLines.
func destLines(ctx context.Context, eng engineName, skip int, url string) ([]driver.Line, error) {
	if err := settleConsole(ctx); err != nil {
		return nil, err
	}
	if eng == firefox {
		deadline := time.Now().Add(lateLines)
		for n := len(consoleLines(ctx)); time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
			if m := len(consoleLines(ctx)); m != n {
				n, deadline = m, time.Now().Add(lateLines)
			}
		}
	}
	var out []driver.Line
	for _, l := range consoleLines(ctx)[skip:] {
		if !strings.HasPrefix(l.Text, "e2e-settle-") {
			out = append(out, l)
		}
	}
	return out, nil
}

// TestDestinations loads fonts, modules (<script type=module> and import()),
// classic scripts, stylesheets, images and WebGL textures in every engine,
// from a page on one origin, from an API on another that serves them without
// a CORS policy, with "*", with the page's origin, with credentials, for
// another origin, through redirects, and as the wrong type — one after the
// other in one page. Each load's outcome must be the one written by hand for
// it, and check.Explain's prediction for the same request, speaking for that
// engine, must agree with the engine on every count: whether it loads,
// whether it is opaque to the page, the console lines of a blocked load
// (word for word; none for the others), the line the engine prints for a
// module of the wrong type, and the request itself (Origin, Sec-Fetch-Mode,
// Sec-Fetch-Dest, Accept, and the cookie only where the credentials mode
// sends it).
func TestDestinations(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engineName) {
		ctx := openTab(t, eng)
		page := newPageServer(t)
		pageOrigin := originOf(page, "localhost")
		// Page and API are both on localhost: same site, so the API's
		// SameSite=Lax cookie goes wherever the credentials mode allows.
		api := newAPIServer(t, destHandler(t, pageOrigin))
		apiOrigin := originOf(api.Server, "localhost")
		openPage(t, ctx, apiOrigin+"/setcookie")
		openPage(t, ctx, pageOrigin+"/")

		type spec struct {
			ID   string            `json:"id"`
			Load string            `json:"load"`
			URL  string            `json:"url"`
			CO   check.CrossOrigin `json:"co"`
		}
		for _, c := range destCases() {
			t.Run(c.name, func(t *testing.T) {
				url := apiOrigin + "/" + c.route + "/" + c.name + "/" + c.file
				js, err := json.Marshal([]spec{{c.name, c.load, url, c.co}})
				if err != nil {
					t.Fatal(err)
				}
				skip := len(consoleLines(ctx))
				var got map[string]struct {
					Loaded bool   `json:"loaded"`
					Opaque *bool  `json:"opaque"`
					Detail string `json:"detail"`
				}
				if err := evalJSON(ctx, "const specs = "+string(js)+";\n"+destLoadJS, &got); err != nil {
					t.Fatal(err)
				}
				lines, err := destLines(ctx, eng, skip, url)
				if err != nil {
					t.Fatal(err)
				}
				g := got[c.name]
				want := destWant(c, eng)
				browserSays := "blocked"
				switch {
				case g.Detail == "no WebGL":
					// Headless Firefox has no WebGL context: whether the
					// texture is refused cannot be seen (the image rows
					// show the same canvas rule); the load, its request
					// and its console are still checked.
					t.Logf("%s has no WebGL here: the texture's opacity is not observed", eng)
					browserSays = want
				case g.Loaded && g.Opaque != nil && *g.Opaque:
					browserSays = "opaque"
				case g.Loaded:
					browserSays = "loads"
				case want == "refused":
					browserSays = "refused" // told apart by the console below
				}
				if browserSays != want {
					t.Errorf("%s: %s (%s), want %s", eng, browserSays, g.Detail, want)
				}

				// Run after the browser's load: the checker's requests come
				// after the browser's in the API's log.
				browserReqs := api.requests("/" + c.route + "/" + c.name + "/")
				req := c.request(url, pageOrigin)
				req.Browser = checkBrowser[eng]
				res, err := check.Explain(context.Background(), api.Client(), req)
				if err != nil {
					t.Fatal(err)
				}
				checkerSays := "loads"
				switch {
				case !res.Allowed:
					checkerSays = "blocked"
				case res.Opaque:
					checkerSays = "opaque"
				case slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "will not run") }):
					checkerSays = "refused"
				}
				if checkerSays != want {
					t.Errorf("corscheck: %s (%s), want %s", checkerSays, res.Explanation, want)
				}

				// The console: a blocked load's lines are the checker's,
				// word for word; a module refused for its MIME type logs
				// the lines the checker quotes; any other load logs none.
				var mine []string
				fontLine := false
				for _, l := range lines {
					switch {
					case destLine(eng, l):
						mine = append(mine, l.Text)
					case strings.HasPrefix(l.Text, "downloadable font:"):
						if l.Text != engine.FirefoxFontLine("dest-"+c.name, url) {
							t.Errorf("Firefox's font line %q", l.Text)
						}
						fontLine = true
					}
				}
				var wantLines []string
				switch want {
				case "blocked":
					wantLines = res.Console
				case "refused":
					wantLines = engineRules[eng].ModuleMIMELines(url, "text/plain")
					if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.HasSuffix(w, strings.Join(wantLines, " / ")) }) {
						t.Errorf("corscheck does not quote the MIME lines: %q", res.Warnings)
					}
				}
				if want == "refused" {
					// A set: the engine does not promise their order
					// (see ModuleMIMELines).
					mine, wantLines = slices.Sorted(slices.Values(mine)), slices.Sorted(slices.Values(wantLines))
				}
				if !slices.Equal(mine, wantLines) {
					t.Errorf("console:\n%8s: %q\n   check: %q", eng, mine, wantLines)
				}
				if fontLine != (eng == firefox && want == "blocked" && c.load == "font") {
					t.Errorf("Firefox's \"downloadable font\" line: logged %v", fontLine)
				}

				// The request: the browser's first one against the checker's.
				var first *apiRequest
				for i := range browserReqs {
					if browserReqs[i].Header.Get("User-Agent") != check.UserAgent {
						first = &browserReqs[i]
						break
					}
				}
				if first == nil || len(res.Exchanges) == 0 {
					t.Fatalf("no request to compare: browser %v, checker %d exchanges", first != nil, len(res.Exchanges))
				}
				for _, h := range []string{"Origin", "Sec-Fetch-Mode", "Sec-Fetch-Dest", "Accept"} {
					b, k := first.Header.Get(h), res.Exchanges[0].RequestHeader.Get(h)
					if b != k {
						t.Errorf("%s: %s sent %q, corscheck %q", h, eng, b, k)
					}
				}
				// The browser is shared with other tests, whose cookies for
				// localhost may come along: compare whether this test's went.
				b := slices.Contains(strings.Split(first.Cookie, "; "), destCookie)
				k := res.Exchanges[0].RequestHeader.Get("Cookie") == destCookie
				if b != k {
					t.Errorf("%s sent the cookie: %v (Cookie %q); corscheck: %v", eng, b, first.Cookie, k)
				}
			})
		}
	})
}
