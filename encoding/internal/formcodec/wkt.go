package formcodec

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Full names of the well-known types written as a single form value.
const (
	timestampName   protoreflect.FullName = "google.protobuf.Timestamp"
	durationName    protoreflect.FullName = "google.protobuf.Duration"
	fieldMaskName   protoreflect.FullName = "google.protobuf.FieldMask"
	structName      protoreflect.FullName = "google.protobuf.Struct"
	valueName       protoreflect.FullName = "google.protobuf.Value"
	listValueName   protoreflect.FullName = "google.protobuf.ListValue"
	anyName         protoreflect.FullName = "google.protobuf.Any"
	emptyName       protoreflect.FullName = "google.protobuf.Empty"
	nullValueName   protoreflect.FullName = "google.protobuf.NullValue"
	doubleValueName protoreflect.FullName = "google.protobuf.DoubleValue"
	floatValueName  protoreflect.FullName = "google.protobuf.FloatValue"
	int64ValueName  protoreflect.FullName = "google.protobuf.Int64Value"
	uint64ValueName protoreflect.FullName = "google.protobuf.UInt64Value"
	int32ValueName  protoreflect.FullName = "google.protobuf.Int32Value"
	uint32ValueName protoreflect.FullName = "google.protobuf.UInt32Value"
	boolValueName   protoreflect.FullName = "google.protobuf.BoolValue"
	stringValueName protoreflect.FullName = "google.protobuf.StringValue"
	bytesValueName  protoreflect.FullName = "google.protobuf.BytesValue"
)

// null is the form value that leaves nullable well-known types unset.
const null = "null"

// Range limits of Timestamp and Duration, from their definitions.
const (
	minTimestampSeconds = -62135596800 // 0001-01-01T00:00:00Z
	maxTimestampSeconds = 253402300799 // 9999-12-31T23:59:59Z
	maxDurationSeconds  = 315576000000 // 10000 years
)

// isScalarMessage reports whether messages of type name are written as one
// form value rather than as one key per field.
func isScalarMessage(name protoreflect.FullName) bool {
	switch name {
	case timestampName, durationName, fieldMaskName, structName, valueName, listValueName, anyName,
		doubleValueName, floatValueName, int64ValueName, uint64ValueName, int32ValueName,
		uint32ValueName, boolValueName, stringValueName, bytesValueName:
		return true
	}
	return false
}

// formatMessage writes a well-known type as one form value.
func formatMessage(m protoreflect.Message) (string, error) {
	md := m.Descriptor()
	fields := md.Fields()
	switch name := md.FullName(); name {
	case timestampName:
		return formatTimestamp(m.Get(fields.ByNumber(1)).Int(), m.Get(fields.ByNumber(2)).Int())
	case durationName:
		return formatDuration(m.Get(fields.ByNumber(1)).Int(), m.Get(fields.ByNumber(2)).Int())
	case doubleValueName, floatValueName, int64ValueName, uint64ValueName, int32ValueName,
		uint32ValueName, boolValueName, stringValueName:
		return m.Get(fields.ByNumber(1)).String(), nil
	case bytesValueName:
		return base64.StdEncoding.EncodeToString(m.Get(fields.ByNumber(1)).Bytes()), nil
	case fieldMaskName:
		paths := m.Get(fields.ByNumber(1)).List()
		var b strings.Builder
		for i := range paths.Len() {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(camelCase(paths.Get(i).String()))
		}
		return b.String(), nil
	case valueName:
		if fd := m.WhichOneof(md.Oneofs().ByName("kind")); fd != nil && fd.Name() == "string_value" {
			return m.Get(fd).String(), nil
		}
		return formatJSON(m)
	case structName, listValueName, anyName:
		return formatJSON(m)
	default:
		return "", fmt.Errorf("message %s cannot be written as a single value", name)
	}
}

