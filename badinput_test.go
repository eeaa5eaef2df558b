package stripegate_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stripegate/stripegate"
	"github.com/stripegate/stripegate/stripegatetest"
)

// signer returns the Stripe-Signature header for a body, or "" to send
// none.
type signer func(secret string, body []byte) string

// badInput is a request that must change nothing.
type badInput struct {
	name       string
	method     string // POST when empty
	body       []byte
	sign       signer // signed correctly, now, when nil
	via        route
	wantStatus int
	wantErr    error // matched against the handler's report; nil to skip
}

// route is how a bad input reaches the handler.
type route int

const (
	viaServer  route = iota // an HTTP request to the rig's loopback server
	viaHandler              // ServeHTTP called directly, for requests net/http's client will not send
	viaChunked              // an HTTP request without Content-Length
	viaRawTCP               // bytes written to the server's socket
)

func signNow(secret string, body []byte) string {
	return stripegatetest.Sign(body, secret, time.Now())
}

func signAt(offset time.Duration) signer {
	return func(secret string, body []byte) string {
		return stripegatetest.Sign(body, secret, time.Now().Add(offset))
	}
}

func fixedHeader(header string) signer {
	return func(string, []byte) string { return header }
}

// signTimestamp signs the body as Stripe would with the literal timestamp
// text, whatever it holds.
func signTimestamp(timestamp string) signer {
	return func(secret string, body []byte) string {
		return "t=" + timestamp + ",v1=" + hmacHex(secret, timestamp+"."+string(body))
	}
}

// editHeader signs correctly and then changes the header.
func editHeader(edit func(header string) string) signer {
	return func(secret string, body []byte) string {
		return edit(signNow(secret, body))
	}
}

