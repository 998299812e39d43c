package protoprint

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

// cmpDiff returns "" when want and got are equal, and otherwise the lines
// of their text forms that differ.
func cmpDiff(want, got proto.Message) string {
	if proto.Equal(want, got) {
		return ""
	}
	opts := prototext.MarshalOptions{Multiline: true, EmitUnknown: true}
	return lineDiff(opts.Format(want), opts.Format(got))
}

// lineDiff is a small diff: the common prefix and suffix are dropped, the
// rest is shown as - and + lines.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	i := 0
	for i < len(al) && i < len(bl) && al[i] == bl[i] {
		i++
	}
	j := 0
	for j < len(al)-i && j < len(bl)-i && al[len(al)-1-j] == bl[len(bl)-1-j] {
		j++
	}
	var out strings.Builder
	fmt.Fprintf(&out, "@@ line %d\n", i+1)
	for _, l := range al[i : len(al)-j] {
		out.WriteString("-" + l + "\n")
	}
	for _, l := range bl[i : len(bl)-j] {
		out.WriteString("+" + l + "\n")
	}
	return out.String()
}
