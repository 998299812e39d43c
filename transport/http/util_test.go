package http_test

import (
	"bufio"
	"io"
	"net/url"
)

type urlURL = url.URL

func parseURL(s string) (*url.URL, error) { return url.Parse(s) }

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }
