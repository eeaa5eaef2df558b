// Command fixturegen writes the Stripe webhook event fixtures under
// testdata/events.
//
// It reads the object fixtures that Stripe publishes with stripe-mock, sets
// the fields of one payment scenario per API version, wraps each object in an
// event envelope and writes one pretty-printed JSON file per event to
// <out>/<api_version>/<name>.json. The output is deterministic: all ids and
// timestamps derive from fixed inputs.
//
// Usage, from the repository root:
//
//	go run ./internal/fixturegen -out testdata/events
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// era is one Stripe API version together with the stripe-mock release whose
// fixtures have the object shapes of that version.
type era struct {
	apiVersion  string
	mockVersion string
	// basil marks the shapes introduced by API version 2025-03-31.basil:
	// invoices link their subscription through parent, and billing periods
	// live on subscription items.
	basil bool
	// start is the time of the first event of the scenario.
	start time.Time
}

var eras = []era{
	{
		apiVersion:  "2022-11-15",
		mockVersion: "v0.162.0",
		start:       time.Date(2023, time.May, 1, 9, 0, 0, 0, time.UTC),
	},
	{
		apiVersion:  "2026-08-26.dahlia",
		mockVersion: "v0.203.0",
		basil:       true,
		start:       time.Date(2026, time.September, 1, 9, 0, 0, 0, time.UTC),
	},
}

func main() {
	out := flag.String("out", "testdata/events", "directory that receives one subdirectory of event files per API version")
	flag.Parse()

	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "fixturegen:", err)
		os.Exit(1)
	}
}

func run(out string) (err error) {
	// The object helpers panic with a shapeError when a fixture lacks a
	// field that the scenario edits, so a new stripe-mock release fails with
	// the field name instead of writing a broken file.
	defer func() {
		if r := recover(); r != nil {
			shape, ok := r.(shapeError)
			if !ok {
				panic(r)
			}
			err = shape
		}
	}()

	for _, e := range eras {
		fx, err := loadFixtures(e)
		if err != nil {
			return err
		}

		s := newScenario(e, fx)
		dir := filepath.Join(out, e.apiVersion)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		events := s.events()
		for _, ev := range events {
			path := filepath.Join(dir, ev.name+".json")
			if err := writeJSON(path, s.envelope(ev)); err != nil {
				return err
			}
		}
		fmt.Printf("wrote %d events for API version %s to %s\n", len(events), e.apiVersion, dir)
	}
	return nil
}

// writeJSON writes v with a 2-space indent and a trailing newline, the way
// Stripe formats webhook bodies. HTML escaping is off so that characters such
// as "&" stay literal instead of becoming "\u0026".
func writeJSON(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