// badInputs returns the table. Every request is rejected or ignored.
func badInputs(t *testing.T) []badInput {
	t.Helper()
	e := eras[1]
	valid := fixture(t, e, "checkout.session.completed")
	other := stripegatetest.NewSecret()
	now := strconv.FormatInt(time.Now().Unix(), 10)
	forged := "t=" + now + ",v1=" + strings.Repeat("0f", 32)
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	deepObject := strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000)
	overLimit := padTo(valid, stripegate.DefaultMaxBodyBytes+1)

	edit := func(opts ...stripegatetest.EditOption) []byte {
		return fixture(t, e, "checkout.session.completed", opts...)
	}
	member := func(name, value string) []byte { return setEnvelopeMember(t, valid, name, value) }
	replace := func(old, new string) []byte { return replaceOnce(t, valid, old, new) }

	return []badInput{
		// The Stripe-Signature header.
		{name: "no signature header", body: valid, sign: fixedHeader(""), wantStatus: 400, wantErr: stripegate.ErrMissingSignature},
		{name: "forged signature", body: valid, sign: fixedHeader(forged), wantStatus: 400, wantErr: stripegate.ErrNoMatchingSignature},
		{name: "truncated signature", body: valid, sign: editHeader(func(h string) string { return h[:len(h)-1] }), wantStatus: 400, wantErr: stripegate.ErrInvalidSignatureHeader},
		{name: "signature one digit longer", body: valid, sign: editHeader(func(h string) string { return h + "0" }), wantStatus: 400, wantErr: stripegate.ErrInvalidSignatureHeader},
		{name: "signature of another body", body: valid, sign: func(s string, _ []byte) string { return signNow(s, []byte("{}")) }, wantStatus: 400, wantErr: stripegate.ErrNoMatchingSignature},
		{name: "signed with another secret", body: valid, sign: func(_ string, b []byte) string { return signNow(other, b) }, wantStatus: 400, wantErr: stripegate.ErrNoMatchingSignature},
		{name: "two timestamps", body: valid, sign: editHeader(func(h string) string { return "t=" + now + "," + h }), wantStatus: 400, wantErr: stripegate.ErrInvalidSignatureHeader},
		{name: "negative timestamp", body: valid, sign: signTimestamp("-" + now), wantStatus: 400, wantErr: stripegate.ErrTimestampOutOfTolerance},
		{name: "timestamp overflowing int64", body: valid, sign: signTimestamp("99999999999999999999"), wantStatus: 400, wantErr: stripegate.ErrInvalidSignatureHeader},
		{name: "maximal int64 timestamp", body: valid, sign: signTimestamp("9223372036854775807"), wantStatus: 400, wantErr: stripegate.ErrTimestampOutOfTolerance},
		{name: "timestamp zero", body: valid, sign: signTimestamp("0"), wantStatus: 400, wantErr: stripegate.ErrTimestampOutOfTolerance},
		{name: "timestamp with plus sign signed as sent", body: valid, sign: signTimestamp("+" + now), wantStatus: 400, wantErr: stripegate.ErrNoMatchingSignature},
		{name: "timestamp with leading zero signed as sent", body: valid, sign: signTimestamp("0" + now), wantStatus: 400, wantErr: stripegate.ErrNoMatchingSignature},
		{name: "timestamp an hour old", body: valid, sign: signAt(-time.Hour), wantStatus: 400, wantErr: stripegate.ErrTimestampOutOfTolerance},
		{name: "timestamp an hour ahead", body: valid, sign: signAt(time.Hour), wantStatus: 400, wantErr: stripegate.ErrTimestampOutOfTolerance},
		{name: "space after the comma", body: valid, sign: editHeader(func(h string) string { return strings.Replace(h, ",", ", ", 1) }), wantStatus: 400, wantErr: stripegate.ErrInvalidSignatureHeader},
		{name: "v0 scheme only", body: valid, sign: editHeader(func(h string) string { return strings.Replace(h, "v1=", "v0=", 1) }), wantStatus: 400, wantErr: stripegate.ErrInvalidSignatureHeader},
		{name: "1000 forged v1 values then the right one", body: valid, sign: editHeader(func(h string) string {
			return strings.Replace(h, ",v1=", strings.Repeat(",v1="+strings.Repeat("0f", 32), 1000)+",v1=", 1)
		}), wantStatus: 400, wantErr: stripegate.ErrNoMatchingSignature},
		{name: "64 KB header to the server", body: valid, sign: fixedHeader(forged + strings.Repeat(",x=y", 16<<10)), wantStatus: 400, wantErr: stripegate.ErrNoMatchingSignature},
		{name: "64 KB header to the handler", body: valid, sign: fixedHeader(forged + strings.Repeat(",x=y", 16<<10)), via: viaHandler, wantStatus: 400, wantErr: stripegate.ErrNoMatchingSignature},
		// net/http itself responds with 431 past http.DefaultMaxHeaderBytes (1 MB).
		{name: "2 MB header to the server", body: valid, sign: fixedHeader(forged + strings.Repeat(",x=y", 512<<10)), wantStatus: 431},
		{name: "2 MB header to the handler", body: valid, sign: fixedHeader(forged + strings.Repeat(",x=y", 512<<10)), via: viaHandler, wantStatus: 400, wantErr: stripegate.ErrNoMatchingSignature},
		{name: "NUL byte in header", body: valid, sign: editHeader(func(h string) string { return strings.Replace(h, ",", "\x00,", 1) }), via: viaHandler, wantStatus: 400, wantErr: stripegate.ErrInvalidSignatureHeader},
		{name: "forged first of two header lines", body: valid, sign: editHeader(func(h string) string { return forged + "\n" + h }), wantStatus: 400, wantErr: stripegate.ErrNoMatchingSignature},

		// The method.
		{name: "GET", method: http.MethodGet, wantStatus: 405, wantErr: stripegate.ErrMethodNotAllowed},
		{name: "PUT of a signed event", method: http.MethodPut, body: valid, wantStatus: 405, wantErr: stripegate.ErrMethodNotAllowed},
		{name: "HEAD", method: http.MethodHead, wantStatus: 405, wantErr: stripegate.ErrMethodNotAllowed},

		// The body, as bytes.
		{name: "empty body", body: []byte{}, wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "whitespace only", body: []byte(" \n\t "), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "one byte over the limit", body: overLimit, wantStatus: 413, wantErr: stripegate.ErrBodyTooLarge},
		{name: "one byte over the limit, chunked", body: overLimit, via: viaChunked, wantStatus: 413, wantErr: stripegate.ErrBodyTooLarge},
		{name: "Content-Length above the body sent", body: valid, via: viaRawTCP, wantStatus: 400, wantErr: stripegate.ErrReadBody},
		{name: "NUL byte inside a string", body: replace(`"client_reference_id": "user_42"`, "\"client_reference_id\": \"user_\x0042\""), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "NUL byte between members", body: replace(`"livemode": false,`+"\n  \"object\"", "\"livemode\": false,\x00\n  \"object\""), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "invalid UTF-8 in client_reference_id", body: replace(`"client_reference_id": "user_42"`, "\"client_reference_id\": \"user_\xff42\""), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "invalid UTF-8 in a field the policy ignores", body: replace(`"hosted"`, "\"host\xc3\x28ed\""), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "UTF-8 byte order mark", body: append([]byte("\xef\xbb\xbf"), valid...), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "JSON array", body: []byte(`[` + string(valid) + `]`), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "JSON string", body: []byte(strconv.Quote(string(valid))), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "JSON null", body: []byte("null"), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "trailing garbage", body: append(bytes.Clone(valid), "garbage"...), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "two JSON objects", body: append(bytes.Clone(valid), valid...), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "100000 nested arrays in an unread member", body: replace(`"pending_webhooks": 1`, `"pending_webhooks": `+deep), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "100000 nested objects in metadata", body: replace(`"metadata": {`, `"metadata": {"deep": `+deepObject+`,`), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},

		// The envelope's members.
		{name: "created 1e400", body: member("created", "1e400"), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "created overflowing int64", body: member("created", "9223372036854775808"), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "created negative", body: member("created", "-1788253502"), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "created zero", body: member("created", "0"), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "created as a string", body: member("created", `"1788253502"`), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "created fractional", body: member("created", "1788253502.5"), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "id as a number", body: member("id", "42"), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "id empty", body: member("id", `""`), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "id null", body: member("id", "null"), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "type as a number", body: member("type", "7"), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "type key capitalized", body: replace(`"type": "checkout`, `"Type": "checkout`), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "livemode as a string", body: member("livemode", `"false"`), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "data as an array", body: replace(`"data": {`, `"data": [], "ignored": {`), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "data.object null", body: replace(`"object": {`, `"object": null, "ignored": {`), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "data.object missing", body: replace(`"object": {`, `"ignored": {`), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "data.object as a string", body: replace(`"object": {`, `"object": "cs_1", "ignored": {`), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},

		// The object's fields that the policy reads.
		{name: "metadata as an array", body: edit(stripegatetest.WithObjectField("metadata", []string{"user_id", "user_42"})), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "metadata value as a number", body: edit(stripegatetest.WithObjectField("metadata.user_id", 42)), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "customer as a number", body: edit(stripegatetest.WithObjectField("customer", 42)), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "customer as an array", body: edit(stripegatetest.WithObjectField("customer", []string{"cus_1"})), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "expanded customer with a numeric id", body: edit(stripegatetest.WithObjectField("customer", map[string]any{"id": 42})), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "client_reference_id as a number", body: edit(stripegatetest.WithObjectField("client_reference_id", 42)), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "payment_status as an object", body: edit(stripegatetest.WithObjectField("payment_status", map[string]string{"value": "paid"})), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},
		{name: "checkout without an id", body: edit(stripegatetest.WithObjectField("id", ""), stripegatetest.WithObjectField("payment_intent", nil)), wantStatus: 400, wantErr: stripegate.ErrInvalidEvent},

		// Verified events that change nothing: 200.
		{name: "live-mode event on a test-mode handler", body: edit(stripegatetest.WithLivemode(true)), wantStatus: 200},
		{name: "event of a connected account", body: replace(`"api_version"`, `"account": "acct_1Q2w3E4r5T6y7U8i", "api_version"`), wantStatus: 200},
		{name: "unknown type with an array object", body: []byte(`{"id":"evt_1","type":"product.created","created":1788253502,"data":{"object":[]}}`), wantStatus: 200},
		{name: "two type members, ignored type last", body: replace(`"type": "checkout.session.completed"`, `"type": "checkout.session.completed", "type": "customer.created"`), wantStatus: 200},
		{name: "huge number in a member nobody reads", body: replaceOnce(t, fixture(t, e, "customer.created"), `"balance": 0`, `"balance": 1e999999`), wantStatus: 200},
		{name: "setup-mode checkout", body: edit(stripegatetest.WithObjectField("mode", "setup")), wantStatus: 200},
		{name: "unknown payment_status", body: edit(stripegatetest.WithObjectField("payment_status", "pending_review")), wantStatus: 200},
	}
}

