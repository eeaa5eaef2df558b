package main

import (
	"strings"
	"testing"
)

func TestUsageNamesEveryFlag(t *testing.T) {
	var usage strings.Builder
	if err := writeUsage(&usage); err != nil {
		t.Fatalf("writeUsage failed: %v", err)
	}

	flags := newSendFlagSet(&sendFlags{})
	for _, name := range []string{"url", "secret", "user", "user-key", "customer", "type", "id", "keep-id", "created", "livemode", "timeout"} {
		if flags.Lookup(name) == nil {
			t.Errorf("send has no -%s flag", name)
		}
		if !strings.Contains(usage.String(), "  -"+name+" ") && !strings.Contains(usage.String(), "  -"+name+"\n") {
			t.Errorf("usage does not list -%s", name)
		}
	}
}

func TestUsageStatesUnitsAndDefaults(t *testing.T) {
	var usage strings.Builder
	if err := writeUsage(&usage); err != nil {
		t.Fatalf("writeUsage failed: %v", err)
	}

	for _, want := range []string{
		"unix seconds",
		`(default "http://localhost:4242/webhook")`,
		"$STRIPE_WEBHOOK_SECRET",
		`(default "user_id")`,
		"(default 10s)",
		"a new random evt_ ID",
	} {
		if !strings.Contains(usage.String(), want) {
			t.Errorf("usage does not contain %q", want)
		}
	}
}