func formatJSON(m protoreflect.Message) (string, error) {
	b, err := protojson.Marshal(m.Interface())
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// formatTimestamp writes a Timestamp in RFC 3339 form in UTC, with 0, 3, 6
// or 9 fractional digits, as protojson does.
func formatTimestamp(secs, nanos int64) (string, error) {
	if secs < minTimestampSeconds || secs > maxTimestampSeconds {
		return "", fmt.Errorf("timestamp seconds %d out of range", secs)
	}
	if nanos < 0 || nanos >= 1e9 {
		return "", fmt.Errorf("timestamp nanos %d out of range", nanos)
	}
	s := time.Unix(secs, nanos).UTC().Format("2006-01-02T15:04:05.000000000")
	s = strings.TrimSuffix(s, "000")
	s = strings.TrimSuffix(s, "000")
	s = strings.TrimSuffix(s, ".000")
	return s + "Z", nil
}

// formatDuration writes a Duration the way time.Duration.String does
// ("1.5s", "2m0.000000022s"). Durations beyond the range of time.Duration
// (about 292 years) are written in protojson's form, "<seconds>.<frac>s".
func formatDuration(secs, nanos int64) (string, error) {
	if secs < -maxDurationSeconds || secs > maxDurationSeconds {
		return "", fmt.Errorf("duration seconds %d out of range", secs)
	}
	if nanos <= -1e9 || nanos >= 1e9 || (secs > 0 && nanos < 0) || (secs < 0 && nanos > 0) {
		return "", fmt.Errorf("duration nanos %d out of range", nanos)
	}
	const maxSecs = math.MaxInt64 / int64(time.Second)
	if secs >= -maxSecs && secs <= maxSecs {
		d := secs * int64(time.Second)
		if (nanos >= 0 && d <= math.MaxInt64-nanos) || (nanos < 0 && d >= math.MinInt64-nanos) {
			return time.Duration(d + nanos).String(), nil
		}
	}
	sign := ""
	if secs < 0 {
		sign, secs, nanos = "-", -secs, -nanos
	}
	s := sign + strconv.FormatInt(secs, 10)
	if nanos != 0 {
		frac := strings.TrimRight(fmt.Sprintf("%09d", nanos), "0")
		s += "." + frac
	}
	return s + "s", nil
}

// parseMessage reads a well-known type from one form value. It reports
// false, without error, when the value stands for an unset field ("null"
// for the types that cannot hold that string).
func parseMessage(md protoreflect.MessageDescriptor, s string) (proto.Message, bool, error) {
	switch name := md.FullName(); name {
	case timestampName:
		if s == null {
			return nil, false, nil
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, false, err
		}
		ts := timestamppb.New(t)
		if err := ts.CheckValid(); err != nil {
			return nil, false, err
		}
		return ts, true, nil
	case durationName:
		if s == null {
			return nil, false, nil
		}
		d, err := parseDuration(s)
		if err != nil {
			return nil, false, err
		}
		return d, true, nil
	case doubleValueName:
		if s == null {
			return nil, false, nil
		}
		v, err := strconv.ParseFloat(s, 64)
		return wrapperspb.Double(v), err == nil, err
	case floatValueName:
		if s == null {
			return nil, false, nil
		}
		v, err := strconv.ParseFloat(s, 32)
		return wrapperspb.Float(float32(v)), err == nil, err
	case int64ValueName:
		if s == null {
			return nil, false, nil
		}
		v, err := strconv.ParseInt(s, 10, 64)
		return wrapperspb.Int64(v), err == nil, err
	case uint64ValueName:
		if s == null {
			return nil, false, nil
		}
		v, err := strconv.ParseUint(s, 10, 64)
		return wrapperspb.UInt64(v), err == nil, err
	case int32ValueName:
		if s == null {
			return nil, false, nil
		}
		v, err := strconv.ParseInt(s, 10, 32)
		return wrapperspb.Int32(int32(v)), err == nil, err
	case uint32ValueName:
		if s == null {
			return nil, false, nil
		}
		v, err := strconv.ParseUint(s, 10, 32)
		return wrapperspb.UInt32(uint32(v)), err == nil, err
	case boolValueName:
		if s == null {
			return nil, false, nil
		}
		v, err := strconv.ParseBool(s)
		return wrapperspb.Bool(v), err == nil, err
	case stringValueName:
		if err := checkUTF8(s); err != nil {
			return nil, false, err
		}
		return wrapperspb.String(s), true, nil
	case bytesValueName:
		b, err := decodeBytes(s)
		return wrapperspb.Bytes(b), err == nil, err
	case fieldMaskName:
		fm := &fieldmaskpb.FieldMask{}
		for p := range strings.SplitSeq(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				if err := checkUTF8(p); err != nil {
					return nil, false, err
				}
				fm.Paths = append(fm.Paths, snakeCase(p))
			}
		}
		// A mask without paths is read like an empty value: unset.
		return fm, len(fm.Paths) > 0, nil
	case valueName:
		if err := checkUTF8(s); err != nil {
			return nil, false, err
		}
		return structpb.NewStringValue(s), true, nil
	case structName:
		return parseJSON(s, &structpb.Struct{})
	case listValueName:
		return parseJSON(s, &structpb.ListValue{})
	case anyName:
		return parseJSON(s, &anypb.Any{})
	case emptyName:
		return &emptypb.Empty{}, true, nil
	default:
		return nil, false, fmt.Errorf("message %s cannot be set from a single value; set its fields as %q", name, "field.subfield=value")
	}
}

