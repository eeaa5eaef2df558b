package stripegate

// The fuzz targets below also run their seed corpus in every plain
// `go test`. scripts/fuzz runs each one for a set time. The corpus in
// testdata/fuzz/<target> was seeded with one file per fixture of
// testdata/events, in the `go test fuzz v1` format.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseSignatureHeader checks the header parser against a plain
// reading of the header, and the verifier on the parsed result.
func FuzzParseSignatureHeader(f *testing.F) {
	valid := strings.Repeat("ab", 32)
	for _, seed := range []string{
		"t=1733333333,v1=" + valid,
		"t=1733333333,v1=" + valid + ",v1=" + strings.ToUpper(valid),
		"t=1733333333,v0=" + valid + ",v1=" + valid,
		"t=1733333333,t=1733333334,v1=" + valid,
		"t=-1,v1=" + valid,
		"t=99999999999999999999,v1=" + valid,
		"t=1733333333,v1=" + valid[:63] + "g",
		"v1=" + valid,
		"t=1733333333",
		",,,=,t=,v1=,",
		"",
	} {
		f.Add(seed)
	}

	body := []byte(`{"id":"evt_1","object":"event"}`)
	now := time.Unix(1733333333, 0)
	v := newVerifier([]string{testSecret}, 5*time.Minute)
	f.Fuzz(func(t *testing.T, header string) {
		parsed, err := parseSignatureHeader(header)
		want, wantOK := parseHeaderPlainly(header)
		if (err == nil) != wantOK {
			t.Fatalf("parseSignatureHeader(%q) error = %v, plain reading ok = %v", header, err, wantOK)
		}
		if err != nil {
			return
		}
		if parsed.timestamp != want.timestamp {
			t.Errorf("timestamp %d, plain reading %d", parsed.timestamp, want.timestamp)
		}
		if diff := cmp.Diff(want.signatures, parsed.signatures); diff != "" {
			t.Errorf("signatures (-plain +parsed):\n%s", diff)
		}

		if err := v.verify(body, header, now); err == nil && !hasSignature(parsed, body) {
			t.Errorf("verify accepted %q, which carries no signature of the body", header)
		}
	})
}

// parseHeaderPlainly reads a Stripe-Signature header the obvious way, with
// encoding/hex, as the reference for the parser.
func parseHeaderPlainly(header string) (signatureHeader, bool) {
	var parsed signatureHeader
	timestamps := 0
	for _, item := range strings.Split(header, ",") {
		key, value, ok := strings.Cut(item, "=")
		switch {
		case !ok:
		case key == "t":
			timestamps++
			t, err := strconv.ParseInt(value, 10, 64)
			if err != nil || timestamps > 1 {
				return parsed, false
			}
			parsed.timestamp = t
		case key == "v1" && len(parsed.signatures) < maxSignatures:
			decoded, err := hex.DecodeString(value)
			if err == nil && len(decoded) == sha256.Size {
				parsed.signatures = append(parsed.signatures, [sha256.Size]byte(decoded))
			}
		}
	}
	return parsed, header != "" && timestamps == 1 && len(parsed.signatures) > 0
}

func hasSignature(parsed signatureHeader, body []byte) bool {
	expected := computeSignature(nil, []byte(testSecret), parsed.timestamp, body)
	for _, sig := range parsed.signatures {
		if hmac.Equal(expected, sig[:]) {
			return true
		}
	}
	return false
}

// FuzzDecodeEvent decodes any body and decides it. A decision to store a
// change must name the event and a source, and the one-pass decode must
// decide exactly as the decode with data.object left raw.
func FuzzDecodeEvent(f *testing.F) {
	for _, seed := range []string{
		`{"id":"evt_1","type":"invoice.paid","created":1,"data":{"object":{"id":"in_1","subscription":"sub_1"}}}`,
		`{"id":"evt_1","type":"invoice.paid","created":1,"data":{"object":{"id":"in_1","amount":"x","subscription":"sub_1"}}}`,
		`{"id":"evt_1","type":"customer.subscription.updated","created":1,"data":{"object":{"id":"sub_1","status":"active"},"object":{"id":"sub_2"}}}`,
		`{"id":"evt_1","type":"charge.refunded","created":1,"data":{"object":{"id":"ch_1","refunded":true,"customer":{"id":"cus_1"}}}}`,
		`{"id":"evt_1","type":"x","created":1,"data":{"object":null}}`,
	} {
		f.Add([]byte(seed))
	}

	p := &policy{userKey: DefaultUserMetadataKey, grace: time.Hour}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := decodeEvent(body)
		if err != nil {
			if !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("decodeEvent error %v does not wrap ErrInvalidEvent", err)
			}
			return
		}
		if ev.ID == "" || ev.Type == "" || ev.Created <= 0 {
			t.Fatalf("decodeEvent accepted an event without id, type or created: %+v", ev.eventHeader)
		}

		d, err := p.decide(ev)
		checkChange(t, ev, d, err)

		raw, rawErr := decodeRawObjectEvent(body)
		if rawErr != nil {
			t.Fatalf("the raw decode failed after the one-pass decode succeeded: %v", rawErr)
		}
		rawDecision, rawErr := p.decide(raw)
		if (err == nil) != (rawErr == nil) {
			t.Fatalf("decide error %v with one pass, %v with the raw object", err, rawErr)
		}
		if diff := cmp.Diff(rawDecision, d, cmp.AllowUnexported(decision{})); diff != "" {
			t.Errorf("decision differs (-raw object +one pass):\n%s", diff)
		}
	})
}

