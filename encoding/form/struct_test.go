package form_test

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/form"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/testpb"
)

type loginRequest struct {
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
}

type address struct {
	Street string `json:"street"`
	Zip    int    `json:"zip,omitempty"`
}

type Base struct {
	Extra string `json:"extra"`
	Name  string `json:"shadowed"`
}

type user struct {
	Base
	Name    string            `json:"name"`
	Age     int               `json:"age,omitempty"`
	Nick    string            `form:"nick_name" json:"nick"`
	Skip    string            `json:"-"`
	Dash    string            `json:"-,"`
	Tags    []string          `json:"tags"`
	Home    address           `json:"home"`
	Work    *address          `json:"work,omitempty"`
	Past    []address         `json:"past"`
	Attrs   map[string]string `json:"attrs"`
	Scores  map[string][]int  `json:"scores"`
	Born    time.Time         `json:"born"`
	Data    []byte            `json:"data"`
	Active  bool              `json:"active"`
	Ratio   float32           `json:"ratio"`
	Count   *uint8            `json:"count"`
	Inner   *testpb.Inner     `json:"inner"`
	Any     any               `json:"any"`
	Grid    [2]int            `json:"grid"`
	ByID    map[int]*address  `json:"by_id"`
	private int
	NoTag   string
}

func TestEncodeValuesStruct(t *testing.T) {
	count := uint8(7)
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"nil", nil, ""},
		{"nil pointer", (*user)(nil), ""},
		{"login", &loginRequest{Username: "kratos", Password: "kratos_pwd"}, "password=kratos_pwd&username=kratos"},
		{"omitempty", loginRequest{Username: "kratos"}, "username=kratos"},
		{"zero values without omitempty", user{}, "-=&NoTag=&active=false&born=0001-01-01T00%3A00%3A00Z&extra=&grid=0&grid=0&home.street=&name=&nick_name=&ratio=0&shadowed="},
		{"everything", &user{
			Base: Base{Extra: "x", Name: "shadow"}, Name: "ann", Age: 3, Nick: "a", Skip: "s", Dash: "d",
			Tags: []string{"a", "b"}, Home: address{Street: "s1", Zip: 1}, Work: &address{Street: "w"},
			Past: []address{{Street: "p0"}, {Zip: 2}}, Attrs: map[string]string{"k": "v"},
			Scores: map[string][]int{"m": {1, 2}}, Born: time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC),
			Data: []byte{0xfb, 0xff}, Active: true, Ratio: 0.5, Count: &count, Inner: &testpb.Inner{Name: "i"},
			Any: 5, Grid: [2]int{1, 2}, ByID: map[int]*address{3: {Street: "b"}}, private: 1, NoTag: "n",
		}, "-=d&NoTag=n&active=true&age=3&any=5&attrs%5Bk%5D=v&born=2024-01-02T03%3A04%3A05.000000006Z&by_id%5B3%5D.street=b&count=7&data=%2B%2F8%3D&extra=x&grid=1&grid=2&home.street=s1&home.zip=1&inner.name=i&name=ann&nick_name=a&past%5B0%5D.street=p0&past%5B1%5D.street=&past%5B1%5D.zip=2&ratio=0.5&scores%5Bm%5D=1&scores%5Bm%5D=2&shadowed=shadow&tags=a&tags=b&work.street=w"},
		{"map", map[string]any{"a": 1, "b": []string{"x", "y"}}, "a=1&b=x&b=y"},
		{"url.Values", url.Values{"a": {"1", "2"}}, "a=1&a=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := form.EncodeValues(tt.v)
			if err != nil {
				t.Fatalf("EncodeValues() error = %v", err)
			}
			if got := vs.Encode(); got != tt.want {
				t.Errorf("EncodeValues() = %q, want %q", got, tt.want)
			}
		})
	}
}

type node struct {
	Name string `json:"name"`
	Next *node  `json:"next"`
}

