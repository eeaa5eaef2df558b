package demoapp

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Config
	}{
		{"defaults", map[string]string{"STRIPE_WEBHOOK_SECRET": "whsec_a"},
			Config{Addr: DefaultAddr, Secrets: []string{"whsec_a"}}},
		{"list with spaces", map[string]string{"STRIPE_WEBHOOK_SECRET": " whsec_a , whsec_b ,", "ADDR": ":8080", "STRIPE_LIVEMODE": "true"},
			Config{Addr: ":8080", Secrets: []string{"whsec_a", "whsec_b"}, Livemode: true}},
		{"livemode only when true", map[string]string{"STRIPE_WEBHOOK_SECRET": "whsec_a", "STRIPE_LIVEMODE": "1"},
			Config{Addr: DefaultAddr, Secrets: []string{"whsec_a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ConfigFromEnv(func(k string) string { return tt.env[k] })
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ConfigFromEnv (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigFromEnvGeneratesSecret(t *testing.T) {
	got := ConfigFromEnv(func(string) string { return "" })
	if !got.SecretGenerated || len(got.Secrets) != 1 || !strings.HasPrefix(got.Secrets[0], "whsec_") {
		t.Errorf("ConfigFromEnv without a secret = %+v, want one generated whsec_ secret", got)
	}
}
