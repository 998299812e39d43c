package logging_test

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/logging"
)

func ExampleFormatArgs() {
	req := wrapperspb.String(strings.Repeat("a", 1<<20))
	fmt.Println(logging.FormatArgs(req, 16))
	fmt.Println(logging.FormatArgs("a long string", 6))
	// Output:
	// value:"aaaaaaaaa...(truncated)
	// a long...(truncated, 13 bytes)
}

func ExampleServerWithOptions() {
	// Keep at most 16 KiB of each request in the log.
	var mw middleware.Middleware = logging.ServerWithOptions(log.GetLogger(), logging.WithMaxFieldSize(16<<10))
	_ = mw
}
