package xml_test

import (
	"strings"
	"testing"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/xml"
)

type plain struct {
	A int    `xml:"a"`
	B string `xml:"b,attr"`
}

func TestRoundTrip(t *testing.T) {
	c := encoding.GetCodec(xml.Name)
	if got, want := c.Name(), "xml"; got != want {
		t.Fatalf("Name() = %q, want %q", got, want)
	}
	b, err := c.Marshal(plain{A: 1, B: "x"})
	if err != nil {
		t.Fatalf("Marshal() error = %v", err)
	}
	if got, want := string(b), `<plain b="x"><a>1</a></plain>`; got != want {
		t.Errorf("Marshal() = %s, want %s", got, want)
	}
	var got plain
	if err := c.Unmarshal(b, &got); err != nil {
		t.Fatalf("Unmarshal() error = %v", err)
	}
	if want := (plain{A: 1, B: "x"}); got != want {
		t.Errorf("Unmarshal() = %+v, want %+v", got, want)
	}
}

func TestErrors(t *testing.T) {
	c := encoding.GetCodec(xml.Name)
	tests := []struct {
		name string
		data string
		v    any
	}{
		{"malformed", "<plain><a>1</plain>", &plain{}},
		{"wrong type", "<plain><a>x</a></plain>", &plain{}},
		{"non-pointer", "<plain/>", plain{}},
		{"empty", "", &plain{}},
		{"deep", strings.Repeat("<a>", 100000), &plain{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.Unmarshal([]byte(tt.data), tt.v); err == nil {
				t.Fatalf("Unmarshal(%.20q) error = nil, want an error", tt.data)
			}
		})
	}
	if _, err := c.Marshal(make(chan int)); err == nil {
		t.Error("Marshal(chan) error = nil, want an error")
	}
}
