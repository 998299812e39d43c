package form_test

import (
	"net/url"

	"testing"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/form"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
)

var fuzzSeeds = []string{
	"",
	"age=3&id=-5&userName=ann&active=true&ratio=0.5&payload=-_8",
	"color=RED&colors=1&colors=GREEN",
	"inner.name=x&inner.child.child.level=2&inner.tags=a&inner.tags=b",
	"numbers=1&numbers[3]=4&names[]=a&names=",
	"items[0].name=a&items[2].tags[1]=b",
	"labels[a.b]=c&labels.k=v&codes[7]=x&flags[true]=1&children[c].level=1&children.d.name=n",
	"text=a&number=1",
	"nested.name=x",
	"createdAt=2024-01-02T03:04:05.5Z&timeout=1.5s&times=1970-01-01T00:00:00Z",
	"timeout=-315576000000.999999999s&createdAt=null",
	"maxCount=1&bigCount=2&smallUnsigned=3&bigUnsigned=4&fraction=0.1&precise=NaN&enabled=t&nickname=n&blob=aGk",
	"updateMask=userName,inner.childName",
	`meta={"a":[1,{"b":null}]}&extra=e&list=[true]&nothing=1`,
	"meta.a.b=1&meta.a.c=2&extra.k=v",
	"customName=c&custom=d&maybe=m&nullValue=null",
	"a=%zz", "a[=1", "a..b=1", "age=abc", "userName=%ff", "inner]=1", "labels[a=1",
	"name=ann&age=3&tags=a&tags[2]=b&home.street=s&past[1].zip=2&attrs[k]=v&scores.m=1&born=2024-01-02T03:04:05Z",
	"data=aGk&active=on&count=255&inner.name=i&any=x&any=y&grid[1]=2&by_id[3].street=b",
}

// FuzzFormUnmarshal feeds arbitrary query strings to the form codec, into
// a protobuf message and into a plain struct. Decoding may fail but must
// not panic; whatever decodes must encode, and the encoding of a decoded
// message must decode to a message with the same encoding.
func FuzzFormUnmarshal(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	codec := encoding.GetCodec(form.Name)
	f.Fuzz(func(t *testing.T, data []byte) {
		msg := &testpb.Everything{}
		if err := codec.Unmarshal(data, msg); err == nil {
			first, err := codec.Marshal(msg)
			if err != nil {
				t.Fatalf("Marshal(%v) after Unmarshal(%q) error = %v", msg, data, err)
			}
			again := &testpb.Everything{}
			if err := codec.Unmarshal(first, again); err != nil {
				t.Fatalf("Unmarshal(%q), the encoding of %v, error = %v", first, msg, err)
			}
			second, err := codec.Marshal(again)
			if err != nil {
				t.Fatalf("Marshal(%v) error = %v", again, err)
			}
			if string(first) != string(second) {
				t.Fatalf("encoding not stable after a round trip: first %q, second %q (input %q)", first, second, data)
			}
		}

		var u user
		if err := codec.Unmarshal(data, &u); err == nil {
			b, err := codec.Marshal(&u)
			if err != nil {
				t.Fatalf("Marshal(%+v) after Unmarshal(%q) error = %v", u, data, err)
			}
			var again user
			if err := codec.Unmarshal(b, &again); err != nil {
				t.Fatalf("Unmarshal(%q), the encoding of %+v, error = %v", b, u, err)
			}
		}

		var m map[string]any
		_ = codec.Unmarshal(data, &m)
	})
}

// FuzzDecodeValues calls DecodeValues with arbitrary keys and values,
// including bytes a parsed query string cannot produce unescaped.
func FuzzDecodeValues(f *testing.F) {
	f.Add("items[1].tags[0]", "x", "labels[a]b]", "c")
	f.Add("meta.a.b", "1", "extra", "")
	f.Add("children.c.child.level", "2", "payload", "+/8=")
	f.Add("timeout", "1.5s", "updateMask", "a,b&c=d")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		vs := url.Values{}
		vs.Add(k1, v1)
		vs.Add(k2, v2)
		msg := &testpb.Everything{}
		if err := form.DecodeValues(msg, vs); err != nil {
			return
		}
		// Repeated and map fields of messages are left out with an error,
		// as on Kratos; the other fields are still returned.
		if vs, err := form.EncodeValues(msg); err != nil && vs == nil {
			t.Fatalf("EncodeValues(%v) after DecodeValues(%v) error = %v", msg, vs, err)
		}
	})
}
