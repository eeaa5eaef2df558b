package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/stripegate/stripegate/stripegatetest"
)

// secretEnv is the environment variable that send reads the signing secret
// from when -secret is not given.
const secretEnv = "STRIPE_WEBHOOK_SECRET"

// sendFlags holds the raw flag values of send.
type sendFlags struct {
	url       string
	secret    string
	user      string
	userKey   string
	customer  string
	eventType string
	id        string
	keepID    bool
	created   string
	livemode  bool
	timeout   time.Duration
}

// sendConfig is a validated send command line.
type sendConfig struct {
	url     string
	secret  string
	file    string
	timeout time.Duration
	edits   []stripegatetest.EditOption
}

func newSendFlagSet(f *sendFlags) *flag.FlagSet {
	flags := flag.NewFlagSet("send", flag.ContinueOnError)
	flags.StringVar(&f.url, "url", "http://localhost:4242/webhook", "webhook endpoint `URL` to post the event to")
	flags.StringVar(&f.secret, "secret", "", "signing `secret` (default $"+secretEnv+"). Of a comma-separated list, the first entry\nis used. Prefer the variable, because other local users can see command lines")
	flags.StringVar(&f.user, "user", "", "app user `ID` to set as data.object.metadata[<-user-key>],\nand as client_reference_id when the object is a checkout.session")
	flags.StringVar(&f.userKey, "user-key", stripegatetest.DefaultUserKey, "metadata `key` that -user sets")
	flags.StringVar(&f.customer, "customer", "", "Stripe customer `ID` to set as data.object.customer, or as data.object.id\nwhen the object is a customer")
	flags.StringVar(&f.eventType, "type", "", "event `type` to set, such as invoice.payment_failed (default: keep the file's)")
	flags.StringVar(&f.id, "id", "", "event `ID` to set (default: a new random evt_ ID)")
	flags.BoolVar(&f.keepID, "keep-id", false, "keep the file's event ID, to test how the endpoint handles a duplicate")
	flags.StringVar(&f.created, "created", "", "event creation time to set, in unix `seconds` or \"now\" (default: keep the file's)")
	flags.BoolVar(&f.livemode, "livemode", false, "set livemode on the event, and on its object if the object has the field;\n-livemode=false clears it (default: keep the file's)")
	flags.DurationVar(&f.timeout, "timeout", 10*time.Second, "maximum `duration` to wait for the response, such as 500ms or 1m")
	return flags
}

// parseSendArgs parses and checks the arguments of send. It returns
// flag.ErrHelp when they ask for help.
func parseSendArgs(args []string, getenv func(string) string) (sendConfig, error) {
	var f sendFlags
	flags := newSendFlagSet(&f)
	flags.SetOutput(io.Discard) // run reports the error itself
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return sendConfig{}, err
		}
		return sendConfig{}, usageError{err}
	}

	set := make(map[string]bool)
	flags.Visit(func(fl *flag.Flag) { set[fl.Name] = true })

	config, err := f.check(flags.Args(), set, getenv)
	if err != nil {
		return sendConfig{}, usageError{err}
	}
	return config, nil
}

// check validates the flags and turns them into a config. set names the
// flags given on the command line.
func (f *sendFlags) check(files []string, set map[string]bool, getenv func(string) string) (sendConfig, error) {
	file, err := singleFile(files)
	if err != nil {
		return sendConfig{}, err
	}
	if err := checkURL(f.url); err != nil {
		return sendConfig{}, err
	}
	if f.timeout <= 0 {
		return sendConfig{}, fmt.Errorf("invalid -timeout %s: must be positive", f.timeout)
	}

	secret, err := chooseSecret(f.secret, getenv(secretEnv))
	if err != nil {
		return sendConfig{}, err
	}

	edits, err := f.edits(set)
	if err != nil {
		return sendConfig{}, err
	}
	return sendConfig{url: f.url, secret: secret, file: file, timeout: f.timeout, edits: edits}, nil
}