func parseJSON(s string, m proto.Message) (proto.Message, bool, error) {
	opts := protojson.UnmarshalOptions{RecursionLimit: maxDepth}
	if err := opts.Unmarshal([]byte(s), m); err != nil {
		return nil, false, err
	}
	return m, true, nil
}

// parseDuration accepts Go duration syntax ("1.5s", "1h2m") and, for values
// beyond the range of time.Duration, protojson's "<seconds>.<frac>s".
func parseDuration(s string) (*durationpb.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return durationpb.New(d), nil
	}
	body, ok := strings.CutSuffix(s, "s")
	if !ok || body == "" {
		return nil, fmt.Errorf("invalid duration %q", s)
	}
	neg := false
	if body[0] == '-' {
		neg, body = true, body[1:]
	}
	whole, frac, hasFrac := strings.Cut(body, ".")
	if whole == "" || !allDigits(whole) || len(whole) > 12 || (hasFrac && (frac == "" || len(frac) > 9 || !allDigits(frac))) {
		return nil, fmt.Errorf("invalid duration %q", s)
	}
	secs, _ := strconv.ParseInt(whole, 10, 64)
	var nanos int64
	if hasFrac {
		nanos, _ = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	}
	if neg {
		secs, nanos = -secs, -nanos
	}
	d := &durationpb.Duration{Seconds: secs, Nanos: int32(nanos)}
	if err := d.CheckValid(); err != nil {
		return nil, fmt.Errorf("invalid duration %q: %w", s, err)
	}
	return d, nil
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// decodeBytes accepts standard and URL-safe base64, padded or not. A space
// is read as '+', which form encoding turns into a space when a client
// forgets to escape it.
func decodeBytes(s string) ([]byte, error) {
	s = strings.ReplaceAll(s, " ", "+")
	enc := base64.StdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.URLEncoding
	}
	if len(s)%4 != 0 {
		enc = enc.WithPadding(base64.NoPadding)
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, errors.New("invalid base64 data")
	}
	return b, nil
}

// camelCase turns a snake_case field mask path into lowerCamelCase, keeping
// the dots between path elements: "user.display_name" -> "user.displayName".
func camelCase(s string) string {
	if !strings.Contains(s, "_") {
		return s
	}
	b := make([]byte, 0, len(s))
	upper := false
	for i := range len(s) {
		c := s[i]
		if c == '_' {
			upper = true
			continue
		}
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		upper = false
		b = append(b, c)
	}
	return string(b)
}

// snakeCase turns a lowerCamelCase field mask path back into snake_case.
func snakeCase(s string) string {
	n := 0
	for i := range len(s) {
		if 'A' <= s[i] && s[i] <= 'Z' {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+n)
	for i := range len(s) {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			b = append(b, '_', c+'a'-'A')
			continue
		}
		b = append(b, c)
	}
	return string(b)
}
