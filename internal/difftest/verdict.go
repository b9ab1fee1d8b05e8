package difftest

import (
	"context"
	"encoding/json"
	"net/http"
	"os"

	"github.com/corskit/cors/check"
)

// Verdict is what a browser (or the checker) concluded about a case: the
// verdict, the CorsError name ("" when allowed) and the console line,
// normalised (see Normalize; "" when allowed).
type Verdict struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// Record is one case with the verdict a browser gave.
type Record struct {
	Case     Case    `json:"case"`
	Chromium Verdict `json:"chromium"`
}

// Corpus is a recorded set of cases.
type Corpus struct {
	// Browser is the browser and version that gave the answers, Seed and
	// Count how the cases were generated.
	Browser string   `json:"browser"`
	Seed    uint64   `json:"seed"`
	Records []Record `json:"records"`
}

// Load reads a corpus written by Save.
func Load(path string) (*Corpus, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Corpus
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// Save writes c as indented JSON, one record per few lines, so that a
// re-recording shows as a readable diff.
func (c *Corpus) Save(path string) error {
	b, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Request is the check.Request that describes c, from a page on page.
func (c *Case) Request(o Origins, page string) check.Request {
	h := http.Header{}
	var order []string
	for _, f := range c.Header {
		if _, ok := h[f.Name]; !ok {
			order = append(order, f.Name)
		}
		h[f.Name] = append(h[f.Name], f.Value)
	}
	req := check.Request{
		URL: c.URL(o), Origin: page, Method: c.Method, Header: h, HeaderOrder: order,
		Credentials: c.Credentials, ForcePreflight: c.Upload, Body: c.Body,
		SendActual: true,
	}
	if c.API == "xhr" {
		req.Initiator = check.XHR
	}
	return req
}

// Explain runs c through check.Explain with client (which must reach the
// servers at o) and returns the checker's verdict, normalised.
func Explain(ctx context.Context, client *http.Client, c *Case, o Origins, page string) (Verdict, error) {
	res, err := check.Explain(ctx, client, c.Request(o, page))
	if err != nil {
		return Verdict{}, err
	}
	return Verdict{Allowed: res.Allowed, Reason: string(res.Reason), Message: Normalize(res.Message, o, page)}, nil
}