// TestWebhookBadInput sends every bad input to one handler and checks its
// status, its reported error, and that the store is still empty.
func TestWebhookBadInput(t *testing.T) {
	r := newRig(t, nil)
	inputs := badInputs(t)
	if len(inputs) < 40 {
		t.Fatalf("%d bad inputs, want at least 40", len(inputs))
	}

	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			before := r.reports.count()
			status := r.sendBadInput(t, in)
			if status != in.wantStatus {
				t.Errorf("status %d, want %d", status, in.wantStatus)
			}
			if in.wantErr != nil {
				rep := r.reports.last()
				if r.reports.count() == before || !errors.Is(rep.Err, in.wantErr) {
					t.Errorf("reported error %v, want %v", rep.Err, in.wantErr)
				}
			}
			r.checkUnchanged(t)
		})
	}

	// The handler still applies a good event afterwards.
	if got := r.deliver(eras[1], "checkout.session.completed"); got != stripegate.OutcomeGranted {
		t.Errorf("good event after the bad inputs: outcome %q, want granted", got)
	}
}

// checkUnchanged fails the test when the fixture user has any access or
// payment log entry.
func (r *rig) checkUnchanged(t *testing.T) {
	t.Helper()
	if diff := cmp.Diff(stripegate.Entitlement{UserID: fixtureUser}, r.entitlement(fixtureUser)); diff != "" {
		t.Errorf("entitlement changed (-want +got):\n%s", diff)
	}
	if entries := r.paymentLog(fixtureUser); len(entries) != 0 {
		t.Errorf("payment log has %d entries, want none", len(entries))
	}
}

