package stripegate_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeSnippetsMatchExamples keeps the README's usage snippets true:
// every line of each must appear, in order, in a compiled Example.
func TestReadmeSnippetsMatchExamples(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)

	tests := []struct {
		name    string
		marker  string // a line that picks the snippet out of the README
		example string
	}{
		{"webhook and gate", "webhook, err := stripegate.NewWebhookHandler", "example_test.go"},
		{"pgstore", "store, err := pgstore.New", "pgstore/example_test.go"},
		{"test helpers", "stripegatetest.NewEvent(", "example_test.go"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			example, err := os.ReadFile(tt.example)
			if err != nil {
				t.Fatal(err)
			}
			snippet := ""
			for _, b := range blocks {
				if strings.Contains(b[1], tt.marker) {
					snippet = b[1]
				}
			}
			if snippet == "" {
				t.Fatalf("README has no Go snippet containing %q", tt.marker)
			}
			checkLinesInOrder(t, snippet, string(example))
		})
	}
}

func checkLinesInOrder(t *testing.T, snippet, source string) {
	t.Helper()
	for _, line := range strings.Split(snippet, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		i := strings.Index(source, line)
		if i < 0 {
			t.Errorf("README line %q is not in the example (in this order)", line)
			continue
		}
		source = source[i+len(line):]
	}
}
