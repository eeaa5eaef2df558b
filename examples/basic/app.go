package main

import (
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/stripegate/stripegate"
)

// sessionCookie holds the signed-in user's ID.
//
// NOTE: the cookie is the user ID in plain text and anyone can set it. It
// stands in for the app's own authentication; a real app reads the user from
// its session instead.
const sessionCookie = "demo_user"

// app holds the routes' dependencies.
type app struct {
	store  stripegate.EntitlementStore
	gate   *stripegate.Gate
	logger *slog.Logger
}

// newApp returns the app's routes: the webhook endpoint, a demo sign-in, a
// gated page and a status page.
func newApp(cfg config, store stripegate.EntitlementStore, logger *slog.Logger) (http.Handler, error) {
	webhook, err := stripegate.NewWebhookHandler(stripegate.WebhookConfig{
		Secrets:  cfg.secrets,
		Store:    store,
		Livemode: cfg.livemode,
		Logger:   logger,
	})
	if err != nil {
		return nil, err
	}
	gate, err := stripegate.NewGate(stripegate.GateConfig{
		Store:  store,
		UserID: signedInUser,
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
	mux.HandleFunc("GET /{$}", a.home)
	return mux, nil
}

// signedInUser returns the user of the demo session cookie, or "".
func signedInUser(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

// login signs the user named by ?user= in, with no password: a stand-in for
// the app's own authentication.
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	user := r.URL.Query().Get("user")
	if user == "" || len(user) > 64 {
		http.Error(w, "demo sign-in: pass ?user=ID (1 to 64 characters)", http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    user,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// pro is the paid page; the Gate lets only entitled users reach it.
func (a *app) pro(w http.ResponseWriter, r *http.Request) {
	e, _ := stripegate.EntitlementFromContext(r.Context())
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("Welcome to Pro, " + e.UserID + ". Access comes from " + e.SourceID + ".\n"))
}

// homePage is the status page: the user's access and payment log.
var homePage = template.Must(template.New("home").Parse(`<!doctype html>
<title>stripegate example</title>
<h1>stripegate example</h1>
{{if not .User}}
<p>Not signed in. <a href="/login?user=user_42">Sign in as user_42</a> (demo sign-in: any ID works).</p>
{{else}}
<p>Signed in as <b>{{.User}}</b>.
{{if .Allowed}}Access: <b>yes</b>{{with .Entitlement.SourceID}} through {{.}}{{end}}{{with .GraceUntil}}, in a grace period until {{.}}{{end}}.
{{else}}Access: <b>no</b>.{{end}}
<a href="/pro">/pro</a></p>
<h2>Payment log</h2>
{{if .Log}}<table>
<tr><th>Created</th><th>Event</th><th>Type</th><th>Outcome</th><th>Source</th></tr>
{{range .Log}}<tr><td>{{.Created.UTC.Format "2006-01-02 15:04:05"}}</td><td>{{.EventID}}</td><td>{{.EventType}}</td><td>{{.Outcome}}</td><td>{{.SourceID}}</td></tr>
{{end}}</table>{{else}}<p>No events yet.</p>{{end}}
{{end}}
`))

type homeData struct {
	User        string
	Allowed     bool
	Entitlement stripegate.Entitlement
	GraceUntil  string
	Log         []stripegate.LogEntry
}

// home shows the signed-in user's access and their last 50 payment events.
func (a *app) home(w http.ResponseWriter, r *http.Request) {
	data := homeData{User: signedInUser(r)}
	if data.User != "" {
		e, err := a.gate.Check(r.Context(), data.User)
		if err != nil && !errors.Is(err, stripegate.ErrNotEntitled) {
			a.logger.Error("home: entitlement lookup failed", "user_id", data.User, "error", err)
			http.Error(w, "access cannot be checked right now", http.StatusServiceUnavailable)
			return
		}
		data.Allowed, data.Entitlement = err == nil, e
		if !e.GraceUntil.IsZero() {
			data.GraceUntil = e.GraceUntil.UTC().Format(time.RFC3339)
		}

		data.Log, err = a.store.PaymentLog(r.Context(), data.User, 50)
		if err != nil {
			a.logger.Error("home: payment log lookup failed", "user_id", data.User, "error", err)
			http.Error(w, "payment log cannot be read right now", http.StatusServiceUnavailable)
			return
		}
	}

	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = homePage.Execute(w, data)
}