// sendBadInput sends one bad input its way and returns the status.
func (r *rig) sendBadInput(t *testing.T, in badInput) int {
	t.Helper()
	method := in.method
	if method == "" {
		method = http.MethodPost
	}
	sign := in.sign
	if sign == nil {
		sign = signNow
	}
	header := sign(r.secret, in.body)

	if in.via == viaRawTCP {
		return r.postShortBody(t, in.body, header)
	}
	if in.via == viaHandler {
		req := httptest.NewRequest(method, "/webhook", bytes.NewReader(in.body))
		setSignature(req.Header, header)
		rec := httptest.NewRecorder()
		r.handler.ServeHTTP(rec, req)
		return rec.Code
	}

	var body io.Reader = bytes.NewReader(in.body)
	if in.via == viaChunked {
		body = struct{ io.Reader }{body} // no Len method: sent chunked
	}
	req, err := http.NewRequestWithContext(context.Background(), method, r.server.URL, body)
	if err != nil {
		t.Fatal(err)
	}
	setSignature(req.Header, header)
	resp, err := r.server.Client().Do(req)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	status, _ := readResponse(t, resp)
	return status
}

// setSignature sets the header, one line per newline-separated value.
func setSignature(h http.Header, header string) {
	if header == "" {
		return
	}
	h["Stripe-Signature"] = strings.Split(header, "\n")
}

// postShortBody writes a request whose Content-Length exceeds the body it
// sends, then closes its side of the connection, as a client that went
// away does.
func (r *rig) postShortBody(t *testing.T, body []byte, header string) int {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(r.server.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	request := fmt.Sprintf("POST / HTTP/1.1\r\nHost: stripegate.test\r\nContent-Type: application/json\r\nStripe-Signature: %s\r\nContent-Length: %d\r\n\r\n",
		header, len(body)+100)
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}

	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	status, _ := readResponse(t, resp)
	return status
}

