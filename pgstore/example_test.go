package pgstore_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stripegate/stripegate"
	"github.com/stripegate/stripegate/pgstore"
)

// Example wires the store into the webhook handler and the Gate of an app
// that may run as several instances on one database. It needs a database,
// so go test compiles it but does not run it.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	store, err := pgstore.New(pool, pgstore.Config{})
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	// Delete processed event IDs past the retention window, once an hour.
	go func() {
		for range time.Tick(time.Hour) {
			if _, err := store.Cleanup(ctx); err != nil {
				log.Print(err)
			}
		}
	}()

	webhook, err := stripegate.NewWebhookHandler(stripegate.WebhookConfig{
		Secrets: []string{os.Getenv("STRIPE_WEBHOOK_SECRET")},
		Store:   store,
	})
	if err != nil {
		log.Fatal(err)
	}
	gate, err := stripegate.NewGate(stripegate.GateConfig{
		Store:  store,
		UserID: sessionUser,
	})
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("POST /webhook", webhook)
	mux.Handle("GET /pro", gate.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("paid content\n"))
	})))
	log.Fatal(http.ListenAndServe("localhost:4242", mux))
}

// sessionUser is a placeholder for the app's own authentication. It returns
// the signed-in user of the request, or "" when no user is signed in.
func sessionUser(r *http.Request) string {
	return ""
}
