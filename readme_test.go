package stripegate_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeSnippetMatchesExample keeps the README's usage snippet true:
// every line of it must appear, in order, in the compiled Example.
func TestReadmeSnippetMatchesExample(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}

	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) == 0 {
		t.Fatal("README has no Go snippet")
	}
	snippet := blocks[0][1]

	rest := string(example)
	for _, line := range strings.Split(snippet, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		i := strings.Index(rest, line)
		if i < 0 {
			t.Errorf("README line %q is not in Example (in this order)", line)
			continue
		}
		rest = rest[i+len(line):]
	}
}