func TestEncodeValuesStructErrors(t *testing.T) {
	cyclic := &node{Name: "a"}
	cyclic.Next = cyclic
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"scalar", 5, "cannot encode int: need a struct or a map"},
		{"slice", []int{1}, "cannot encode []int: need a struct or a map"},
		{"func field", struct{ F func() }{F: func() {}}, "F: cannot encode value of type func()"},
		{"struct map key", map[address]int{{}: 1}, "cannot encode map key"},
		{"cycle", cyclic, "nested deeper than 100 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := form.EncodeValues(tt.v)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("EncodeValues() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestDecodeStruct(t *testing.T) {
	count := uint8(7)
	tests := []struct {
		name  string
		query string
		want  user
	}{
		{"empty", "", user{}},
		{"scalars", "name=ann&age=3&active=on&ratio=0.5&count=7&NoTag=n", user{Name: "ann", Age: 3, Active: true, Ratio: 0.5, Count: &count, NoTag: "n"}},
		{"form tag wins over json tag", "nick_name=a&nick=b", user{Nick: "a"}},
		{"skipped and dash", "Skip=s&-=d", user{Dash: "d"}},
		{"promoted and shadowed", "extra=x&shadowed=s", user{Base: Base{Extra: "x", Name: "s"}}},
		{"slices", "tags=a&tags=b", user{Tags: []string{"a", "b"}}},
		{"slice appends", "tags[]=a&tags[]=b", user{Tags: []string{"a", "b"}}},
		{"slice indexes", "tags[2]=c&tags[0]=a", user{Tags: []string{"a", "", "c"}}},
		{"nested", "home.street=s&home.zip=1&work.street=w", user{Home: address{Street: "s", Zip: 1}, Work: &address{Street: "w"}}},
		{"indexed structs", "past[1].zip=2&past[0].street=p", user{Past: []address{{Street: "p"}, {Zip: 2}}}},
		{"maps", "attrs[k]=v&attrs.j=w&scores[m]=1&scores[m]=2&by_id[3].street=b", user{
			Attrs: map[string]string{"k": "v", "j": "w"}, Scores: map[string][]int{"m": {1, 2}}, ByID: map[int]*address{3: {Street: "b"}},
		}},
		{"time", "born=2024-01-02T03:04:05Z", user{Born: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}},
		{"bytes", "data=-_8", user{Data: []byte{0xfb, 0xff}}},
		{"proto field", "inner.name=i&inner.tags=a", user{Inner: &testpb.Inner{Name: "i", Tags: []string{"a"}}}},
		{"interface", "any=x", user{Any: "x"}},
		{"interface many", "any=x&any=y", user{Any: []string{"x", "y"}}},
		{"array", "grid=1&grid[1]=2", user{Grid: [2]int{1, 2}}},
		{"empty values leave numbers unset", "age=&active=&born=&count=", user{}},
		{"unknown keys are ignored", "nope=1&home.nope=2&nope[=3&nope.a..b=4", user{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got user
			if err := encoding.GetCodec(form.Name).Unmarshal([]byte(tt.query), &got); err != nil {
				t.Fatalf("Unmarshal(%q) error = %v", tt.query, err)
			}
			if tt.name == "proto field" {
				if !proto.Equal(got.Inner, tt.want.Inner) {
					t.Errorf("Unmarshal(%q).Inner = %v, want %v", tt.query, got.Inner, tt.want.Inner)
				}
				got.Inner, tt.want.Inner = nil, nil
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Unmarshal(%q) = %+v, want %+v", tt.query, got, tt.want)
			}
		})
	}
}

func TestDecodeStructErrors(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{"type mismatch", "age=abc", `form: key "age": strconv.ParseInt: parsing "abc": invalid syntax`},
		{"overflow", "count=256", "value out of range"},
		{"bool", "active=maybe", "ParseBool"},
		{"time", "born=yesterday", "parsing time"},
		{"bytes", "data=!!", "invalid base64"},
		{"struct from a value", "home=x", "cannot set form_test.address from a single value"},
		{"path through a scalar", "name.x=1", "cannot set .x in a value of type string"},
		{"index on a scalar", "name[0]=1", "cannot index a value of type string"},
		{"index too large", "past[5000].zip=1", "out of range"},
		{"array index out of range", "grid[2]=1", "invalid index [2]"},
		{"too many array values", "grid=1&grid=2&grid=3", "3 values for [2]int"},
		{"bad map key", "by_id[x].street=1", "map key: strconv.ParseInt"},
		{"malformed known key", "home..street=1", "empty field name"},
		{"proto field", "inner.level=x", "field level"},
		{"append in the middle", "tags[].x=1", "[] must end the key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got user
			err := encoding.GetCodec(form.Name).Unmarshal([]byte(tt.query), &got)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Unmarshal(%q) error = %v, want one containing %q", tt.query, err, tt.want)
			}
		})
	}
}

