package pgstore

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestConfigDefaults(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	tests := []struct {
		name string
		in   Config
		want Config
	}{
		{"Zero", Config{}, Config{Schema: DefaultSchema, Retention: DefaultRetention, MaxRetries: DefaultMaxRetries}},
		{"MinRetention", Config{Retention: MinRetention}, Config{Schema: DefaultSchema, Retention: MinRetention, MaxRetries: DefaultMaxRetries}},
		{"AllSet",
			Config{Schema: "Billing Data", Retention: 30 * 24 * time.Hour, MaxRetries: 1, Logger: logger},
			Config{Schema: "Billing Data", Retention: 30 * 24 * time.Hour, MaxRetries: 1, Logger: logger}},
		{"LongestSchema", Config{Schema: strings.Repeat("s", 63)}, Config{Schema: strings.Repeat("s", 63), Retention: DefaultRetention, MaxRetries: DefaultMaxRetries}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.withDefaults()
			if err != nil {
				t.Fatalf("withDefaults: %v", err)
			}
			if got.Logger == nil {
				t.Error("Logger is nil, want slog.Default() or the configured logger")
			}
			if tc.in.Logger != nil && got.Logger != tc.in.Logger {
				t.Error("the configured Logger was replaced")
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(Config{}, "Logger")); diff != "" {
				t.Errorf("withDefaults (-want +got):\n%s", diff)
			}
		})
	}
}

// Invalid values are rejected with an error that names the field and the
// fix.
func TestConfigInvalid(t *testing.T) {
	tests := []struct {
		name     string
		in       Config
		wantText []string
	}{
		{"RetentionTooShort", Config{Retention: 24 * time.Hour}, []string{"Config.Retention", "at least 72h0m0s", "leave it zero"}},
		{"RetentionNegative", Config{Retention: -time.Hour}, []string{"Config.Retention", "at least 72h0m0s"}},
		{"MaxRetriesNegative", Config{MaxRetries: -1}, []string{"Config.MaxRetries", "positive", "leave it zero"}},
		{"SchemaTooLong", Config{Schema: strings.Repeat("s", 64)}, []string{"Config.Schema", "64 bytes", "at most 63"}},
		{"SchemaNUL", Config{Schema: "bad\x00name"}, []string{"Config.Schema", "NUL"}},
		{"SchemaReserved", Config{Schema: "PG_billing"}, []string{"Config.Schema", "reserved", "choose another"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.in.withDefaults()
			if err == nil {
				t.Fatal("withDefaults: nil error, want one")
			}
			for _, text := range tc.wantText {
				if !strings.Contains(err.Error(), text) {
					t.Errorf("error %q does not contain %q", err, text)
				}
			}
		})
	}
}

// New rejects what withDefaults rejects.
func TestNewInvalidConfig(t *testing.T) {
	_, err := New(unconnectedPool(t), Config{Retention: time.Hour})
	if err == nil || !strings.Contains(err.Error(), "Config.Retention") {
		t.Errorf("New with a one-hour retention: error %v, want one naming Config.Retention", err)
	}
}
