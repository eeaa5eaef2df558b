package demoapp

import (
	"strings"

	"github.com/stripegate/stripegate/stripegatetest"
)

// DefaultAddr is the listen address when ADDR is unset, the one the Stripe
// CLI example in the README forwards to.
const DefaultAddr = "localhost:4242"

// Config is the part of an example's configuration that the app itself
// uses, read from the environment by ConfigFromEnv.
type Config struct {
	Addr     string   // ADDR, default DefaultAddr
	Secrets  []string // STRIPE_WEBHOOK_SECRET, split at commas
	Livemode bool     // STRIPE_LIVEMODE=true

	// SecretGenerated reports that STRIPE_WEBHOOK_SECRET was unset, so
	// Secrets holds one new random secret for this run.
	SecretGenerated bool
}

// ConfigFromEnv reads ADDR, STRIPE_WEBHOOK_SECRET and STRIPE_LIVEMODE
// through getenv. Without a secret it generates one, for local use.
func ConfigFromEnv(getenv func(string) string) Config {
	cfg := Config{
		Addr:     getenv("ADDR"),
		Livemode: getenv("STRIPE_LIVEMODE") == "true",
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}

	for _, secret := range strings.Split(getenv("STRIPE_WEBHOOK_SECRET"), ",") {
		if secret = strings.TrimSpace(secret); secret != "" {
			cfg.Secrets = append(cfg.Secrets, secret)
		}
	}
	if len(cfg.Secrets) == 0 {
		cfg.Secrets = []string{stripegatetest.NewSecret()}
		cfg.SecretGenerated = true
	}
	return cfg
}

// ModeName returns "live" or "test" for the configured mode.
func (cfg Config) ModeName() string {
	if cfg.Livemode {
		return "live"
	}
	return "test"
}
