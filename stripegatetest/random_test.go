package stripegatetest

import (
	"regexp"
	"testing"
)

func TestRandomStringAlphabetAndLength(t *testing.T) {
	for _, n := range []int{0, 1, 24, 300} {
		got := randomString(n)

		if len(got) != n {
			t.Errorf("randomString(%d) has length %d", n, len(got))
		}
		if !regexp.MustCompile(`^[0-9A-Za-z]*$`).MatchString(got) {
			t.Errorf("randomString(%d) = %q, contains a character outside [0-9A-Za-z]", n, got)
		}
	}
}

func TestRandomStringUsesWholeAlphabet(t *testing.T) {
	seen := make(map[rune]bool)
	for _, c := range randomString(10000) {
		seen[c] = true
	}

	// 10000 uniform draws miss one of 62 characters with a probability
	// below 1e-60, so a failure means the draw is biased or truncated.
	if len(seen) != len(alphanumeric) {
		t.Errorf("10000 random characters used %d distinct characters, expected %d", len(seen), len(alphanumeric))
	}
}

func TestRandomIDFormat(t *testing.T) {
	got := randomID("evt_")

	if !regexp.MustCompile(`^evt_[0-9A-Za-z]{24}$`).MatchString(got) {
		t.Errorf("randomID(%q) = %q, expected evt_ and 24 alphanumeric characters", "evt_", got)
	}
	if other := randomID("evt_"); other == got {
		t.Errorf("two calls to randomID returned the same ID %q", got)
	}
}

func TestRandomUUIDFormat(t *testing.T) {
	got := randomUUID()

	pattern := `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`
	if !regexp.MustCompile(pattern).MatchString(got) {
		t.Errorf("randomUUID() = %q, expected a version 4 UUID", got)
	}
}