func TestStructRoundTrip(t *testing.T) {
	count := uint8(9)
	in := user{
		Base: Base{Extra: "x"}, Name: "ann", Age: 3, Nick: "a", Tags: []string{"a", "b"}, Home: address{Street: "s1"},
		Work: &address{Street: "w", Zip: 4}, Past: []address{{Street: "p0"}, {Zip: 2}}, Attrs: map[string]string{"k.j": "v"},
		Scores: map[string][]int{"m": {1, 2}}, Born: time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC), Data: []byte{0xfb, 0xff},
		Active: true, Ratio: 0.1, Count: &count, Any: "z", Grid: [2]int{1, 2}, ByID: map[int]*address{-3: {Street: "b"}}, NoTag: "n",
	}
	c := encoding.GetCodec(form.Name)
	b, err := c.Marshal(&in)
	if err != nil {
		t.Fatalf("Marshal() error = %v", err)
	}
	var got user
	if err := c.Unmarshal(b, &got); err != nil {
		t.Fatalf("Unmarshal(%q) error = %v", b, err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Errorf("round trip of %q = %+v, want %+v", b, got, in)
	}
}

func TestDecodeMap(t *testing.T) {
	tests := []struct {
		name  string
		query string
		v     any
		want  any
	}{
		{"strings", "a=1&a=2&b=3", &map[string]string{}, &map[string]string{"a": "1", "b": "3"}},
		{"slices", "a=1&a=2", &map[string][]int{}, &map[string][]int{"a": {1, 2}}},
		{"any", "a=1&b=2&b=3", &map[string]any{}, &map[string]any{"a": "1", "b": []string{"2", "3"}}},
		{"nil map is allocated", "a[x]=1", new(map[string]map[string]int), &map[string]map[string]int{"a": {"x": 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := encoding.GetCodec(form.Name).Unmarshal([]byte(tt.query), tt.v); err != nil {
				t.Fatalf("Unmarshal(%q) error = %v", tt.query, err)
			}
			if !reflect.DeepEqual(tt.v, tt.want) {
				t.Errorf("Unmarshal(%q) = %v, want %v", tt.query, tt.v, tt.want)
			}
		})
	}
}

type hidden struct {
	Secret string `json:"secret"`
}

type withPointers struct {
	*Base
	*hidden
	At      *timestamppb.Timestamp `json:"at"`
	Timeout *durationpb.Duration   `json:"timeout"`
	Flag    bool                   `json:"flag"`
	Words   []string               `json:"words"`
}

func TestDecodeStructPointers(t *testing.T) {
	var got withPointers
	q := "extra=x&secret=s&at=2024-01-02T03:04:05Z&timeout=2s&flag=off&words=&words=a"
	if err := encoding.GetCodec(form.Name).Unmarshal([]byte(q), &got); err != nil {
		t.Fatalf("Unmarshal(%q) error = %v", q, err)
	}
	if got.Base == nil || got.Extra != "x" {
		t.Errorf("Unmarshal(%q).Base = %+v, want an allocated Base with Extra x", q, got.Base)
	}
	if got.hidden != nil {
		t.Errorf("Unmarshal(%q).hidden = %+v, want nil: an unexported embedded pointer cannot be set", q, got.hidden)
	}
	if want := timestamppb.New(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)); !proto.Equal(got.At, want) {
		t.Errorf("Unmarshal(%q).At = %v, want %v", q, got.At, want)
	}
	if got.Timeout.AsDuration() != 2*time.Second {
		t.Errorf("Unmarshal(%q).Timeout = %v, want 2s", q, got.Timeout)
	}
	if got.Flag {
		t.Errorf("Unmarshal(%q).Flag = true, want false", q)
	}
	if len(got.Words) != 2 || got.Words[0] != "" || got.Words[1] != "a" {
		t.Errorf("Unmarshal(%q).Words = %q, want [\"\" a]", q, got.Words)
	}

	vs, err := form.EncodeValues(&got)
	if err != nil {
		t.Fatalf("EncodeValues() error = %v", err)
	}
	if got, want := vs.Encode(), "at=2024-01-02T03%3A04%3A05Z&extra=x&flag=false&shadowed=&timeout=2s&words=&words=a"; got != want {
		t.Errorf("EncodeValues() = %q, want %q", got, want)
	}

	if err := encoding.GetCodec(form.Name).Unmarshal([]byte("at=x"), &got); err == nil || !strings.Contains(err.Error(), "parsing time") {
		t.Errorf("Unmarshal(at=x) error = %v, want a time error", err)
	}
	if err := encoding.GetCodec(form.Name).Unmarshal([]byte("at.seconds=5"), &got); err != nil || got.At.GetSeconds() != 5 {
		t.Errorf("Unmarshal(at.seconds=5) = %v, %v, want seconds 5", got.At, err)
	}
}
