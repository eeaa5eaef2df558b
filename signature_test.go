package stripegate

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
)

// Test secrets are built at run time so no whsec_ literal sits in source.
var (
	testSecret  = "whsec_" + strings.Repeat("a1", 16)
	otherSecret = "whsec_" + strings.Repeat("b2", 16)
)

func signV1(secret string, t int64, body []byte) string {
	return hex.EncodeToString(computeSignature(nil, []byte(secret), t, body))
}

func TestComputeSignatureMatchesStripeGo(t *testing.T) {
	body := []byte(`{"id":"evt_1","object":"event"}`)
	at := time.Unix(1733333333, 0)

	got := computeSignature(nil, []byte(testSecret), at.Unix(), body)
	want := webhook.ComputeSignature(at, body, testSecret)
	if hex.EncodeToString(got) != hex.EncodeToString(want) {
		t.Errorf("computeSignature = %x, stripe-go ComputeSignature = %x", got, want)
	}
}

func TestParseSignatureHeader(t *testing.T) {
	valid := strings.Repeat("ab", 32)
	tests := []struct {
		name    string
		header  string
		wantErr error
		wantT   int64
		wantN   int
	}{
		{"one v1", "t=100,v1=" + valid, nil, 100, 1},
		{"two v1", "t=100,v1=" + valid + ",v1=" + valid, nil, 100, 2},
		{"v0 ignored", "t=100,v0=" + valid + ",v1=" + valid, nil, 100, 1},
		{"non-hex v1 ignored", "t=100,v1=" + strings.Repeat("zz", 32) + ",v1=" + valid, nil, 100, 1},
		{"short v1 ignored", "t=100,v1=abcd,v1=" + valid, nil, 100, 1},
		{"unknown keys ignored", "x=1,t=100,garbage,v1=" + valid, nil, 100, 1},
		{"empty", "", ErrMissingSignature, 0, 0},
		{"no timestamp", "v1=" + valid, ErrInvalidSignatureHeader, 0, 0},
		{"non-numeric timestamp", "t=abc,v1=" + valid, ErrInvalidSignatureHeader, 0, 0},
		{"empty timestamp", "t=,v1=" + valid, ErrInvalidSignatureHeader, 0, 0},
		{"overflowing timestamp", "t=99999999999999999999,v1=" + valid, ErrInvalidSignatureHeader, 0, 0},
		{"two timestamps", "t=100,t=200,v1=" + valid, ErrInvalidSignatureHeader, 0, 0},
		{"only v0", "t=100,v0=" + valid, ErrInvalidSignatureHeader, 0, 0},
		{"only non-hex v1", "t=100,v1=" + strings.Repeat("zz", 32), ErrInvalidSignatureHeader, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSignatureHeader(tt.header)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got.timestamp != tt.wantT {
				t.Errorf("timestamp = %d, want %d", got.timestamp, tt.wantT)
			}
			if len(got.signatures) != tt.wantN {
				t.Errorf("got %d signatures, want %d", len(got.signatures), tt.wantN)
			}
		})
	}
}

func TestParseSignatureHeaderCapsSignatures(t *testing.T) {
	header := "t=100" + strings.Repeat(",v1="+strings.Repeat("ab", 32), 1000)

	got, err := parseSignatureHeader(header)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.signatures) != maxSignatures {
		t.Errorf("kept %d signatures, want the cap %d", len(got.signatures), maxSignatures)
	}
}

func TestVerify(t *testing.T) {
	body := []byte("{\n  \"id\": \"evt_1\",\n  \"object\": \"event\"\n}\n")
	now := time.Unix(1733333333, 0)
	ts := now.Unix()
	v := &verifier{secrets: [][]byte{[]byte(testSecret)}, tolerance: 5 * time.Minute}
	rotating := &verifier{secrets: [][]byte{[]byte(otherSecret), []byte(testSecret)}, tolerance: 5 * time.Minute}

	tests := []struct {
		name     string
		verifier *verifier
		body     []byte
		header   string
		wantErr  error
	}{
		{"valid", v, body, fmt.Sprintf("t=%d,v1=%s", ts, signV1(testSecret, ts, body)), nil},
		{"second of two signatures matches", v, body, fmt.Sprintf("t=%d,v1=%s,v1=%s", ts, signV1(otherSecret, ts, body), signV1(testSecret, ts, body)), nil},
		{"rotation second secret matches", rotating, body, fmt.Sprintf("t=%d,v1=%s", ts, signV1(testSecret, ts, body)), nil},
		{"wrong secret", v, body, fmt.Sprintf("t=%d,v1=%s", ts, signV1(otherSecret, ts, body)), ErrNoMatchingSignature},
		{"re-encoded body", v, []byte(`{"id":"evt_1","object":"event"}`), fmt.Sprintf("t=%d,v1=%s", ts, signV1(testSecret, ts, body)), ErrNoMatchingSignature},
		{"timestamp changed after signing", v, body, fmt.Sprintf("t=%d,v1=%s", ts+1, signV1(testSecret, ts, body)), ErrNoMatchingSignature},
		{"v0 with the right value", v, body, fmt.Sprintf("t=%d,v0=%s", ts, signV1(testSecret, ts, body)), ErrInvalidSignatureHeader},
		{"edge of tolerance in the past", v, body, fmt.Sprintf("t=%d,v1=%s", ts-300, signV1(testSecret, ts-300, body)), nil},
		{"stale", v, body, fmt.Sprintf("t=%d,v1=%s", ts-301, signV1(testSecret, ts-301, body)), ErrTimestampOutOfTolerance},
		{"edge of tolerance in the future", v, body, fmt.Sprintf("t=%d,v1=%s", ts+300, signV1(testSecret, ts+300, body)), nil},
		{"future", v, body, fmt.Sprintf("t=%d,v1=%s", ts+301, signV1(testSecret, ts+301, body)), ErrTimestampOutOfTolerance},
		{"negative timestamp", v, body, fmt.Sprintf("t=%d,v1=%s", -ts, signV1(testSecret, -ts, body)), ErrTimestampOutOfTolerance},
		{"maximal timestamp", v, body, fmt.Sprintf("t=%d,v1=%s", int64(1<<63-1), signV1(testSecret, 1<<63-1, body)), ErrTimestampOutOfTolerance},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.verifier.verify(tt.body, tt.header, now)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("verify = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestCheckSecret(t *testing.T) {
	tests := []struct {
		name    string
		secret  string
		wantErr string // substring of the error, or "" for none
	}{
		{"signing secret", testSecret, ""},
		{"empty", "", "empty webhook secret"},
		{"secret API key", "sk_test_" + strings.Repeat("x", 24), "is an API key"},
		{"restricted key", "rk_live_" + strings.Repeat("x", 24), "is an API key"},
		{"publishable key", "pk_test_" + strings.Repeat("x", 24), "is an API key"},
		{"other prefix", "secret123", "does not start with whsec_"},
		{"comma-joined list", testSecret + "," + otherSecret, "spaces or commas"},
		{"trailing newline", testSecret + "\n", "spaces or commas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkSecret(tt.secret)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("checkSecret = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("checkSecret = %v, want an error containing %q", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), tt.secret[min(len(tt.secret), 4):]) && len(tt.secret) > 4 {
				t.Errorf("error %q repeats the secret", err)
			}
		})
	}
}
