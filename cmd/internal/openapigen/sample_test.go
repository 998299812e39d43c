package openapigen_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	nethttp "net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// sampler builds requests from a document alone.
type sampler struct {
	spec *openapi3.T
}

// request builds the request of op at path: every path and query
// parameter, and the body, filled from their schemas.
func (s *sampler) request(t *testing.T, base *url.URL, method, path string, op *openapi3.Operation) (*nethttp.Request, map[string]string) {
	t.Helper()
	query := url.Values{}
	params := map[string]string{}
	oneofs := map[string]string{} // oneof -> the member sent
	for _, pr := range op.Parameters {
		p := pr.Value
		if ext, ok := p.Extensions["x-kratos-oneof"].(map[string]any); ok {
			oneof, field := ext["oneof"].(string), ext["field"].(string)
			if sent, ok := oneofs[oneof]; ok && sent != field {
				continue
			}
			oneofs[oneof] = field
		}
		v := s.value(p.Schema.Value, 0)
		switch p.In {
		case "path":
			params[p.Name] = fmt.Sprint(v)
			escaped := url.PathEscape(fmt.Sprint(v))
			if p.AllowReserved {
				segs := strings.Split(fmt.Sprint(v), "/")
				for i := range segs {
					segs[i] = url.PathEscape(segs[i])
				}
				escaped = strings.Join(segs, "/")
			}
			path = strings.Replace(path, "{"+p.Name+"}", escaped, 1)
		case "query":
			switch x := v.(type) {
			case []any:
				for _, e := range x {
					query.Add(p.Name, fmt.Sprint(e))
				}
			case map[string]any:
				for k, e := range x { // style deepObject
					query.Add(p.Name+"["+k+"]", fmt.Sprint(e))
				}
			default:
				query.Set(p.Name, fmt.Sprint(v))
			}
		}
	}
	u := *base
	u.RawPath = path
	if unescaped, err := url.PathUnescape(path); err == nil {
		u.Path = unescaped
	}
	u.RawQuery = query.Encode()
	var body []byte
	if rb := op.RequestBody; rb != nil {
		mt := rb.Value.Content.Get("application/json")
		if mt == nil {
			t.Fatalf("%s %s: no JSON body", method, path)
		}
		b, err := json.Marshal(s.value(mt.Schema.Value, 0))
		if err != nil {
			t.Fatal(err)
		}
		body = b
	}
	req, err := nethttp.NewRequest(method, u.String(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		req.Body, req.GetBody, req.ContentLength = nethttp.NoBody, nil, 0
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	if kind, _ := op.Extensions["x-kratos-streaming"].(string); kind == "server" {
		req.Header.Set("Accept", "text/event-stream")
	}
	return req, params
}

// value makes a value that s accepts, going at most a few levels into
// nested objects.
func (smp *sampler) value(s *openapi3.Schema, depth int) any {
	if len(s.AllOf) > 0 {
		return smp.value(s.AllOf[0].Value, depth)
	}
	if len(s.Enum) > 0 {
		return s.Enum[len(s.Enum)-1]
	}
	switch {
	case s.Type.Is("string"):
		return smp.str(s)
	case s.Type.Is("integer"):
		if s.Min != nil {
			return int(*s.Min) + 1
		}
		return 7
	case s.Type.Is("number"):
		return 1.5
	case s.Type.Is("boolean"):
		return true
	case s.Type.Is("array"):
		return []any{smp.value(s.Items.Value, depth+1)}
	case s.Type.Is("object"):
		return smp.object(s, depth)
	}
	return "any" // a google.protobuf.Value
}

func (smp *sampler) str(s *openapi3.Schema) any {
	switch s.Format {
	case "int64", "uint64":
		return "42"
	case "date-time":
		return "2024-01-02T03:04:05.5Z"
	case "byte":
		return "aGk="
	}
	if s.Pattern == "" {
		return "s1"
	}
	re := regexp.MustCompile(s.Pattern)
	// A pattern of a path variable: literals, [^/]+ and .*.
	fromPattern := strings.NewReplacer(`^`, ``, `$`, ``, `[^/]+`, `x1`, `.*`, `a/b`, `\.`, `.`).Replace(s.Pattern)
	for _, c := range []string{fromPattern, "1.5s"} {
		if re.MatchString(c) {
			return c
		}
	}
	panic("no sample for pattern " + s.Pattern)
}

func (smp *sampler) object(s *openapi3.Schema, depth int) any {
	out := map[string]any{}
	if _, ok := s.Properties["@type"]; ok {
		// An Any: name a message of the document, with one of its fields.
		return map[string]any{"@type": "type.googleapis.com/kratos.test.library.v1.Shelf", "name": "packed"}
	}
	for name, p := range s.Properties {
		v := p.Value
		if v.ReadOnly {
			continue // not sent in requests
		}
		if depth >= 2 && !slices.Contains(s.Required, name) && (v.Type.Is("object") || len(v.AllOf) > 0) {
			continue // stop at recursive messages
		}
		out[name] = smp.value(v, depth+1)
	}
	if ap := s.AdditionalProperties.Schema; ap != nil && ap.Value != nil && len(s.Properties) == 0 {
		out["1"] = smp.value(ap.Value, depth+1) // a key for string and integer keys alike
	}
	// At most one member of each oneof.
	if s.Not != nil {
		pairs := s.Not.Value.AnyOf
		if len(pairs) == 0 {
			pairs = openapi3.SchemaRefs{s.Not}
		}
		for _, p := range pairs {
			req := p.Value.Required
			if len(req) == 2 && out[req[0]] != nil && out[req[1]] != nil {
				delete(out, req[1])
			}
		}
	}
	return out
}

// checkResponse validates a response against the document: status,
// content type and, for JSON and each Server-Sent Event, the body.
func (smp *sampler) checkResponse(t *testing.T, in *openapi3filter.RequestValidationInput, req *nethttp.Request, res *nethttp.Response, body []byte) {
	t.Helper()
	in.Options = &openapi3filter.Options{}
	ct := res.Header.Get("Content-Type")
	if req.Method == nethttp.MethodHead || !strings.HasPrefix(ct, "application/json") {
		in.Options.ExcludeResponseBody = true
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 res.StatusCode,
		Header:                 res.Header,
		Body:                   ioNopCloser(body),
		Options:                in.Options,
	}
	if strings.HasPrefix(ct, "text/event-stream") {
		smp.checkEvents(t, in, res.StatusCode, body)
		return
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s: response %d %s does not match the document: %v", req.Method, req.URL, res.StatusCode, body, err)
	}
}

// checkEvents validates the data of every event "message" against the
// schema of the text/event-stream response.
func (smp *sampler) checkEvents(t *testing.T, in *openapi3filter.RequestValidationInput, status int, body []byte) {
	t.Helper()
	resp := in.Route.Operation.Responses.Status(status)
	mt := resp.Value.Content.Get("text/event-stream")
	if mt == nil {
		t.Errorf("%s %s: the document has no text/event-stream response", in.Request.Method, in.Request.URL)
		return
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok {
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(strings.TrimSpace(data)), &v); err != nil {
			t.Fatal(err)
		}
		if err := mt.Schema.Value.VisitJSON(v); err != nil {
			t.Errorf("event %s does not match the document: %v", data, err)
		}
		n++
	}
	if n == 0 {
		t.Errorf("%s %s: no events in %q", in.Request.Method, in.Request.URL, body)
	}
}

// checkEcho checks that the server saw what the document made the request
// carry, for the operations whose replies echo their request.
func (smp *sampler) checkEcho(t *testing.T, id string, req *nethttp.Request, body []byte) {
	t.Helper()
	var got map[string]any
	_ = json.Unmarshal(body, &got)
	want := map[string]func() bool{
		"Library_GetBook":      func() bool { return got["name"] == "shelves/x1/books/x1" && got["title"] == "view=s1" },
		"Library_GetBook_1":    func() bool { return got["name"] == "a/b" },
		"Library_GetBookByRef": func() bool { return got["name"] == "s1|s1|s1" },
		"Library_UpdateBook":   func() bool { return got["name"] == "shelves/x1/books/x1" },
		"Library_ListBooks": func() bool {
			seen, _ := got["seen"].(map[string]any)
			page, _ := seen["page"].(map[string]any)
			labels, _ := seen["labels"].(map[string]any)
			return seen["pageSize"] == 7.0 && seen["genre"] == "NON_FICTION" && page["offset"] == "42" &&
				labels["1"] == "s1" && seen["since"] == "2024-01-02T03:04:05.500Z"
		},
		"Library_Query": func() bool {
			book, _ := got["book"].(map[string]any)
			return got["i64"] == "42" && got["alias"] == "s1" && got["took"] == "1.500s" && book["title"] == "s1"
		},
		"Library_Describe": func() bool {
			detail, _ := got["detail"].(map[string]any)
			return got["raw"] == "aGk=" && detail["name"] == "packed" && got["value"] == "any"
		},
	}
	if check, ok := want[id]; ok && !check() {
		t.Errorf("%s: %s %s answered %s, which does not echo the request", id, req.Method, req.URL, body)
	}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func ioNopCloser(b []byte) nopCloser { return nopCloser{bytes.NewReader(b)} }
