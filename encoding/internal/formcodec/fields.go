package formcodec

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// structField is one field of a plain Go struct as the form codec sees it.
type structField struct {
	name      string
	index     []int // through embedded structs, for reflect.Value.FieldByIndex
	omitEmpty bool
}

type structInfo struct {
	fields []structField
	byName map[string]*structField
}

var structCache sync.Map // reflect.Type -> *structInfo

// fieldsOf returns the form fields of the struct type t, computed once.
//
// A field's name comes from its `form` tag, else its `json` tag, else the Go
// field name; "-" as the name skips the field and ",omitempty" omits zero
// values when encoding. Unexported fields are skipped. The fields of an
// embedded struct without a tag name are promoted, a field of the outer
// struct winning over a promoted one of the same name.
func fieldsOf(t reflect.Type) *structInfo {
	if si, ok := structCache.Load(t); ok {
		return si.(*structInfo)
	}
	var fields []structField
	collectFields(t, nil, map[reflect.Type]bool{t: true}, &fields)
	// Shallower fields shadow promoted ones of the same name.
	slices.SortStableFunc(fields, func(a, b structField) int { return cmp.Compare(len(a.index), len(b.index)) })
	si := &structInfo{byName: make(map[string]*structField, len(fields))}
	taken := make(map[string]bool, len(fields))
	for _, f := range fields {
		if !taken[f.name] {
			taken[f.name] = true
			si.fields = append(si.fields, f)
		}
	}
	// Encode in declaration order.
	slices.SortFunc(si.fields, func(a, b structField) int { return slices.Compare(a.index, b.index) })
	for i := range si.fields {
		si.byName[si.fields[i].name] = &si.fields[i]
	}
	actual, _ := structCache.LoadOrStore(t, si)
	return actual.(*structInfo)
}

func collectFields(t reflect.Type, parent []int, seen map[reflect.Type]bool, out *[]structField) {
	for i := range t.NumField() {
		sf := t.Field(i)
		name, opts, tagged := fieldTag(sf)
		if name == "-" && !tagged {
			continue
		}
		index := append(slices.Clip(parent), i)
		if sf.Anonymous && name == "" {
			et := sf.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				if !seen[et] && (sf.IsExported() || sf.Type.Kind() != reflect.Pointer) {
					seen[et] = true
					collectFields(et, index, seen, out)
					delete(seen, et)
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		*out = append(*out, structField{name: name, index: index, omitEmpty: hasOption(opts, "omitempty")})
	}
}

// fieldTag returns the name and options of the form tag of sf, else of its
// json tag. tagged is false when the chosen tag is exactly "-", which skips
// the field ("-," names it "-").
func fieldTag(sf reflect.StructField) (name, opts string, tagged bool) {
	tag, ok := sf.Tag.Lookup("form")
	if !ok {
		tag, ok = sf.Tag.Lookup("json")
	}
	if !ok {
		return "", "", true
	}
	if tag == "-" {
		return "-", "", false
	}
	name, opts, _ = strings.Cut(tag, ",")
	return name, opts, true
}

func hasOption(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}