// checkChange fails when a decision to store a change lacks what every
// store needs.
func checkChange(t *testing.T, ev *event, d decision, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("decide error %v does not wrap ErrInvalidEvent", err)
		}
		return
	}
	if d.ignore != "" {
		return
	}

	c := d.change
	if _, ok := rules[ev.Type]; !ok {
		t.Errorf("a change for event type %q, which the policy does not name", ev.Type)
	}
	if c.EventID == "" || c.EventID != ev.ID || c.EventType != ev.Type {
		t.Errorf("change names event %q of type %q, want %q of type %q", c.EventID, c.EventType, ev.ID, ev.Type)
	}
	if c.SourceID == "" {
		t.Errorf("change for %s has no source", ev.Type)
	}
}

// recordingStore records the changes it is asked to apply and applies none.
type recordingStore struct {
	EntitlementStore // nil: only Apply is called by the handler

	mu      sync.Mutex
	changes []Change
}

func (s *recordingStore) Apply(_ context.Context, c Change) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changes = append(s.changes, c)
	return Result{Outcome: OutcomeGranted}, nil
}

func (s *recordingStore) take() []Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	changes := s.changes
	s.changes = nil
	return changes
}

// FuzzWebhookHandler sends any body, correctly signed, through the whole
// handler, and then the same body unsigned, wrongly signed and altered.
func FuzzWebhookHandler(f *testing.F) {
	f.Add([]byte(`{"id":"evt_1","object":"event","type":"checkout.session.completed","created":1733333333,"livemode":false,` +
		`"data":{"object":{"id":"cs_1","object":"checkout.session","mode":"payment","payment_status":"paid","client_reference_id":"u1"}}}`))
	f.Add([]byte("not json"))
	f.Add([]byte{})

	now := time.Unix(1733333333, 0)
	store := &recordingStore{}
	var logs bytes.Buffer
	h, err := NewWebhookHandler(WebhookConfig{
		Secrets: []string{testSecret},
		Store:   store,
		Logger:  slog.New(slog.NewJSONHandler(&logs, nil)),
		Now:     func() time.Time { return now },
	})
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > DefaultMaxBodyBytes {
			t.Skip("body over the size limit")
		}
		logs.Reset()
		signature := "t=" + strconv.FormatInt(now.Unix(), 10) + ",v1=" + signV1(testSecret, now.Unix(), body)
		status, response := serveFuzzRequest(h, body, signature)
		changes := store.take()
		if status != http.StatusOK && status != http.StatusBadRequest {
			t.Fatalf("signed body: status %d (%s), want 200 or 400", status, response)
		}
		for _, c := range changes {
			if _, ok := rules[c.EventType]; !ok || c.EventID == "" || c.SourceID == "" {
				t.Errorf("stored a change for type %q, event %q, source %q", c.EventType, c.EventID, c.SourceID)
			}
		}
		if len(changes) > 0 && status != http.StatusOK {
			t.Errorf("status %d after storing a change", status)
		}

		forged := map[string]string{
			"no signature":    "",
			"other secret":    "t=" + strconv.FormatInt(now.Unix(), 10) + ",v1=" + signV1(otherSecret, now.Unix(), body),
			"stale signature": "t=" + strconv.FormatInt(now.Unix()-3600, 10) + ",v1=" + signV1(testSecret, now.Unix()-3600, body),
		}
		for name, header := range forged {
			if status, _ := serveFuzzRequest(h, body, header); status < 400 || status >= 500 {
				t.Errorf("%s: status %d, want 4xx", name, status)
			}
		}
		if len(body) > 0 {
			altered := bytes.Clone(body)
			altered[len(altered)/2] ^= 0x20
			if status, _ := serveFuzzRequest(h, altered, signature); status != http.StatusBadRequest {
				t.Errorf("altered body: status %d, want 400", status)
			}
		}
		if changes := store.take(); len(changes) > 0 {
			t.Errorf("a request without a valid signature stored %d changes", len(changes))
		}

		_, signatureHex, _ := strings.Cut(signature, "v1=")
		if strings.Contains(logs.String(), testSecret) || strings.Contains(logs.String(), signatureHex) {
			t.Errorf("a log line carries the secret or the signature:\n%s", logs.String())
		}
	})
}

func serveFuzzRequest(h http.Handler, body []byte, signature string) (int, string) {
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	if signature != "" {
		req.Header.Set("Stripe-Signature", signature)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	response, _ := io.ReadAll(rec.Body)
	return rec.Code, string(response)
}
