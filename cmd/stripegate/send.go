package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"syscall"

	"github.com/stripegate/stripegate/stripegatetest"
)

// maxResponseBody is the maximum number of response body bytes that send
// prints. Webhook endpoints usually respond with a short body. A longer one
// is cut, so that a wrong -url does not flood the terminal.
const maxResponseBody = 64 << 10

// runSend edits, signs and posts one event file. It returns an error for a
// non-2xx response, after printing the status and the body.
func runSend(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	config, err := parseSendArgs(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return writeUsage(stdout)
	}
	if err != nil {
		return err
	}

	payload, err := readEvent(config)
	if err != nil {
		return err
	}

	resp, err := post(ctx, config, payload)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	fmt.Fprintf(stderr, "sent %s to %s\n", describeEvent(payload), config.url)
	if err := printResponse(stdout, resp); err != nil {
		return err
	}

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook endpoint %s returned %s", config.url, resp.Status)
	}
	return nil
}

// readEvent reads the event file and applies the edits of the flags.
func readEvent(config sendConfig) ([]byte, error) {
	raw, err := os.ReadFile(config.file)
	if err != nil {
		return nil, fmt.Errorf("read event file: %w", err)
	}

	payload, err := stripegatetest.Edit(raw, config.edits...)
	if err != nil {
		return nil, fmt.Errorf("edit event file %s: %w", config.file, err)
	}
	return payload, nil
}

// post sends the signed payload within the configured timeout, without
// following redirects.
func post(ctx context.Context, config sendConfig, payload []byte) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, config.timeout)
	client := &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	resp, err := stripegatetest.Post(ctx, client, config.url, payload, config.secret)
	switch {
	case err == nil:
		// The body is read after post returns, so the timeout ends with it.
		resp.Body = cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		return resp, nil
	case errors.Is(err, context.DeadlineExceeded):
		cancel()
		return nil, fmt.Errorf("no response from %s within %s, the -timeout: %w", config.url, config.timeout, err)
	case errors.Is(err, syscall.ECONNREFUSED):
		cancel()
		return nil, fmt.Errorf("connection to %s refused; check that the app is running and -url is right: %w", config.url, err)
	default:
		cancel()
		return nil, fmt.Errorf("send event to %s: %w", config.url, err)
	}
}

// cancelOnClose releases a request's context when its response body is
// closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// describeEvent returns the event's ID and type for the progress message.
func describeEvent(payload []byte) string {
	var event struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal(payload, &event); err != nil {
		return "event"
	}
	return fmt.Sprintf("event %s (%s)", event.ID, event.Type)
}

// printResponse writes the status line and up to maxResponseBody bytes of
// the body, ending with a newline.
func printResponse(stdout io.Writer, resp *http.Response) error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return fmt.Errorf("read response from webhook endpoint: %w", err)
	}

	truncated := len(body) > maxResponseBody
	if truncated {
		body = body[:maxResponseBody]
	}

	fmt.Fprintln(stdout, resp.Status)
	stdout.Write(body)
	if len(body) > 0 && body[len(body)-1] != '\n' {
		fmt.Fprintln(stdout)
	}
	if truncated {
		fmt.Fprintf(stdout, "(response body cut after %d bytes)\n", maxResponseBody)
	}
	return nil
}
