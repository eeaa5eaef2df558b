package stripegate

import (
	"context"
	"log/slog"
	"net/http"
)

// respond writes the status and a one-line plain-text body. Stripe shows the
// body in the dashboard's delivery log, so it names the outcome or the
// rejection. A 5xx body never carries the store's error, which may name
// internals.
func (h *WebhookHandler) respond(w http.ResponseWriter, rep *Report) {
	header := w.Header()
	header.Set("Content-Type", "text/plain; charset=utf-8")
	header.Set("X-Content-Type-Options", "nosniff")
	if rep.Status == http.StatusMethodNotAllowed {
		header.Set("Allow", http.MethodPost)
	}
	w.WriteHeader(rep.Status)

	switch {
	case rep.Status >= 500:
		_, _ = w.Write([]byte("temporary failure, deliver the event again\n"))
	case rep.Err != nil:
		_, _ = w.Write([]byte(rep.Err.Error() + "\n"))
	default:
		_, _ = w.Write([]byte(string(rep.Outcome) + "\n"))
	}
}

// log writes the request's line: Info for events handled, Warn for
// rejected requests and events ignored for their mode, Error for failures.
// It never logs a secret, the signature header or the body.
func (h *WebhookHandler) log(ctx context.Context, rep *Report) {
	level := slog.LevelInfo
	switch {
	case rep.Status >= 500:
		level = slog.LevelError
	case rep.Status >= 400, rep.Reason == reasonLiveOnTest, rep.Reason == reasonTestOnLive, rep.Reason == reasonConnectedAccount:
		level = slog.LevelWarn
	}
	if !h.logger.Enabled(ctx, level) {
		return
	}

	attrs := make([]slog.Attr, 0, 10)
	attrs = append(attrs,
		slog.String("event_id", rep.EventID),
		slog.String("event_type", rep.EventType),
		slog.String("outcome", string(rep.Outcome)),
		slog.Int("status", rep.Status),
	)
	attrs = appendNonEmpty(attrs, "user_id", rep.UserID)
	attrs = appendNonEmpty(attrs, "customer_id", rep.CustomerID)
	attrs = appendNonEmpty(attrs, "source_id", rep.SourceID)
	attrs = appendNonEmpty(attrs, "reason", rep.Reason)
	if rep.Err != nil {
		attrs = append(attrs, slog.String("error", rep.Err.Error()))
	}
	attrs = append(attrs, slog.Duration("duration", rep.Duration))
	h.logger.LogAttrs(ctx, level, "stripe webhook", attrs...)
}

func appendNonEmpty(attrs []slog.Attr, key, value string) []slog.Attr {
	if value == "" {
		return attrs
	}
	return append(attrs, slog.String(key, value))
}
