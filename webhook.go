package stripegate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
)

// maxMaxBodyBytes caps WebhookConfig.MaxBodyBytes. Stripe events are far
// smaller; the cap keeps the limit arithmetic from overflowing.
const maxMaxBodyBytes = 1 << 30

// maxTolerance caps WebhookConfig.Tolerance.
const maxTolerance = time.Hour

// initialBodyBuffer caps the buffer allocated from an unverified
// Content-Length; a larger body grows it as its bytes arrive.
const initialBodyBuffer = 64 << 10

// Defaults for WebhookConfig fields left zero.
const (
	DefaultMaxBodyBytes      = 1 << 20 // 1 MiB
	DefaultTolerance         = 5 * time.Minute
	DefaultProcessingTimeout = 10 * time.Second
	DefaultUserMetadataKey   = "user_id"
)

// WebhookConfig configures a WebhookHandler. Secrets and Store are
// required; every other zero field takes the default written beside it.
type WebhookConfig struct {
	// Secrets are the endpoint signing secrets (whsec_...). A request is
	// accepted when its signature matches any of them: list the old and the
	// new secret while rotating, or one secret per Stripe endpoint that
	// posts to this handler. Required.
	Secrets []string

	// Store receives every access change. Required.
	Store EntitlementStore

	// Livemode selects which events change access: test-mode events when
	// false (the default), live-mode events when true. Events of the other
	// mode are acknowledged, logged and ignored.
	Livemode bool

	// Tolerance is how far the signed timestamp may lie from the server's
	// clock, in the past or in the future. Default 5 minutes.
	Tolerance time.Duration

	// MaxBodyBytes caps the request body. A larger body is rejected with
	// 413 before it is read whole. Default 1 MiB.
	MaxBodyBytes int64

	// ProcessingTimeout bounds the store's work on one event. When it
	// passes, the request gets 503 and Stripe delivers the event again.
	// Default 10 seconds.
	ProcessingTimeout time.Duration

	// UserMetadataKey is the metadata key that names the app's user on
	// Stripe objects. Default "user_id".
	UserMetadataKey string

	// ConnectedAccountEvents, when true, lets events of connected accounts
	// (Stripe Connect events, whose account field is set) change access.
	// Default false: they are acknowledged, logged as a warning and
	// ignored, because they record payments to those accounts, and any
	// seller on a platform could otherwise grant access to any user with a
	// free checkout on its own account.
	ConnectedAccountEvents bool

	// GracePeriod keeps access for this long after the first failed
	// renewal of a subscription (invoice.payment_failed, status past_due).
	// Default 0: a failed payment ends access at once.
	GracePeriod time.Duration

	// Logger receives one line per request. Default slog.Default().
	Logger *slog.Logger

	// OnEvent, when set, is called once per request after the response
	// status is decided, for metrics. It runs on the request's goroutine
	// and must not block.
	OnEvent func(Report)

	// Now returns the current time for the tolerance check. Default
	// time.Now; tests set a fixed clock.
	Now func() time.Time
}

// Report describes how one webhook request was handled.
type Report struct {
	EventID    string // empty when the request was rejected before decoding
	EventType  string
	Outcome    Outcome
	Status     int // the HTTP status sent
	UserID     string
	CustomerID string
	SourceID   string
	Reason     string // the reason an ignored event changed nothing
	Err        error  // the cause of a rejection or failure; nil otherwise
	Duration   time.Duration
}

// WebhookHandler is an http.Handler for Stripe webhook requests. It
// verifies each request's signature, decides the access change with the
// access policy, stores it and only then responds with 2xx. See the package
// documentation for the policy and the HTTP status contract.
//
// A WebhookHandler is safe for concurrent use.
type WebhookHandler struct {
	verifier verifier
	policy   policy
	store    EntitlementStore
	livemode bool
	connect  bool
	maxBody  int64
	timeout  time.Duration
	logger   *slog.Logger
	onEvent  func(Report)
	now      func() time.Time
}

