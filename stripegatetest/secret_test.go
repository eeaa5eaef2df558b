package stripegatetest

import (
	"regexp"
	"testing"
)

func TestNewSecretFormat(t *testing.T) {
	got := NewSecret()

	if !regexp.MustCompile(`^whsec_[0-9A-Za-z]{32}$`).MatchString(got) {
		t.Errorf("NewSecret() = %q, expected whsec_ and 32 alphanumeric characters", got)
	}
}

func TestNewSecretIsRandom(t *testing.T) {
	first, second := NewSecret(), NewSecret()

	if first == second {
		t.Errorf("two calls to NewSecret returned the same secret %q", first)
	}
}
