package main

import (
	"errors"
	"flag"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestChooseSecret(t *testing.T) {
	tests := []struct {
		name      string
		flagValue string
		envValue  string
		want      string
		wantErr   string
	}{
		{name: "flag", flagValue: "whsec_flag", envValue: "whsec_env", want: "whsec_flag"},
		{name: "environment", envValue: "whsec_env", want: "whsec_env"},
		{name: "first of list", envValue: "whsec_new,whsec_old", want: "whsec_new"},
		{name: "spaces trimmed", envValue: " whsec_new , whsec_old", want: "whsec_new"},
		{name: "neither set", wantErr: "missing signing secret: set -secret or STRIPE_WEBHOOK_SECRET"},
		{name: "empty first entry of flag", flagValue: " ,whsec_old", wantErr: "invalid -secret: the first comma-separated entry is empty"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := chooseSecret(tt.flagValue, tt.envValue)

			if tt.wantErr != "" {
				assertErrorContains(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("chooseSecret failed: %v", err)
			}
			if got != tt.want {
				t.Errorf("chooseSecret() = %q, expected %q", got, tt.want)
			}
		})
	}
}

func TestParseCreated(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		want    time.Time
		wantErr bool
	}{
		{name: "unix seconds", value: "1700000000", want: time.Unix(1700000000, 0)},
		{name: "zero", value: "0", wantErr: true},
		{name: "negative", value: "-5", wantErr: true},
		{name: "date text", value: "2026-01-01", wantErr: true},
		{name: "milliseconds overflow", value: "99999999999999999999", wantErr: true},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCreated(tt.value)

			if tt.wantErr {
				if err == nil {
					t.Errorf("parseCreated(%q) = %v, expected an error", tt.value, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseCreated(%q) failed: %v", tt.value, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("parseCreated(%q) = %v, expected %v", tt.value, got, tt.want)
			}
		})
	}
}

func TestParseSendArgs(t *testing.T) {
	env := func(key string) string {
		if key == secretEnv {
			return "whsec_from_env"
		}
		return ""
	}

	tests := []struct {
		name      string
		args      []string
		want      sendConfig
		wantEdits int
	}{
		{
			name:      "defaults",
			args:      []string{"event.json"},
			want:      sendConfig{url: "http://localhost:4242/webhook", secret: "whsec_from_env", file: "event.json", timeout: 10 * time.Second},
			wantEdits: 1, // a new event ID
		},
		{
			name:      "keep id and nothing else",
			args:      []string{"-keep-id", "event.json"},
			want:      sendConfig{url: "http://localhost:4242/webhook", secret: "whsec_from_env", file: "event.json", timeout: 10 * time.Second},
			wantEdits: 0,
		},
		{
			name:      "every edit",
			args:      []string{"-url", "https://127.0.0.1:8443/hooks", "-timeout", "2m", "-id", "evt_1", "-type", "t", "-created", "now", "-livemode=false", "-customer", "cus_1", "-user", "u", "event.json"},
			want:      sendConfig{url: "https://127.0.0.1:8443/hooks", secret: "whsec_from_env", file: "event.json", timeout: 2 * time.Minute},
			wantEdits: 6,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSendArgs(tt.args, env)
			if err != nil {
				t.Fatalf("parseSendArgs failed: %v", err)
			}

			if len(got.edits) != tt.wantEdits {
				t.Errorf("got %d edits, expected %d", len(got.edits), tt.wantEdits)
			}
			got.edits = nil
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(sendConfig{})); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSendArgsHelp(t *testing.T) {
	_, err := parseSendArgs([]string{"-help"}, func(string) string { return "" })

	if !errors.Is(err, flag.ErrHelp) {
		t.Errorf("error = %v, expected flag.ErrHelp", err)
	}
}
