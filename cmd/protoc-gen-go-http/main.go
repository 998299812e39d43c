// Command protoc-gen-go-http is a protoc plugin that writes the HTTP
// server and client code of a .proto file's services from their
// google.api.http annotations (see package httpgen):
//
//	protoc -I . -I third_party --go-http_out=paths=source_relative:. greeter.proto
//
// Parameters: omitempty (default true: methods without a rule get no
// route), omitempty_prefix (put before the default route
// /<package>.<Service>/<Method> that such methods get with
// omitempty=false) and streams (default true: streaming methods with a
// rule are served as Server-Sent Events or over WebSocket; false skips
// them, as Kratos v2's plugin does). --version prints the version.
package main

import (
	"flag"
	"fmt"
	"os"

	"google.golang.org/protobuf/compiler/protogen"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/httpgen"
)

func main() {
	opts := httpgen.DefaultOptions()
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.BoolVar(&opts.OmitEmpty, "omitempty", opts.OmitEmpty, "skip methods without a google.api.http rule")
	flag.StringVar(&opts.OmitEmptyPrefix, "omitempty_prefix", opts.OmitEmptyPrefix, "prefix of the default route of methods without a rule")
	flag.BoolVar(&opts.Streams, "streams", opts.Streams, "serve streaming methods with a rule over Server-Sent Events and WebSocket")
	flag.Parse()
	if *showVersion {
		fmt.Printf("protoc-gen-go-http %s\n", httpgen.Version)
		return
	}
	opts.Warn = func(err error) {
		fmt.Fprintln(os.Stderr, "protoc-gen-go-http: warning:", err)
	}
	protogen.Options{ParamFunc: flag.CommandLine.Set}.Run(func(gen *protogen.Plugin) error {
		gen.SupportedFeatures = httpgen.SupportedFeatures
		gen.SupportedEditionsMinimum = httpgen.SupportedEditionsMinimum
		gen.SupportedEditionsMaximum = httpgen.SupportedEditionsMaximum
		return httpgen.Generate(gen, opts)
	})
}
