package http_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"strings"
)

type urlURL = url.URL

func parseURL(s string) (*url.URL, error) { return url.Parse(s) }

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }

// compact removes the insignificant spaces of a JSON body (protojson varies
// them on purpose); a body that is not JSON is returned as it is.
func compact(s string) string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		return s
	}
	return b.String()
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }
