package cors_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	cors "github.com/corskit/cors"
)

// docSection returns the section of the package documentation (doc.go)
// under the heading "# name", up to the next heading.
func docSection(t *testing.T, name string) string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	doc := f.Doc.Text()
	start := strings.Index(doc, "\n# "+name+"\n")
	if start < 0 {
		t.Fatalf("doc.go has no section %q", name)
	}
	sec := doc[start+len("\n# "+name+"\n"):]
	if end := strings.Index(sec, "\n# "); end >= 0 {
		sec = sec[:end]
	}
	return sec
}

// docBullets returns the list items of a documentation section, each
// joined into one line.
func docBullets(sec string) []string {
	var out []string
	for _, line := range strings.Split(sec, "\n") {
		switch {
		case strings.HasPrefix(line, "  - "):
			out = append(out, strings.TrimPrefix(line, "  - "))
		case strings.HasPrefix(line, "    ") && len(out) > 0:
			out[len(out)-1] += " " + strings.TrimSpace(line)
		}
	}
	return out
}

// configReasons returns the values of the ConfigReason constants declared
// in config.go: every reason New can give.
func configReasons(t *testing.T) []cors.ConfigReason {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "config.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []cors.ConfigReason
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "ConfigReason" {
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("config.go: a ConfigReason that is not a string literal")
					}
					r, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, cors.ConfigReason(r))
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("config.go declares no ConfigReason")
	}
	return out
}

