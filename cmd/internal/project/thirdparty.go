package project

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/protoimports"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/protoprint"
)

// thirdPartyReadme explains the third_party folder of a new project.
const thirdPartyReadme = `# third_party

The .proto files this service's protos import besides the well-known types
(google/api/*.proto for google.api.http, errors/errors.proto for the error
options, buf/validate/validate.proto and validate/validate.proto for the
rules of protovalidate and protoc-gen-validate), for editors, linters and people who run protoc themselves:

    protoc -I . -I third_party --go_out=paths=source_relative:. api/helloworld/v1/greeter.proto

The kratos CLI needs none of them: it compiles protos in pure Go and resolves
these imports itself. They were written by kratos new from the descriptors
that the framework's Go packages register, so they match what the service
links.
`

// writeThirdParty writes the project's third_party folder: the imports
// that kratos proto client resolves by itself, as .proto text, except the
// well-known types that every protoc ships.
func writeThirdParty(dir string) error {
	root := filepath.Join(dir, "third_party")
	for _, fd := range protoimports.Files() {
		if strings.HasPrefix(fd.Path(), "google/protobuf/") {
			continue
		}
		goPkg, _, _ := strings.Cut(fd.Options().(*descriptorpb.FileOptions).GetGoPackage(), ";")
		header := fmt.Sprintf("Written by kratos new from the descriptor that Go package\n%s registers.", goPkg)
		if n := protoimports.Notice(fd.Path()); n != "" {
			header = n + "\n\n" + header
		}
		src, err := protoprint.Print(fd, header)
		if err != nil {
			return fmt.Errorf("third_party/%s: %w", fd.Path(), err)
		}
		name := filepath.Join(root, filepath.FromSlash(fd.Path()))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(name, src, 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(root, "README.md"), []byte(thirdPartyReadme), 0o644)
}