// NewWebhookHandler returns a handler for the configuration, or an error
// naming the first invalid field.
func NewWebhookHandler(cfg WebhookConfig) (*WebhookHandler, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}

	h := &WebhookHandler{
		verifier: newVerifier(cfg.Secrets, orDefault(cfg.Tolerance, DefaultTolerance)),
		policy: policy{
			userKey: orDefault(cfg.UserMetadataKey, DefaultUserMetadataKey),
			grace:   cfg.GracePeriod,
		},
		store:    cfg.Store,
		livemode: cfg.Livemode,
		connect:  cfg.ConnectedAccountEvents,
		maxBody:  orDefault(cfg.MaxBodyBytes, DefaultMaxBodyBytes),
		timeout:  orDefault(cfg.ProcessingTimeout, DefaultProcessingTimeout),
		logger:   cfg.Logger,
		onEvent:  cfg.OnEvent,
		now:      cfg.Now,
	}
	if h.logger == nil {
		h.logger = slog.Default()
	}
	if h.now == nil {
		h.now = time.Now
	}
	return h, nil
}

func (cfg *WebhookConfig) validate() error {
	if len(cfg.Secrets) == 0 {
		return errors.New("stripegate: WebhookConfig.Secrets is empty: set the endpoint's signing secret (whsec_...)")
	}
	for i, s := range cfg.Secrets {
		if err := checkSecret(s); err != nil {
			return fmt.Errorf("stripegate: WebhookConfig.Secrets[%d]: %w", i, err)
		}
	}

	switch {
	case cfg.Store == nil:
		return errors.New("stripegate: WebhookConfig.Store is nil: pass an EntitlementStore such as memstore.New()")
	case cfg.Tolerance < 0:
		return fmt.Errorf("stripegate: WebhookConfig.Tolerance is negative (%s)", cfg.Tolerance)
	case cfg.Tolerance > maxTolerance:
		return fmt.Errorf("stripegate: WebhookConfig.Tolerance is %s, above %s: so wide a window lets a captured request be replayed for hours; fix the server's clock instead", cfg.Tolerance, maxTolerance)
	case cfg.UserMetadataKey != "" && strings.TrimSpace(cfg.UserMetadataKey) == "":
		return errors.New("stripegate: WebhookConfig.UserMetadataKey is blank: leave it empty for \"user_id\" or name the metadata key")
	case cfg.MaxBodyBytes < 0:
		return fmt.Errorf("stripegate: WebhookConfig.MaxBodyBytes is negative (%d)", cfg.MaxBodyBytes)
	case cfg.MaxBodyBytes > maxMaxBodyBytes:
		return fmt.Errorf("stripegate: WebhookConfig.MaxBodyBytes is %d, above the %d bytes this handler accepts", cfg.MaxBodyBytes, int64(maxMaxBodyBytes))
	case cfg.ProcessingTimeout < 0:
		return fmt.Errorf("stripegate: WebhookConfig.ProcessingTimeout is negative (%s)", cfg.ProcessingTimeout)
	case cfg.GracePeriod < 0:
		return fmt.Errorf("stripegate: WebhookConfig.GracePeriod is negative (%s)", cfg.GracePeriod)
	}
	return nil
}

func orDefault[T comparable](value, fallback T) T {
	var zero T
	if value == zero {
		return fallback
	}
	return value
}

// ServeHTTP handles one webhook delivery.
func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.now()
	buf := getBodyBuffer()
	rep := h.handle(r, start, buf)
	putBodyBuffer(buf)
	rep.Duration = h.now().Sub(start)

	h.respond(w, &rep)
	h.log(r.Context(), &rep)
	if h.onEvent != nil {
		h.onEvent(rep)
	}
}

// handle runs the steps of a delivery and reports the result; it never
// writes the response. It reads the body into *buf, leaving there the
// buffer the body grew into, and the Report it returns does not refer to
// that buffer.
func (h *WebhookHandler) handle(r *http.Request, now time.Time, buf *[]byte) Report {
	if r.Method != http.MethodPost {
		return rejected(http.StatusMethodNotAllowed, ErrMethodNotAllowed)
	}

	body, status, err := h.readBody(r, *buf)
	*buf = body
	if err != nil {
		return rejected(status, err)
	}
	if err := h.verifier.verify(body, r.Header.Get("Stripe-Signature"), now); err != nil {
		return rejected(http.StatusBadRequest, err)
	}

	ev, err := decodeEvent(body)
	if err != nil {
		return rejected(http.StatusBadRequest, err)
	}
	return h.process(r.Context(), ev)
}

