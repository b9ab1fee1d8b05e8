package shadow_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/corskit/cors/cmd/corsgate/internal/shadow"
)

const app = "https://app.example.com"

func TestCompare(t *testing.T) {
	tests := []struct {
		name      string
		preflight bool
		upstream  shadow.Answer
		policy    shadow.Answer
		want      []string
	}{
		{"identical", false,
			shadow.Answer{Header: http.Header{"Access-Control-Allow-Origin": {app}, "Vary": {"Origin"}}},
			shadow.Answer{Header: http.Header{"Access-Control-Allow-Origin": {app}, "Vary": {"Origin"}}}, nil},
		{"duplicated ACAO", false,
			shadow.Answer{Header: http.Header{"Access-Control-Allow-Origin": {app, app}, "Vary": {"Origin"}}},
			shadow.Answer{Header: http.Header{"Access-Control-Allow-Origin": {app}, "Vary": {"Origin"}}},
			[]string{`Access-Control-Allow-Origin: upstream "https://app.example.com, https://app.example.com", policy "https://app.example.com"`}},
		{"credentials missing, Vary missing", false,
			shadow.Answer{Header: http.Header{"Access-Control-Allow-Origin": {app}, "Vary": {"Accept-Encoding"}}},
			shadow.Answer{Header: http.Header{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"}, "Vary": {"Origin"}}},
			[]string{`Access-Control-Allow-Credentials: upstream (none), policy "true"`, `Vary: upstream "Accept-Encoding", policy "Origin"`}},
		{"Vary: * covers Origin", false,
			shadow.Answer{Header: http.Header{"Vary": {"*"}}},
			shadow.Answer{Header: http.Header{"Vary": {"Origin"}}}, nil},
		{"exposed headers: a set, without case, safelisted ones left out", false,
			shadow.Answer{Header: http.Header{"Access-Control-Expose-Headers": {"X-Request-Id, Content-Type", "x-b"}}},
			shadow.Answer{Header: http.Header{"Access-Control-Expose-Headers": {"x-b,x-request-id"}}}, nil},
		{"exposed headers differ", false,
			shadow.Answer{Header: http.Header{"Access-Control-Expose-Headers": {"X-Secret"}}},
			shadow.Answer{Header: http.Header{"Access-Control-Expose-Headers": {"x-request-id"}}},
			[]string{`Access-Control-Expose-Headers: upstream "X-Secret", policy "x-request-id"`}},
		{"preflight-only headers are not compared on actual responses", false,
			shadow.Answer{Header: http.Header{"Access-Control-Allow-Methods": {"DELETE"}, "Access-Control-Max-Age": {"5"}}},
			shadow.Answer{Header: http.Header{}}, nil},
		{"preflight: safelisted methods and order do not count; methods keep their case", true,
			shadow.Answer{Status: 200, Header: http.Header{"Access-Control-Allow-Methods": {"GET, POST, PUT, patch"}, "Access-Control-Allow-Headers": {"Content-Type"}}},
			shadow.Answer{Status: 204, Header: http.Header{"Access-Control-Allow-Methods": {"patch,PUT"}, "Access-Control-Allow-Headers": {"content-type"}}}, nil},
		{"preflight: PATCH is not patch", true,
			shadow.Answer{Status: 204, Header: http.Header{"Access-Control-Allow-Methods": {"PATCH"}}},
			shadow.Answer{Status: 204, Header: http.Header{"Access-Control-Allow-Methods": {"patch"}}},
			[]string{`Access-Control-Allow-Methods: upstream "PATCH", policy "patch"`}},
		{"preflight: status ok-ness, max-age, private network", true,
			shadow.Answer{Status: 405, Header: http.Header{"Access-Control-Max-Age": {"86400"}}},
			shadow.Answer{Status: 204, Header: http.Header{"Access-Control-Max-Age": {"600"}, "Access-Control-Allow-Private-Network": {"true"}}},
			[]string{`status: upstream "405", policy "204"`, `Access-Control-Max-Age: upstream "86400", policy "600"`, `Access-Control-Allow-Private-Network: upstream (none), policy "true"`}},
		{"preflight: a status the policy does not decide is not compared", true,
			shadow.Answer{Status: 405, Header: http.Header{}},
			shadow.Answer{Status: 0, Header: http.Header{}}, nil},
		{"preflight: 200 and 204 are both ok", true,
			shadow.Answer{Status: 200, Header: http.Header{}},
			shadow.Answer{Status: 204, Header: http.Header{}}, nil},
		{"an unparsable list is compared as written", true,
			shadow.Answer{Status: 204, Header: http.Header{"Access-Control-Allow-Headers": {"Content-Type: application/json"}}},
			shadow.Answer{Status: 204, Header: http.Header{"Access-Control-Allow-Headers": {"content-type"}}},
			[]string{`Access-Control-Allow-Headers: upstream "Content-Type: application/json", policy "content-type"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, d := range shadow.Compare(tt.preflight, tt.upstream, tt.policy) {
				got = append(got, d.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
