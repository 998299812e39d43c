package config

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"
)

type stringer struct{}

func (stringer) String() string { return "stringer" }

func TestValueBool(t *testing.T) {
	tests := []struct {
		in      any
		want    bool
		wantErr bool
	}{
		{in: true, want: true},
		{in: false, want: false},
		{in: "true", want: true},
		{in: "FALSE", want: false},
		{in: "t", want: true},
		{in: "1", want: true},
		{in: []byte("0"), want: false},
		{in: 1, want: true},
		{in: int64(0), want: false},
		{in: uint8(1), want: true},
		{in: 1.0, want: true},
		{in: 2, wantErr: true},
		{in: "yes", wantErr: true},
		{in: nil, wantErr: true},
		{in: []any{true}, wantErr: true},
		{in: map[string]any{}, wantErr: true},
	}
	for _, tt := range tests {
		got, err := newValue(tt.in).Bool()
		if (err != nil) != tt.wantErr {
			t.Errorf("Bool() of %#v: error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("Bool() of %#v = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValueInt(t *testing.T) {
	tests := []struct {
		in      any
		want    int64
		wantErr bool
	}{
		{in: 42, want: 42},
		{in: int8(-8), want: -8},
		{in: int16(16), want: 16},
		{in: int32(32), want: 32},
		{in: int64(math.MaxInt64), want: math.MaxInt64},
		{in: uint(7), want: 7},
		{in: uint8(8), want: 8},
		{in: uint16(16), want: 16},
		{in: uint32(32), want: 32},
		{in: uint64(64), want: 64},
		{in: float32(2.5), want: 2},
		{in: -3.9, want: -3},
		{in: "42", want: 42},
		{in: "-7", want: -7},
		{in: []byte("9"), want: 9},
		{in: uint64(math.MaxUint64), wantErr: true},
		{in: math.Inf(1), wantErr: true},
		{in: math.NaN(), wantErr: true},
		{in: "4.2", wantErr: true},
		{in: "x", wantErr: true},
		{in: true, wantErr: true},
		{in: nil, wantErr: true},
	}
	for _, tt := range tests {
		got, err := newValue(tt.in).Int()
		if (err != nil) != tt.wantErr {
			t.Errorf("Int() of %#v: error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("Int() of %#v = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValueFloat(t *testing.T) {
	tests := []struct {
		in      any
		want    float64
		wantErr bool
	}{
		{in: 1.5, want: 1.5},
		{in: float32(0.5), want: 0.5},
		{in: 3, want: 3},
		{in: int8(-1), want: -1},
		{in: int16(2), want: 2},
		{in: int32(3), want: 3},
		{in: int64(4), want: 4},
		{in: uint(5), want: 5},
		{in: uint8(6), want: 6},
		{in: uint16(7), want: 7},
		{in: uint32(8), want: 8},
		{in: uint64(9), want: 9},
		{in: "2.25", want: 2.25},
		{in: "1e3", want: 1000},
		{in: []byte("-1"), want: -1},
		{in: "one", wantErr: true},
		{in: false, wantErr: true},
		{in: nil, wantErr: true},
	}
	for _, tt := range tests {
		got, err := newValue(tt.in).Float()
		if (err != nil) != tt.wantErr {
			t.Errorf("Float() of %#v: error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("Float() of %#v = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValueString(t *testing.T) {
	tests := []struct {
		in      any
		want    string
		wantErr bool
	}{
		{in: "s", want: "s"},
		{in: []byte("b"), want: "b"},
		{in: true, want: "true"},
		{in: 42, want: "42"},
		{in: int64(-1), want: "-1"},
		{in: uint16(3), want: "3"},
		{in: 1.5, want: "1.5"},
		{in: float32(0.25), want: "0.25"},
		{in: stringer{}, want: "stringer"},
		{in: nil, wantErr: true},
		{in: []any{"a"}, wantErr: true},
		{in: map[string]any{"a": 1}, wantErr: true},
	}
	for _, tt := range tests {
		got, err := newValue(tt.in).String()
		if (err != nil) != tt.wantErr {
			t.Errorf("String() of %#v: error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("String() of %#v = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValueDuration(t *testing.T) {
	tests := []struct {
		in      any
		want    time.Duration
		wantErr bool
	}{
		{in: 1000, want: time.Microsecond},
		{in: int64(time.Second), want: time.Second},
		{in: float64(5), want: 5},
		{in: "1.5s", want: 1500 * time.Millisecond},
		{in: "2m", want: 2 * time.Minute},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "100", want: 100},
		{in: []byte("3ms"), want: 3 * time.Millisecond},
		{in: "soon", wantErr: true},
		{in: true, wantErr: true},
		{in: nil, wantErr: true},
	}
	for _, tt := range tests {
		got, err := newValue(tt.in).Duration()
		if (err != nil) != tt.wantErr {
			t.Errorf("Duration() of %#v: error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("Duration() of %#v = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValueSliceAndMap(t *testing.T) {
	v := newValue([]any{"a", 2, map[string]any{"k": "v"}})
	list, err := v.Slice()
	if err != nil {
		t.Fatalf("Slice() error = %v", err)
	}
	if got, want := len(list), 3; got != want {
		t.Fatalf("len(Slice()) = %d, want %d", got, want)
	}
	if got, err := list[1].Int(); err != nil || got != 2 {
		t.Errorf("Slice()[1].Int() = %v, %v, want 2, nil", got, err)
	}
	m, err := list[2].Map()
	if err != nil {
		t.Fatalf("Slice()[2].Map() error = %v", err)
	}
	if got, err := m["k"].String(); err != nil || got != "v" {
		t.Errorf(`Map()["k"].String() = %q, %v, want "v", nil`, got, err)
	}
	if _, err := v.Map(); err == nil {
		t.Error("Map() of a list: error = nil, want an error")
	}
	if _, err := newValue("x").Slice(); err == nil {
		t.Error("Slice() of a string: error = nil, want an error")
	}
}

func TestValueScan(t *testing.T) {
	v := newValue(map[string]any{"name": "n", "port": 80, "tags": []any{"a", "b"}})
	var got struct {
		Name string   `json:"name"`
		Port int      `json:"port"`
		Tags []string `json:"tags"`
	}
	if err := v.Scan(&got); err != nil {
		t.Fatalf("Scan() error = %v", err)
	}
	if got.Name != "n" || got.Port != 80 || !reflect.DeepEqual(got.Tags, []string{"a", "b"}) {
		t.Errorf("Scan() = %+v, want {n 80 [a b]}", got)
	}
	var n int
	if err := newValue("not a number").Scan(&n); err == nil {
		t.Error("Scan() of a string into *int: error = nil, want an error")
	}
}

func TestValueStoreChangesType(t *testing.T) {
	v := newValue(1)
	v.Store("two")
	v.Store(nil)
	v.Store(map[string]any{"three": 3})
	if got, want := v.Load(), map[string]any{"three": 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("Load() = %v, want %v", got, want)
	}
	var zero atomicValue
	if got := zero.Load(); got != nil {
		t.Errorf("zero Value Load() = %v, want nil", got)
	}
}

func TestValueMissing(t *testing.T) {
	values := []Value{errValue{err: ErrNotFound}, func() Value { v := newValue(1); v.markMissing(); return v }()}
	for _, v := range values {
		if _, err := v.Bool(); !errors.Is(err, ErrNotFound) {
			t.Errorf("%T Bool() error = %v, want ErrNotFound", v, err)
		}
		if _, err := v.Int(); !errors.Is(err, ErrNotFound) {
			t.Errorf("%T Int() error = %v, want ErrNotFound", v, err)
		}
		if _, err := v.Float(); !errors.Is(err, ErrNotFound) {
			t.Errorf("%T Float() error = %v, want ErrNotFound", v, err)
		}
		if _, err := v.String(); !errors.Is(err, ErrNotFound) {
			t.Errorf("%T String() error = %v, want ErrNotFound", v, err)
		}
		if _, err := v.Duration(); !errors.Is(err, ErrNotFound) {
			t.Errorf("%T Duration() error = %v, want ErrNotFound", v, err)
		}
		if _, err := v.Slice(); !errors.Is(err, ErrNotFound) {
			t.Errorf("%T Slice() error = %v, want ErrNotFound", v, err)
		}
		if _, err := v.Map(); !errors.Is(err, ErrNotFound) {
			t.Errorf("%T Map() error = %v, want ErrNotFound", v, err)
		}
		if err := v.Scan(new(any)); !errors.Is(err, ErrNotFound) {
			t.Errorf("%T Scan() error = %v, want ErrNotFound", v, err)
		}
		if got := v.Load(); got != nil {
			t.Errorf("%T Load() = %v, want nil", v, got)
		}
	}
}
