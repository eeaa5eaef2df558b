package main

import (
	"regexp"
	"testing"

	"github.com/stripe/stripe-go/v76/webhook"
	"github.com/stripegate/stripegate/stripegatetest"
)

func TestSecretCommandPrintsNewSecret(t *testing.T) {
	first := runCommand(t, nil, "secret")
	second := runCommand(t, nil, "secret")

	if first.err != nil {
		t.Fatalf("secret failed: %v", first.err)
	}
	if !regexp.MustCompile(`^whsec_[0-9A-Za-z]{32}\n$`).MatchString(first.stdout) {
		t.Errorf("stdout = %q, expected one whsec_ secret and a newline", first.stdout)
	}
	if first.stdout == second.stdout {
		t.Errorf("two runs printed the same secret %q", first.stdout)
	}
}

func TestSecretCommandOutputSigns(t *testing.T) {
	result := runCommand(t, nil, "secret")
	secret := result.stdout[:len(result.stdout)-1]
	payload := []byte(`{"id":"evt_1"}`)

	header := stripegatetest.NewRequest("/webhook", payload, secret).Header.Get(stripegatetest.SignatureHeader)

	if err := webhook.ValidatePayloadWithTolerance(payload, header, secret, tolerance); err != nil {
		t.Errorf("stripe-go rejected a payload signed with the printed secret: %v", err)
	}
}
