package stripegatetest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stripe/stripe-go/v76/webhook"
)

// tolerance is the signature age that the tests accept, matching
// stripe-go's default of five minutes.
const tolerance = 5 * time.Minute

func TestNewRequest(t *testing.T) {
	payload := []byte(`{"id":"evt_1","object":"event"}`)
	secret := NewSecret()

	req := NewRequest("/webhook?source=test", payload, secret)

	checks := []struct {
		field string
		got   string
		want  string
	}{
		{field: "method", got: req.Method, want: http.MethodPost},
		{field: "path", got: req.URL.Path, want: "/webhook"},
		{field: "query", got: req.URL.RawQuery, want: "source=test"},
		{field: "Content-Type", got: req.Header.Get("Content-Type"), want: "application/json"},
		{field: "body", got: readAll(t, req.Body), want: string(payload)},
	}
	for _, check := range checks {
		if diff := cmp.Diff(check.want, check.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", check.field, diff)
		}
	}

	header := req.Header.Get(SignatureHeader)
	if err := webhook.ValidatePayloadWithTolerance(payload, header, secret, tolerance); err != nil {
		t.Errorf("stripe-go rejected the request signature %q: %v", header, err)
	}
}

func TestNewRequestCallsHandler(t *testing.T) {
	payload := []byte(`{"id":"evt_1"}`)
	secret := NewSecret()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.ValidatePayloadWithTolerance(body, r.Header.Get(SignatureHeader), secret, tolerance); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})

	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, NewRequest("/webhook", payload, secret))

	if rec.Code != http.StatusNoContent {
		t.Errorf("status = %d, expected %d; body: %s", rec.Code, http.StatusNoContent, rec.Body)
	}
}

func TestPost(t *testing.T) {
	payload := []byte(`{"id":"evt_1","object":"event"}`)
	secret := NewSecret()

	received := make(chan receivedRequest, 1)
	server := httptest.NewServer(recordingHandler(received, http.StatusAccepted, "received"))
	defer server.Close()

	tests := []struct {
		name   string
		client *http.Client
	}{
		{name: "default client", client: nil},
		{name: "server client", client: server.Client()},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := Post(context.Background(), tt.client, server.URL+"/webhook", payload, secret)
			if err != nil {
				t.Fatalf("Post failed: %v", err)
			}
			defer resp.Body.Close()

			if resp.StatusCode != http.StatusAccepted {
				t.Errorf("status = %d, expected %d", resp.StatusCode, http.StatusAccepted)
			}
			if body := readAll(t, resp.Body); body != "received" {
				t.Errorf("response body = %q, expected %q", body, "received")
			}
			got := <-received
			if got.method != http.MethodPost {
				t.Errorf("method = %q, expected POST", got.method)
			}
			if got.contentType != "application/json" {
				t.Errorf("Content-Type = %q, expected application/json", got.contentType)
			}
			if got.body != string(payload) {
				t.Errorf("body = %q, expected %q", got.body, payload)
			}
			if err := webhook.ValidatePayloadWithTolerance([]byte(got.body), got.signature, secret, tolerance); err != nil {
				t.Errorf("stripe-go rejected the signature %q: %v", got.signature, err)
			}
		})
	}
}

func TestPostReturnsErrorStatusWithoutError(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad signature", http.StatusBadRequest)
	}))
	defer server.Close()

	resp, err := Post(context.Background(), server.Client(), server.URL, []byte("{}"), NewSecret())
	if err != nil {
		t.Fatalf("Post failed: %v", err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status = %d, expected %d", resp.StatusCode, http.StatusBadRequest)
	}
}

func TestPostErrors(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer server.Close()

	tests := []struct {
		name    string
		ctx     context.Context
		url     string
		wantErr string
	}{
		{name: "invalid URL", ctx: context.Background(), url: "http://[::1", wantErr: "build webhook request"},
		{name: "canceled context", ctx: canceled, url: server.URL, wantErr: "send webhook"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := Post(tt.ctx, server.Client(), tt.url, []byte("{}"), NewSecret())
			if resp != nil {
				resp.Body.Close()
			}

			assertErrorContains(t, err, tt.wantErr)
		})
	}
}

// receivedRequest is what a test server saw of one webhook request.
type receivedRequest struct {
	method, contentType, signature, body string
}

// recordingHandler sends each request it serves to received, then
// responds with status and body.
func recordingHandler(received chan<- receivedRequest, status int, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requestBody, _ := io.ReadAll(r.Body)
		received <- receivedRequest{
			method:      r.Method,
			contentType: r.Header.Get("Content-Type"),
			signature:   r.Header.Get(SignatureHeader),
			body:        string(requestBody),
		}

		w.WriteHeader(status)
		io.WriteString(w, body)
	})
}

func readAll(t *testing.T, r io.Reader) string {
	t.Helper()

	var body strings.Builder
	if _, err := io.Copy(&body, r); err != nil {
		t.Fatalf("read body: %v", err)
	}
	return body.String()
}
