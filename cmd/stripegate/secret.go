package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/stripegate/stripegate/stripegatetest"
)

// runSecret prints a new random signing secret, for an app's
// STRIPE_WEBHOOK_SECRET during local tests.
func runSecret(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usageError{errors.New("secret takes no arguments")}
	}

	if _, err := fmt.Fprintln(stdout, stripegatetest.NewSecret()); err != nil {
		return fmt.Errorf("write secret: %w", err)
	}
	return nil
}