// TestWebhookOddValidInput checks inputs that look wrong but are valid, and
// inputs whose meaning this handler fixes: each is applied as described.
func TestWebhookOddValidInput(t *testing.T) {
	e := eras[1]
	valid := fixture(t, e, "checkout.session.completed")
	tests := []struct {
		name         string
		body         []byte
		sign         signer
		wantUser     string
		wantCustomer string
	}{
		{
			name:         "customer expanded to an object",
			body:         fixture(t, e, "checkout.session.completed", stripegatetest.WithObjectField("customer", map[string]any{"id": e.customer, "object": "customer", "email": "jenny.rosen@example.com"})),
			wantUser:     fixtureUser,
			wantCustomer: e.customer,
		},
		{
			name: "signature in upper-case hex",
			body: valid,
			sign: editHeader(func(h string) string {
				before, sig, _ := strings.Cut(h, "v1=")
				return before + "v1=" + strings.ToUpper(sig)
			}),
			wantUser:     fixtureUser,
			wantCustomer: e.customer,
		},
		{
			name:         "right signature on the first of two header lines",
			body:         valid,
			sign:         editHeader(func(h string) string { return h + "\nt=1,v1=" + strings.Repeat("0f", 32) }),
			wantUser:     fixtureUser,
			wantCustomer: e.customer,
		},
		{
			name:         "two type members, granting type last",
			body:         replaceOnce(t, valid, `"type": "checkout.session.completed"`, `"type": "customer.created", "type": "checkout.session.completed"`),
			wantUser:     fixtureUser,
			wantCustomer: e.customer,
		},
		{
			name:         "two client_reference_id members: the last wins",
			body:         replaceOnce(t, valid, `"client_reference_id": "user_42",`, `"client_reference_id": "user_7", "client_reference_id": "user_42",`),
			wantUser:     fixtureUser,
			wantCustomer: e.customer,
		},
		{
			name:         "member name with a unicode escape",
			body:         replaceOnce(t, valid, `"type": "checkout`, `"\u0074ype": "checkout`),
			wantUser:     fixtureUser,
			wantCustomer: e.customer,
		},
		{
			name:         "body padded to exactly the size limit",
			body:         padTo(valid, stripegate.DefaultMaxBodyBytes),
			wantUser:     fixtureUser,
			wantCustomer: e.customer,
		},
		{
			name:         "metadata null, user from client_reference_id",
			body:         fixture(t, e, "checkout.session.completed", stripegatetest.WithObjectField("metadata", nil)),
			wantUser:     fixtureUser,
			wantCustomer: e.customer,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			sign := tt.sign
			if sign == nil {
				sign = signNow
			}
			if status := r.sendBadInput(t, badInput{body: tt.body, sign: sign}); status != http.StatusOK {
				t.Fatalf("status %d, want 200", status)
			}
			if rep := r.reports.last(); rep.Outcome != stripegate.OutcomeGranted {
				t.Errorf("outcome %q (%v), want granted", rep.Outcome, rep.Err)
			}
			ent := r.entitlement(tt.wantUser)
			if !ent.Active || ent.CustomerID != tt.wantCustomer {
				t.Errorf("entitlement %+v, want active with customer %s", ent, tt.wantCustomer)
			}
		})
	}
}

// setEnvelopeMember replaces the value of a top-level member of an
// indented fixture, which sits on one line with a two-space indent.
func setEnvelopeMember(t *testing.T, body []byte, name, value string) []byte {
	t.Helper()
	prefix := "\n  \"" + name + "\": "
	start := bytes.Index(body, []byte(prefix))
	if start < 0 {
		t.Fatalf("no member %q", name)
	}
	start += len(prefix)
	end := start + bytes.IndexByte(body[start:], '\n')
	if body[end-1] == ',' {
		end--
	}
	return append(append(append([]byte{}, body[:start]...), value...), body[end:]...)
}

// replaceOnce replaces the one occurrence of old in body.
func replaceOnce(t *testing.T, body []byte, old, replacement string) []byte {
	t.Helper()
	if n := bytes.Count(body, []byte(old)); n != 1 {
		t.Fatalf("%q occurs %d times in the body, want once", old, n)
	}
	return bytes.Replace(body, []byte(old), []byte(replacement), 1)
}

// padTo appends spaces, which JSON ignores, to make the body size bytes.
func padTo(body []byte, size int) []byte {
	return append(bytes.Clone(body), bytes.Repeat([]byte(" "), size-len(body))...)
}

func hmacHex(secret, message string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(message))
	return hex.EncodeToString(mac.Sum(nil))
}

// count returns how many reports the handler sent.
func (l *reportLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.reports)
}
