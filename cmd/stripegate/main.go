// Command stripegate signs Stripe event files and posts them to a webhook
// endpoint, so an app that uses package stripegate can be driven without a
// Stripe account or network access.
//
// Run "stripegate help" for the commands and flags.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()

	os.Exit(reportError(err, os.Stderr))
}

// run executes the command in args, without the program name. It reads the
// environment through getenv, so tests can pass their own.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{errors.New("missing command: expected send, secret or help")}
	}

	switch args[0] {
	case "send":
		return runSend(ctx, args[1:], getenv, stdout, stderr)
	case "secret":
		return runSecret(args[1:], stdout)
	case "help", "-h", "-help", "--help":
		return writeUsage(stdout)
	default:
		return usageError{fmt.Errorf("unknown command %q: expected send, secret or help", args[0])}
	}
}

// usageError is an error in the command line rather than in the work the
// command does.
type usageError struct {
	err error
}

func (e usageError) Error() string { return e.err.Error() }

func (e usageError) Unwrap() error { return e.err }

// reportError writes err to stderr and returns the exit status: 0 without
// an error, 2 for a usage error, 1 for any other error.
func reportError(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}

	fmt.Fprintf(stderr, "stripegate: %v\n", err)

	var usage usageError
	if errors.As(err, &usage) {
		fmt.Fprintln(stderr, `Run "stripegate help" for usage.`)
		return 2
	}
	return 1
}
