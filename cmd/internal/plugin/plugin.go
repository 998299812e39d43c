// Package plugin holds what the protoc plugins of this module (httpgen,
// errorsgen, grpcgen) share about the request they are run with.
package plugin

import (
	"fmt"

	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
)

// CompilerVersion returns the version of the compiler that made the
// request, such as "v3.21.12", or "(unknown)" when the request does not
// say (as with an in-process compile).
func CompilerVersion(gen *protogen.Plugin) string {
	v := gen.Request.GetCompilerVersion()
	if v == nil {
		return "(unknown)"
	}
	s := fmt.Sprintf("v%d.%d.%d", v.GetMajor(), v.GetMinor(), v.GetPatch())
	if v.GetSuffix() != "" {
		s += "-" + v.GetSuffix()
	}
	return s
}

// Options returns descriptor options decoded again from their wire form
// with the extension types linked into the binary. A request built
// in-process (not read from protoc) may carry custom options as dynamic
// messages, which proto.GetExtension cannot return as the Go type;
// decoding them again makes them the Go type in every case. On any failure
// opts is returned as it is.
func Options(opts proto.Message) proto.Message {
	if opts == nil || !opts.ProtoReflect().IsValid() {
		return opts
	}
	raw, err := proto.Marshal(opts)
	if err != nil {
		return opts
	}
	fresh := opts.ProtoReflect().Type().New().Interface()
	if err := proto.Unmarshal(raw, fresh); err != nil {
		return opts
	}
	return fresh
}