// TestDocValidation checks the package documentation's list of what New
// refuses against what New does. Each row names, by a phrase, the bullet
// of "# Validation" it checks, and states a Config and New's outcome as the
// bullet describes it. The test fails when a row's phrase is in no bullet,
// when a bullet has no row, when New refuses with a ConfigReason no row
// shows (the list is then missing a refusal), or when New's outcome differs
// from the bullet's.
func TestDocValidation(t *testing.T) {
	creds := func(origins ...string) cors.Config {
		return cors.Config{AllowedOrigins: origins, AllowCredentials: true}
	}
	origins := func(o ...string) cors.Config { return cors.Config{AllowedOrigins: o} }
	ok := func(c cors.Config, mod func(*cors.Config)) cors.Config { mod(&c); return c }
	const app = "https://app.example.com"
	type reasons = []cors.ConfigReason

	rows := []struct {
		bullet string // a phrase of the bullet this row checks
		name   string
		cfg    cors.Config
		want   reasons // nil: New accepts it
	}{
		{"allows no origin", "empty Config", cors.Config{}, reasons{cors.MissingOrigins}},
		{"allows no origin", "AllowOriginFunc alone", cors.Config{AllowOriginFunc: func(*http.Request, string) bool { return true }}, nil},

		{`"*" together with AllowCredentials`, "* with credentials", creds("*"), reasons{cors.WildcardOriginWithCredentials}},
		{`"*" together with AllowCredentials`, "* without credentials", origins("*"), nil},
		{`"*" together with other patterns`, "* and an origin", origins("*", app), reasons{cors.WildcardOriginNotAlone}},
		{`"*" together with other patterns`, "* and AllowOriginFunc", cors.Config{AllowedOrigins: []string{"*"}, AllowOriginFunc: func(*http.Request, string) bool { return true }}, reasons{cors.WildcardOriginNotAlone}},

		{"origin patterns that are not origins", "path", origins(app + "/api"), reasons{cors.InvalidOrigin}},
		{"origin patterns that are not origins", "trailing slash", origins(app + "/"), reasons{cors.InvalidOrigin}},
		{"origin patterns that are not origins", "query", origins(app + "?x=1"), reasons{cors.InvalidOrigin}},
		{"origin patterns that are not origins", "fragment", origins(app + "#x"), reasons{cors.InvalidOrigin}},
		{"origin patterns that are not origins", "userinfo", origins("https://user@app.example.com"), reasons{cors.InvalidOrigin}},
		{"origin patterns that are not origins", "upper case", origins("https://App.example.com"), reasons{cors.InvalidOrigin}},
		{"origin patterns that are not origins", "default port", origins(app + ":443"), reasons{cors.InvalidOrigin}},
		{"origin patterns that are not origins", "bad port", origins(app + ":99999"), reasons{cors.InvalidOrigin}},
		{"origin patterns that are not origins", "bad host", origins("https://app..example.com"), reasons{cors.InvalidOrigin}},
		{"origin patterns that are not origins", "* inside a label", origins("https://app*.example.com"), reasons{cors.InvalidOrigin}},
		{"origin patterns that are not origins", "* as a middle label", origins("https://app.*.example.com"), reasons{cors.InvalidOrigin}},
		{"origin patterns that are not origins", `"*." in front of a domain`, origins("https://*.example.com"), nil},
		{"origin patterns that are not origins", `":*" as the port`, origins("http://localhost:*"), nil},
		{"origin patterns that are not origins", "both", origins("https://*.example.com:*"), nil},
		{"origin patterns that are not origins", "a port on an extension's scheme", origins("chrome-extension://abcdefghijklmnopabcdefghijklmnop:8080"), reasons{cors.InvalidOrigin}},
		{"origin patterns that are not origins", "legacy IPv4", origins("http://127.1"), reasons{cors.InvalidOrigin}},
		{"origin patterns that are not origins", "IPv4 with a trailing dot", origins("http://127.0.0.1.:90"), reasons{cors.InvalidOrigin}},
		{"origin patterns that are not origins", "IPv4-mapped IPv6, dotted", origins("http://[::ffff:127.127.127.127]:90"), reasons{cors.InvalidOrigin}},
		{"origin patterns that are not origins", "IPv4-mapped IPv6, hex", origins("http://[::ffff:7f7f:7f7f]:90"), nil},
		{"origin patterns that are not origins", "Unicode host", origins("https://bücher.example"), reasons{cors.InvalidOrigin}},
		{"origin patterns that are not origins", "Punycode host", origins("https://xn--bcher-kva.example"), nil},
		{"origin patterns that are not origins", "invalid Punycode", origins("http://xn--f"), reasons{cors.InvalidOrigin}},

		{`"null", unless DangerouslyAllowNullOrigin`, "null", origins("null"), reasons{cors.NullOrigin}},
		{`"null", unless DangerouslyAllowNullOrigin`, "null with the flag", ok(origins("null"), func(c *cors.Config) { c.DangerouslyAllowNullOrigin = true }), nil},
		{"file: origins, always, flag or not", "file:", origins("file://"), reasons{cors.FileOrigin}},
		{"file: origins, always, flag or not", "file: with the flag", ok(origins("file:///home/me/index.html"), func(c *cors.Config) { c.DangerouslyAllowNullOrigin = true }), reasons{cors.FileOrigin}},

		{"plain-http origins other than loopback ones", "http with credentials", creds("http://app.example.com"), reasons{cors.InsecureOriginWithCredentials}},
		{"plain-http origins other than loopback ones", "http with credentials and the flag", ok(creds("http://app.example.com"), func(c *cors.Config) { c.DangerouslyAllowInsecureOrigins = true }), nil},
		{"plain-http origins other than loopback ones", "http without credentials", origins("http://app.example.com"), nil},
		{"plain-http origins other than loopback ones", "http://localhost with credentials", creds("http://localhost:3000"), nil},
		{"plain-http origins other than loopback ones", "http://127.0.0.1 with credentials", creds("http://127.0.0.1:3000"), nil},
		{`"*." directly under a public suffix`, "https://*.com with credentials", creds("https://*.com"), reasons{cors.PublicSuffixWildcardWithCredentials}},
		{`"*." directly under a public suffix`, "https://*.github.io with credentials", creds("https://*.github.io"), reasons{cors.PublicSuffixWildcardWithCredentials}},
		{`"*." directly under a public suffix`, "with the flag", ok(creds("https://*.com"), func(c *cors.Config) { c.DangerouslyAllowPublicSuffixWildcards = true }), nil},
		{`"*." directly under a public suffix`, "without credentials", origins("https://*.com"), nil},
		{`"*." directly under a public suffix`, "http://*.localhost with credentials", creds("http://*.localhost"), nil},

		{"forbidden methods CONNECT, TRACE and TRACK", "CONNECT", ok(origins(app), func(c *cors.Config) { c.AllowedMethods = []string{"CONNECT"} }), reasons{cors.ForbiddenMethod}},
		{"forbidden methods CONNECT, TRACE and TRACK", "trace", ok(origins(app), func(c *cors.Config) { c.AllowedMethods = []string{"trace"} }), reasons{cors.ForbiddenMethod}},
		{"forbidden methods CONNECT, TRACE and TRACK", "TRACK", ok(origins(app), func(c *cors.Config) { c.AllowedMethods = []string{"TRACK"} }), reasons{cors.ForbiddenMethod}},
		{"method or header names that are not HTTP tokens", "method", ok(origins(app), func(c *cors.Config) { c.AllowedMethods = []string{"PU T"} }), reasons{cors.InvalidMethod}},
		{"method or header names that are not HTTP tokens", "request header", ok(origins(app), func(c *cors.Config) { c.AllowedHeaders = []string{"X-Token:"} }), reasons{cors.InvalidHeaderName}},
		{"method or header names that are not HTTP tokens", "exposed header", ok(origins(app), func(c *cors.Config) { c.ExposedHeaders = []string{"X Id"} }), reasons{cors.InvalidHeaderName}},

		{"forbidden request headers", "Cookie", ok(origins(app), func(c *cors.Config) { c.AllowedHeaders = []string{"Cookie"} }), reasons{cors.ForbiddenHeaderName}},
		{"forbidden request headers", "Host", ok(origins(app), func(c *cors.Config) { c.AllowedHeaders = []string{"host"} }), reasons{cors.ForbiddenHeaderName}},
		{"forbidden request headers", "Sec-", ok(origins(app), func(c *cors.Config) { c.AllowedHeaders = []string{"Sec-Fetch-Site"} }), reasons{cors.ForbiddenHeaderName}},
		{"forbidden request headers", "Proxy-", ok(origins(app), func(c *cors.Config) { c.AllowedHeaders = []string{"Proxy-Authorization"} }), reasons{cors.ForbiddenHeaderName}},
		{"CORS response headers listed as request headers", "ACAO", ok(origins(app), func(c *cors.Config) { c.AllowedHeaders = []string{"Access-Control-Allow-Origin"} }), reasons{cors.ResponseHeaderAsRequestHeader}},
		{"Set-Cookie in ExposedHeaders", "Set-Cookie", ok(origins(app), func(c *cors.Config) { c.ExposedHeaders = []string{"Set-Cookie"} }), reasons{cors.ForbiddenHeaderName}},
		{"more than 64 names in AllowedHeaders", "65 names", ok(origins(app), func(c *cors.Config) { c.AllowedHeaders = headerNames(65) }), reasons{cors.TooManyHeaders}},
		{"more than 64 names in AllowedHeaders", "64 names", ok(origins(app), func(c *cors.Config) { c.AllowedHeaders = headerNames(64) }), nil},
		{"more than 64 names in AllowedHeaders", `65 names and "*"`, ok(origins(app), func(c *cors.Config) { c.AllowedHeaders = append(headerNames(65), "*") }), nil},

		{`"*" in ExposedHeaders with AllowCredentials`, "with credentials", ok(creds(app), func(c *cors.Config) { c.ExposedHeaders = []string{"*"} }), reasons{cors.WildcardExposeWithCredentials}},
		{`"*" in ExposedHeaders with AllowCredentials`, "without credentials", ok(origins(app), func(c *cors.Config) { c.ExposedHeaders = []string{"*"} }), nil},
		{"MaxAge above 86400", "86401", ok(origins(app), func(c *cors.Config) { c.MaxAge = 86401 }), reasons{cors.MaxAgeTooLarge}},
		{"MaxAge above 86400", "86400", ok(origins(app), func(c *cors.Config) { c.MaxAge = 86400 }), nil},
		{"PreflightStatus outside 2xx", "302", ok(origins(app), func(c *cors.Config) { c.PreflightStatus = 302 }), reasons{cors.InvalidPreflightStatus}},
		{"PreflightStatus outside 2xx", "199", ok(origins(app), func(c *cors.Config) { c.PreflightStatus = 199 }), reasons{cors.InvalidPreflightStatus}},
		{"PreflightStatus outside 2xx", "200", ok(origins(app), func(c *cors.Config) { c.PreflightStatus = 200 }), nil},
		{"PreflightStatus outside 2xx", "299", ok(origins(app), func(c *cors.Config) { c.PreflightStatus = 299 }), nil},
	}

	bullets := docBullets(docSection(t, "Validation"))
	if len(bullets) == 0 {
		t.Fatal(`no bullets under "# Validation"`)
	}
	covered := make([]bool, len(bullets))
	shown := map[cors.ConfigReason]bool{}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			at := -1
			for i, b := range bullets {
				if strings.Contains(b, row.bullet) {
					if at >= 0 {
						t.Fatalf("%q is in two bullets", row.bullet)
					}
					at = i
				}
			}
			if at < 0 {
				t.Fatalf("no bullet of # Validation says %q", row.bullet)
			}
			covered[at] = true

			m, err := cors.New(row.cfg)
			var got reasons
			for _, ce := range cors.ConfigErrors(err) {
				got = append(got, ce.Reason)
				if ce.Message == "" {
					t.Errorf("%s: no message", ce.Reason)
				}
			}
			if !slices.Equal(got, row.want) {
				t.Errorf("New refuses with %q, the doc says %q (%v)", got, row.want, err)
			}
			if (err == nil) != (m != nil) {
				t.Errorf("New = %v, %v", m, err)
			}
			for _, r := range row.want {
				shown[r] = true
			}
		})
	}
	for i, b := range bullets {
		if !covered[i] {
			t.Errorf("no row checks the bullet %q", b)
		}
	}
	for _, r := range configReasons(t) {
		if !shown[r] {
			t.Errorf("no row shows New refusing with %q: is it in the documentation?", r)
		}
	}
}
