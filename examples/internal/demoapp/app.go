// Package demoapp is the web app that the examples share: the Stripe
// webhook endpoint, a demo sign-in, a gated page and a status page, over
// any EntitlementStore. Each example picks the store and runs it.
package demoapp

import (
	"errors"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/stripegate/stripegate"
)

// demoUserCookie carries the signed-in user's ID.
//
// NOTE: this sign-in is a stand-in for the app's own authentication. The
// cookie holds the user ID in plain text, unsigned, so any client can claim
// any user. A real app takes the user from its own session.
const demoUserCookie = "demo_user"

// maxUserIDLength bounds the user IDs that the demo sign-in accepts.
const maxUserIDLength = 64

// paymentLogLimit is how many payment log entries the status page shows.
const paymentLogLimit = 50

// app serves the routes and holds what they share.
type app struct {
	store  stripegate.EntitlementStore
	gate   *stripegate.Gate
	logger *slog.Logger
}

// New returns the app's routes over store:
//
//	POST /webhook       the Stripe webhook endpoint
//	GET  /login?user=ID demo sign-in (see demoUserCookie)
//	GET  /pro           the paid page, behind the Gate
//	GET  /              the signed-in user's access and payment log
func New(cfg Config, store stripegate.EntitlementStore, logger *slog.Logger) (http.Handler, error) {
	webhook, err := stripegate.NewWebhookHandler(stripegate.WebhookConfig{
		Secrets:  cfg.Secrets,
		Store:    store,
		Livemode: cfg.Livemode,
		Logger:   logger,
	})
	if err != nil {
		return nil, err
	}

	gate, err := stripegate.NewGate(stripegate.GateConfig{
		Store:  store,
		UserID: demoUser,
		Logger: logger,
	})
	if err != nil {
		return nil, err
	}

	a := &app{store: store, gate: gate, logger: logger}
	mux := http.NewServeMux()
	mux.Handle("POST /webhook", webhook)
	mux.HandleFunc("GET /login", a.login)
	mux.Handle("GET /pro", gate.Wrap(http.HandlerFunc(a.pro)))
	mux.HandleFunc("GET /{$}", a.status)
	return mux, nil
}

// demoUser returns the user ID of the demo sign-in cookie, or "" when the
// request has none.
func demoUser(r *http.Request) string {
	cookie, err := r.Cookie(demoUserCookie)
	if err != nil {
		return ""
	}
	return cookie.Value
}

// login signs in the user that ?user= names, without a password, and
// redirects to the status page.
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	userID := r.URL.Query().Get("user")
	if userID == "" || len(userID) > maxUserIDLength {
		http.Error(w, "demo sign-in: pass ?user=ID with 1 to 64 characters", http.StatusBadRequest)
		return
	}

	http.SetCookie(w, &http.Cookie{
		Name:     demoUserCookie,
		Value:    userID,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// pro is the paid page. The Gate calls it only for entitled users.
func (a *app) pro(w http.ResponseWriter, r *http.Request) {
	e, _ := stripegate.EntitlementFromContext(r.Context())
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("Pro content for " + e.UserID + ", paid through " + e.SourceID + ".\n"))
}

// statusPage renders the status page from a statusView.
var statusPage = template.Must(template.New("status").Parse(`<!doctype html>
<meta charset="utf-8">
<title>stripegate example</title>
<h1>stripegate example</h1>
{{- if .UserID}}
<p>Signed in as <b>{{.UserID}}</b> (demo sign-in).</p>
<p>Access to <a href="/pro">/pro</a>:
{{- if .Allowed}} <b>yes</b>, through {{.Entitlement.SourceID}}
{{- if not .Entitlement.GraceUntil.IsZero}}, in a grace period until {{.Entitlement.GraceUntil.UTC.Format "2006-01-02 15:04 MST"}}{{end}}.
{{- else}} <b>no</b>.{{end}}</p>
<h2>Payment log, newest first</h2>
{{- if .Log}}
<table>
<tr><th>Created (UTC)</th><th>Type</th><th>Outcome</th><th>Source</th><th>Event</th></tr>
{{- range .Log}}
<tr><td>{{.Created.UTC.Format "2006-01-02 15:04:05"}}</td><td>{{.EventType}}</td><td>{{.Outcome}}</td><td>{{.SourceID}}</td><td>{{.EventID}}</td></tr>
{{- end}}
</table>
{{- else}}
<p>No payment events for this user yet.</p>
{{- end}}
{{- else}}
<p>Not signed in. <a href="/login?user=user_42">Sign in as user_42</a>; the demo sign-in accepts any ID.</p>
{{- end}}
`))

// statusView is the data of the status page.
type statusView struct {
	UserID      string
	Allowed     bool
	Entitlement stripegate.Entitlement
	Log         []stripegate.LogEntry
}

// status shows the signed-in user's access and newest payment log entries.
func (a *app) status(w http.ResponseWriter, r *http.Request) {
	view := statusView{UserID: demoUser(r)}
	if view.UserID != "" {
		var err error
		view.Entitlement, err = a.gate.Check(r.Context(), view.UserID)
		if err != nil && !errors.Is(err, stripegate.ErrNotEntitled) {
			a.fail(w, r, "read the entitlement", err)
			return
		}
		view.Allowed = err == nil

		view.Log, err = a.store.PaymentLog(r.Context(), view.UserID, paymentLogLimit)
		if err != nil {
			a.fail(w, r, "read the payment log", err)
			return
		}
	}

	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := statusPage.Execute(w, view); err != nil {
		a.logger.LogAttrs(r.Context(), slog.LevelError, "status page: render failed",
			slog.String("user_id", view.UserID), slog.String("error", err.Error()))
	}
}

// fail logs a store failure and responds with 503, since the database may
// be back on the next request.
func (a *app) fail(w http.ResponseWriter, r *http.Request, step string, err error) {
	userID := demoUser(r)
	a.logger.LogAttrs(r.Context(), slog.LevelError, "status page: "+step+" failed",
		slog.String("user_id", userID), slog.String("error", err.Error()))
	http.Error(w, "The entitlement store cannot be reached right now. Try again shortly.", http.StatusServiceUnavailable)
}
