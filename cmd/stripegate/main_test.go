package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRunCommands(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantErr    string
		wantStdout string // a part of stdout; empty means stdout must be empty
	}{
		{name: "no command", args: nil, wantErr: "missing command: expected send, secret or help"},
		{name: "unknown command", args: []string{"deploy"}, wantErr: `unknown command "deploy": expected send, secret or help`},
		{name: "help", args: []string{"help"}, wantStdout: "Usage:"},
		{name: "dash h", args: []string{"-h"}, wantStdout: "Usage:"},
		{name: "double dash help", args: []string{"--help"}, wantStdout: "Usage:"},
		{name: "secret", args: []string{"secret"}, wantStdout: "whsec_"},
		{name: "secret with argument", args: []string{"secret", "extra"}, wantErr: "secret takes no arguments"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			result := runCommand(t, nil, tt.args...)

			if tt.wantErr != "" {
				assertErrorContains(t, result.err, tt.wantErr)
			} else if result.err != nil {
				t.Fatalf("run(%q) failed: %v", tt.args, result.err)
			}
			if tt.wantStdout == "" && result.stdout != "" {
				t.Errorf("stdout = %q, expected nothing", result.stdout)
			}
			if !strings.Contains(result.stdout, tt.wantStdout) {
				t.Errorf("stdout = %q, expected it to contain %q", result.stdout, tt.wantStdout)
			}
			if result.stderr != "" {
				t.Errorf("stderr = %q, expected nothing", result.stderr)
			}
		})
	}
}

func TestReportError(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantCode   int
		wantStderr string
	}{
		{name: "no error", err: nil, wantCode: 0, wantStderr: ""},
		{name: "usage error", err: usageError{errors.New("missing event FILE")}, wantCode: 2, wantStderr: "stripegate: missing event FILE\nRun \"stripegate help\" for usage.\n"},
		{name: "other error", err: errors.New("webhook endpoint returned 400 Bad Request"), wantCode: 1, wantStderr: "stripegate: webhook endpoint returned 400 Bad Request\n"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer

			code := reportError(tt.err, &stderr)

			if code != tt.wantCode {
				t.Errorf("exit status = %d, expected %d", code, tt.wantCode)
			}
			if diff := cmp.Diff(tt.wantStderr, stderr.String()); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}