// edits returns the event edits in a fixed order. set names the flags
// given on the command line.
func (f *sendFlags) edits(set map[string]bool) ([]stripegatetest.EditOption, error) {
	var edits []stripegatetest.EditOption

	idEdit, err := f.idEdit()
	if err != nil {
		return nil, err
	}
	if idEdit != nil {
		edits = append(edits, idEdit)
	}

	if f.eventType != "" {
		edits = append(edits, stripegatetest.WithType(f.eventType))
	}

	if set["created"] {
		created, err := parseCreated(f.created)
		if err != nil {
			return nil, err
		}
		edits = append(edits, stripegatetest.WithCreated(created))
	}

	if set["livemode"] {
		edits = append(edits, stripegatetest.WithLivemode(f.livemode))
	}

	if f.customer != "" {
		edits = append(edits, stripegatetest.WithCustomer(f.customer))
	}

	userEdit, err := f.userEdit(set)
	if err != nil {
		return nil, err
	}
	if userEdit != nil {
		edits = append(edits, userEdit)
	}
	return edits, nil
}

// idEdit returns the edit of the event ID, or nil to keep the file's.
func (f *sendFlags) idEdit() (stripegatetest.EditOption, error) {
	switch {
	case f.keepID && f.id != "":
		return nil, errors.New("-id and -keep-id cannot be used together")
	case f.keepID:
		return nil, nil
	case f.id != "":
		return stripegatetest.WithID(f.id), nil
	default:
		return stripegatetest.WithNewID(), nil
	}
}

// userEdit returns the edit of the app's user ID, or nil without -user.
func (f *sendFlags) userEdit(set map[string]bool) (stripegatetest.EditOption, error) {
	if f.userKey == "" {
		return nil, errors.New("invalid -user-key: must not be empty")
	}
	if f.user == "" {
		if set["user-key"] {
			return nil, errors.New("-user-key needs -user, the user ID to set")
		}
		return nil, nil
	}
	return stripegatetest.WithUserKey(f.userKey, f.user), nil
}

func singleFile(args []string) (string, error) {
	switch len(args) {
	case 0:
		return "", errors.New("missing event FILE")
	case 1:
		return args[0], nil
	default:
		return "", fmt.Errorf("expected one event FILE, got %d arguments %q; flags go before FILE", len(args), args)
	}
}

func checkURL(raw string) error {
	parsed, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("invalid -url: %w", err)
	}
	if parsed.Scheme != "http" && parsed.Scheme != "https" {
		return fmt.Errorf("invalid -url %q: expected an http or https URL", raw)
	}
	if parsed.Host == "" {
		return fmt.Errorf("invalid -url %q: missing host", raw)
	}
	return nil
}

// chooseSecret returns the secret from the flag, else from the environment
// variable. From a comma-separated list of secrets, which an app may accept
// during a secret rotation, it returns the first.
func chooseSecret(flagValue, envValue string) (string, error) {
	source, value := "-secret", flagValue
	if value == "" {
		source, value = secretEnv, envValue
	}
	if value == "" {
		return "", fmt.Errorf("missing signing secret: set -secret or %s", secretEnv)
	}

	first, _, _ := strings.Cut(value, ",")
	first = strings.TrimSpace(first)
	if first == "" {
		return "", fmt.Errorf("invalid %s: the first comma-separated entry is empty", source)
	}
	return first, nil
}

// parseCreated parses -created: unix seconds, or "now".
func parseCreated(value string) (time.Time, error) {
	if value == "now" {
		return time.Now(), nil
	}

	seconds, err := strconv.ParseInt(value, 10, 64)
	if err != nil || seconds <= 0 {
		return time.Time{}, fmt.Errorf("invalid -created %q: expected positive unix seconds or \"now\"", value)
	}
	return time.Unix(seconds, 0), nil
}
