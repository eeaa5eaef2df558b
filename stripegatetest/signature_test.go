package stripegatetest

import (
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stripe/stripe-go/v76/webhook"
)

// fakeSecret builds an obviously fake secret, so that no secret-shaped
// literal appears in the source.
func fakeSecret(name string) string {
	return SecretPrefix + "fake_" + name
}

// stripeGoHeader builds the expected header with stripe-go's signer.
func stripeGoHeader(payload []byte, secrets []string, at time.Time) string {
	header := "t=" + strconv.FormatInt(at.Unix(), 10)
	for _, secret := range secrets {
		header += ",v1=" + hex.EncodeToString(webhook.ComputeSignature(at, payload, secret))
	}
	return header
}

func TestSignMatchesStripeGo(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		secret  string
		at      time.Time
	}{
		{name: "event object", payload: []byte(`{"id":"evt_1","object":"event"}`), secret: fakeSecret("a"), at: time.Unix(1700000000, 0)},
		{name: "empty payload", payload: nil, secret: fakeSecret("b"), at: time.Unix(1, 0)},
		{name: "fraction of second dropped", payload: []byte("{}"), secret: fakeSecret("c"), at: time.Unix(1700000000, 999999999)},
		{name: "secret without prefix", payload: []byte(`{"a":1}`), secret: "plain", at: time.Unix(1800000000, 0)},
		{name: "non-ASCII payload", payload: []byte("{\"name\":\"Zoë\"}\n"), secret: NewSecret(), at: time.Unix(1700000123, 0)},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sign(tt.payload, tt.secret, tt.at)

			want := stripeGoHeader(tt.payload, []string{tt.secret}, tt.at)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Sign() differs from stripe-go ComputeSignature (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSignAllMatchesStripeGo(t *testing.T) {
	payload := []byte(`{"id":"evt_1"}`)
	at := time.Unix(1700000000, 0)

	tests := []struct {
		name    string
		secrets []string
	}{
		{name: "no secrets", secrets: nil},
		{name: "one secret", secrets: []string{fakeSecret("a")}},
		{name: "rotation keeps order", secrets: []string{fakeSecret("new"), fakeSecret("old")}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SignAll(payload, tt.secrets, at)

			want := stripeGoHeader(payload, tt.secrets, at)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("SignAll() differs from stripe-go ComputeSignature (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSignPassesStripeGoValidation(t *testing.T) {
	payload := []byte(`{"id":"evt_1","object":"event"}`)
	secret := NewSecret()
	now := time.Now()

	tests := []struct {
		name     string
		header   string
		secret   string
		wantPass bool
	}{
		{name: "signed now", header: Sign(payload, secret, now), secret: secret, wantPass: true},
		{name: "each rotated secret", header: SignAll(payload, []string{NewSecret(), secret}, now), secret: secret, wantPass: true},
		{name: "wrong secret", header: Sign(payload, NewSecret(), now), secret: secret, wantPass: false},
		{name: "older than tolerance", header: Sign(payload, secret, now.Add(-time.Hour)), secret: secret, wantPass: false},
		{name: "no signature", header: SignAll(payload, nil, now), secret: secret, wantPass: false},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := webhook.ValidatePayloadWithTolerance(payload, tt.header, tt.secret, 5*time.Minute)

			if tt.wantPass && err != nil {
				t.Errorf("stripe-go rejected header %q: %v", tt.header, err)
			}
			if !tt.wantPass && err == nil {
				t.Errorf("stripe-go accepted header %q, expected a rejection", tt.header)
			}
		})
	}
}

func TestSignRejectsChangedPayload(t *testing.T) {
	secret := NewSecret()
	header := Sign([]byte(`{"amount":100}`), secret, time.Now())

	err := webhook.ValidatePayloadWithTolerance([]byte(`{"amount":999}`), header, secret, 5*time.Minute)

	if err == nil {
		t.Errorf("stripe-go accepted a payload changed after signing")
	}
}

func TestSignHeaderShape(t *testing.T) {
	got := Sign([]byte("{}"), fakeSecret("a"), time.Unix(1700000000, 0))

	parts := strings.Split(got, ",")
	if len(parts) != 2 {
		t.Fatalf("Sign() = %q, expected 2 comma-separated parts", got)
	}
	if parts[0] != "t=1700000000" {
		t.Errorf("first part = %q, expected %q", parts[0], "t=1700000000")
	}
	if !strings.HasPrefix(parts[1], "v1=") || len(parts[1]) != len("v1=")+64 {
		t.Errorf("second part = %q, expected v1= and 64 hex digits", parts[1])
	}
}
