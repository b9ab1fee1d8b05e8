package cors_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/corskit/cors"
)

// TestCompare: Decision.Compare against responses written by another CORS
// implementation, each difference compared field by field. The cases
// before "not CORS" are those corsgate's report-only mode was tested with
// when it compared two header maps itself (cmd/corsgate/internal/shadow),
// each now made from a real policy and request.
func TestCompare(t *testing.T) {
	const (
		app  = "https://app.example.com"
		evil = "https://evil.example"
		acao = "Access-Control-Allow-Origin"
		acac = "Access-Control-Allow-Credentials"
		acam = "Access-Control-Allow-Methods"
		acah = "Access-Control-Allow-Headers"
		aceh = "Access-Control-Expose-Headers"
		maxA = "Access-Control-Max-Age"
		apn  = "Access-Control-Allow-Private-Network"
	)
	get := newRequest("GET", "Origin", app)
	preflight := func(method string, kv ...string) *http.Request {
		return newRequest("OPTIONS", append([]string{"Origin", app, acrm, method}, kv...)...)
	}
	tests := []struct {
		name     string
		policy   cors.Config
		r        *http.Request
		status   int
		response http.Header
		want     []cors.Difference
	}{
		{"identical", cors.Config{AllowedOrigins: []string{app}}, get, 200,
			http.Header{acao: {app}, "Vary": {"Origin"}}, nil},
		{"duplicated ACAO", cors.Config{AllowedOrigins: []string{app}}, get, 200,
			http.Header{acao: {app, app}, "Vary": {"Origin"}},
			[]cors.Difference{{Field: acao, Response: app + ", " + app, Policy: app}}},
		{"credentials missing, Vary missing", cors.Config{AllowedOrigins: []string{app}, AllowCredentials: true}, get, 200,
			http.Header{acao: {app}, "Vary": {"Accept-Encoding"}},
			[]cors.Difference{{Field: acac, Response: "", Policy: "true"}, {Field: "Vary", Response: "Accept-Encoding", Policy: "Origin"}}},
		{"Vary: * covers Origin", cors.Config{AllowedOrigins: []string{app}}, get, 200,
			http.Header{acao: {app}, "Vary": {"*"}}, nil},
		{"exposed headers: a set, without case, safelisted ones left out", cors.Config{AllowedOrigins: []string{app}, ExposedHeaders: []string{"x-b", "X-Request-Id"}}, get, 200,
			http.Header{acao: {app}, "Vary": {"Origin"}, aceh: {"X-Request-Id, Content-Type", "x-b"}}, nil},
		{"exposed headers differ", cors.Config{AllowedOrigins: []string{app}, ExposedHeaders: []string{"X-Request-Id"}}, get, 200,
			http.Header{acao: {app}, "Vary": {"Origin"}, aceh: {"X-Secret"}},
			[]cors.Difference{{Field: aceh, Response: "X-Secret", Policy: "x-request-id"}}},
		{"preflight-only headers are not compared on actual responses", cors.Config{AllowedOrigins: []string{app}}, get, 200,
			http.Header{acao: {app}, "Vary": {"Origin"}, acam: {"DELETE"}, maxA: {"5"}}, nil},
		{"preflight: safelisted methods and order do not count; methods keep their case",
			cors.Config{AllowedOrigins: []string{app}, AllowedMethods: []string{"patch", "PUT"}, AllowedHeaders: []string{"Content-Type"}},
			preflight("patch", acrh, "content-type"), 200,
			http.Header{acao: {app}, acam: {"GET, POST, PUT, patch"}, acah: {"Content-Type"}}, nil},
		{"preflight: PATCH is not patch", cors.Config{AllowedOrigins: []string{app}, AllowedMethods: []string{"patch"}}, preflight("patch"), 204,
			http.Header{acao: {app}, acam: {"PATCH"}},
			[]cors.Difference{{Field: acam, Response: "PATCH", Policy: "patch"}}},
		{"preflight: status ok-ness, max-age, private network",
			cors.Config{AllowedOrigins: []string{app}, MaxAge: 600, AllowPrivateNetwork: true},
			preflight("GET", "Access-Control-Request-Private-Network", "true"), 405,
			http.Header{acao: {app}, maxA: {"86400"}},
			[]cors.Difference{{Field: cors.StatusField, Response: "405", Policy: "204"}, {Field: maxA, Response: "86400", Policy: "600"}, {Field: apn, Response: "", Policy: "true"}}},
		{"preflight: a status the policy does not decide is not compared",
			cors.Config{AllowedOrigins: []string{app}, PreflightPassthrough: true}, preflight("GET"), 405,
			http.Header{acao: {app}}, nil},
		{"preflight: 200 and 204 are both ok", cors.Config{AllowedOrigins: []string{app}}, preflight("GET"), 200,
			http.Header{acao: {app}}, nil},
		{"an unparsable list is compared as written",
			cors.Config{AllowedOrigins: []string{app}, AllowedHeaders: []string{"Content-Type"}}, preflight("GET", acrh, "content-type"), 204,
			http.Header{acao: {app}, acah: {"Content-Type: application/json"}},
			[]cors.Difference{{Field: acah, Response: "Content-Type: application/json", Policy: "content-type"}}},

		{"not CORS: nothing a browser checks", cors.Config{AllowedOrigins: []string{app}}, newRequest("GET"), 200,
			http.Header{acao: {"*"}}, nil},
		{"a refused origin read by the response's *", cors.Config{AllowedOrigins: []string{app}}, newRequest("GET", "Origin", evil), 200,
			http.Header{acao: {"*"}, "Vary": {"Origin"}},
			[]cors.Difference{{Field: acao, Response: "*", Policy: ""}}},
		{"a refused preflight the response grants", cors.Config{AllowedOrigins: []string{app}, AllowedMethods: []string{"PUT"}},
			newRequest("OPTIONS", "Origin", evil, acrm, "PUT"), 204,
			http.Header{acao: {evil}, acam: {"PUT"}},
			[]cors.Difference{{Field: cors.StatusField, Response: "204", Policy: "403"}, {Field: acao, Response: evil, Policy: ""}, {Field: acam, Response: "PUT", Policy: ""}}},
		{"a refused preflight refused alike", cors.Config{AllowedOrigins: []string{app}}, newRequest("OPTIONS", "Origin", evil, acrm, "PUT"), 401,
			http.Header{}, nil},
		{"a reflected origin where the policy is *", cors.Config{AllowedOrigins: []string{"*"}}, newRequest("GET", "Origin", evil), 200,
			http.Header{acao: {evil}, "Vary": {"Origin"}},
			[]cors.Difference{{Field: acao, Response: evil, Policy: "*"}}},
		{"Vary names Origin on another line, in another case", cors.Config{AllowedOrigins: []string{app}}, get, 200,
			http.Header{acao: {app}, "Vary": {"Accept-Encoding", "origin"}}, nil},
		{"Vary is not compared on a preflight", cors.Config{AllowedOrigins: []string{app}}, preflight("GET"), 204,
			http.Header{acao: {app}}, nil},
		{"WebSocket: a refused origin's handshake accepted", cors.Config{AllowedOrigins: []string{app}},
			newRequest("GET", "Origin", evil, "Upgrade", "websocket", "Connection", "Upgrade"), 101,
			http.Header{acao: {"*"}},
			[]cors.Difference{{Field: cors.StatusField, Response: "101", Policy: "403"}}},
		{"WebSocket: a refused origin's handshake refused", cors.Config{AllowedOrigins: []string{app}},
			newRequest("GET", "Origin", evil, "Upgrade", "websocket", "Connection", "Upgrade"), 403,
			http.Header{}, nil},
		{"WebSocket: an allowed origin's handshake; its headers are not compared", cors.Config{AllowedOrigins: []string{app}},
			newRequest("GET", "Origin", app, "Upgrade", "websocket", "Connection", "Upgrade"), 101,
			http.Header{acao: {"*"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustNew(t, tt.policy)
			got := m.Evaluate(tt.r).Compare(tt.status, tt.response)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestDifferenceString(t *testing.T) {
	for _, tt := range []struct {
		d    cors.Difference
		want string
	}{
		{cors.Difference{Field: "Access-Control-Allow-Origin", Response: "*", Policy: "https://app.example.com"},
			`Access-Control-Allow-Origin: response "*", policy "https://app.example.com"`},
		{cors.Difference{Field: "Access-Control-Allow-Credentials", Policy: "true"},
			`Access-Control-Allow-Credentials: response (none), policy "true"`},
		{cors.Difference{Field: cors.StatusField, Response: "101", Policy: "403"}, `status: response "101", policy "403"`},
	} {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("String() = %s\nwant %s", got, tt.want)
		}
	}
}
