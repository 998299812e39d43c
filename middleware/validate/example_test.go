package validate_test

import (
	"context"
	"errors"
	"fmt"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware/validate"
)

type createUser struct{ Name string }

func ExampleValidators() {
	nameRequired := func(req any) error {
		if r, ok := req.(*createUser); ok && r.Name == "" {
			return errors.New("name: must not be empty")
		}
		return nil
	}
	handler := validate.Validators(nameRequired)(func(context.Context, any) (any, error) {
		return "created", nil
	})

	_, err := handler(context.Background(), &createUser{})
	e := kerrors.FromError(err)
	fmt.Println(e.Code, e.Reason, e.Message)
	reply, _ := handler(context.Background(), &createUser{Name: "alice"})
	fmt.Println(reply)
	// Output:
	// 400 VALIDATOR name: must not be empty
	// created
}
