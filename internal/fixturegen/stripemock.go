package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

const stripeMockModule = "github.com/stripe/stripe-mock"

// fixtures is the "resources" map of a stripe-mock fixtures3.json file,
// keyed by object name such as "invoice" or "checkout.session".
type fixtures map[string]any

// resource returns a deep copy of the named fixture object, so that each
// event can edit its own copy.
func (f fixtures) resource(name string) object {
	o, ok := f[name].(object)
	if !ok {
		panic(shapeError(fmt.Sprintf("stripe-mock fixtures contain no %q object", name)))
	}
	return clone(o)
}

// loadFixtures reads the fixtures of the stripe-mock release of e and checks
// that the release's OpenAPI spec is for e.apiVersion.
func loadFixtures(e era) (fixtures, error) {
	dir, err := downloadStripeMock(e.mockVersion)
	if err != nil {
		return nil, err
	}
	openapi := filepath.Join(dir, "embedded", "openapi")

	var spec struct {
		Info struct {
			Version string `json:"version"`
		} `json:"info"`
	}
	if err := readJSON(filepath.Join(openapi, "spec3.json"), &spec); err != nil {
		return nil, err
	}
	if spec.Info.Version != e.apiVersion {
		return nil, fmt.Errorf("stripe-mock %s describes API version %q instead of %q, so update mockVersion in the eras list of internal/fixturegen/main.go",
			e.mockVersion, spec.Info.Version, e.apiVersion)
	}

	var file struct {
		Resources fixtures `json:"resources"`
	}
	if err := readJSON(filepath.Join(openapi, "fixtures3.json"), &file); err != nil {
		return nil, err
	}
	return file.Resources, nil
}

// downloadStripeMock returns the module cache directory of the given
// stripe-mock version, downloading it through the Go module proxy if needed.
func downloadStripeMock(version string) (string, error) {
	// Run outside any module so that the download cannot touch the
	// repository's go.mod or go.sum.
	tmp, err := os.MkdirTemp("", "fixturegen-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)

	cmd := exec.Command("go", "mod", "download", "-json", stripeMockModule+"@"+version)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, runErr := cmd.Output()

	// With -json, go mod download reports a failed download in the Error
	// field of its output, so read that before the exit status.
	var info struct {
		Dir   string
		Error string
	}
	if err := json.Unmarshal(stdout, &info); err == nil && info.Error != "" {
		return "", fmt.Errorf("go mod download %s@%s failed: %s", stripeMockModule, version, info.Error)
	}
	if runErr != nil {
		return "", fmt.Errorf("go mod download %s@%s failed: %w: %s", stripeMockModule, version, runErr, stderr.Bytes())
	}
	if info.Dir == "" {
		return "", fmt.Errorf("go mod download %s@%s returned no module directory", stripeMockModule, version)
	}
	return info.Dir, nil
}

// readJSON decodes a JSON file into v. Numbers decode as json.Number so that
// fixture values are written back exactly as stripe-mock spells them.
func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	return nil
}