// process decides and stores one verified event.
func (h *WebhookHandler) process(ctx context.Context, ev *event) Report {
	rep := Report{EventID: ev.ID, EventType: ev.Type, Status: http.StatusOK}
	if ev.Livemode != h.livemode {
		rep.Outcome, rep.Reason = OutcomeIgnored, h.modeMismatch(ev.Livemode)
		return rep
	}
	if ev.Account != "" && !h.connect {
		rep.Outcome, rep.Reason = OutcomeIgnored, reasonConnectedAccount
		return rep
	}

	d, err := h.policy.decide(ev)
	if err != nil {
		rep.Outcome, rep.Status, rep.Err = OutcomeRejected, http.StatusBadRequest, err
		return rep
	}
	if d.ignore != "" {
		rep.Outcome, rep.Reason = OutcomeIgnored, d.ignore
		return rep
	}

	c := d.change
	rep.UserID, rep.CustomerID, rep.SourceID = c.UserID, c.CustomerID, c.SourceID
	res, err := h.apply(ctx, c)
	if err != nil {
		rep.Outcome, rep.Status, rep.Err = OutcomeFailed, http.StatusServiceUnavailable, err
		return rep
	}

	rep.Outcome = res.Outcome
	if res.UserID != "" {
		rep.UserID = res.UserID
	}
	return rep
}

// Reasons for ignoring an event of the other mode or of a connected
// account. Their log line is a warning, because they usually mean a
// misconfigured endpoint.
const (
	reasonLiveOnTest       = "live-mode event on a test-mode handler"
	reasonTestOnLive       = "test-mode event on a live-mode handler"
	reasonConnectedAccount = "event of a connected account; set WebhookConfig.ConnectedAccountEvents to act on it"
)

func (h *WebhookHandler) modeMismatch(eventLive bool) string {
	if eventLive {
		return reasonLiveOnTest
	}
	return reasonTestOnLive
}

// readBody appends the raw body to buf and returns the result, also on
// error. The body must reach the verifier byte for byte. A body over the
// limit is rejected from its Content-Length when it is declared, else after
// reading one byte past the limit.
func (h *WebhookHandler) readBody(r *http.Request, buf []byte) ([]byte, int, error) {
	if r.ContentLength > h.maxBody {
		return buf, http.StatusRequestEntityTooLarge, fmt.Errorf("%w: Content-Length %d exceeds %d bytes", ErrBodyTooLarge, r.ContentLength, h.maxBody)
	}
	if r.ContentLength > 0 {
		// One byte more than declared, to read io.EOF without growing.
		buf = slices.Grow(buf, int(min(r.ContentLength, initialBodyBuffer))+1)
	}

	body, err := readLimited(r.Body, buf, h.maxBody)
	switch {
	case errors.Is(err, errOverLimit):
		return body, http.StatusRequestEntityTooLarge, fmt.Errorf("%w: body exceeds %d bytes", ErrBodyTooLarge, h.maxBody)
	case err != nil:
		return body, http.StatusBadRequest, fmt.Errorf("%w: %w", ErrReadBody, err)
	}
	return body, 0, nil
}

// apply stores the change within the processing timeout. The store runs on
// its own goroutine so that a store which ignores ctx cannot hold the
// response past the deadline, and a panic in it becomes an error.
//
// NOTE: starting that goroutine wakes an idle processor. On the 2-core VM
// of BENCHMARKS.md that costs 7-8 us of the 25-30 us an event takes, the
// price of responding in time when a store ignores ctx.
func (h *WebhookHandler) apply(ctx context.Context, c Change) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()

	call := &applyCall{done: make(chan struct{})}
	go call.run(ctx, h.store, c)

	select {
	case <-call.done:
		return call.res, h.storeError(ctx, call.err)
	case <-ctx.Done():
		return Result{}, h.storeError(ctx, ctx.Err())
	}
}

// applyCall is one Apply on its own goroutine. res and err may be read
// only once done is closed.
type applyCall struct {
	done chan struct{}
	res  Result
	err  error
}

func (call *applyCall) run(ctx context.Context, store EntitlementStore, c Change) {
	defer close(call.done)
	defer func() {
		if p := recover(); p != nil {
			call.err = fmt.Errorf("%w: panic: %v", ErrStore, p)
		}
	}()
	call.res, call.err = store.Apply(ctx, c)
}

// storeError classifies an error from the store, or nil.
func (h *WebhookHandler) storeError(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrStore):
		return err
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%w after %s: %w", ErrProcessingTimeout, h.timeout, err)
	default:
		return fmt.Errorf("%w: %w", ErrStore, err)
	}
}

func rejected(status int, err error) Report {
	return Report{Outcome: OutcomeRejected, Status: status, Err: err}
}
