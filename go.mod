module github.com/stripegate/stripegate

go 1.25

require (
	github.com/google/go-cmp v0.7.0
	github.com/stripe/stripe-go/v76 v76.25.0
)

require github.com/go-json-experiment/json v0.0.0-20251027170946-4849db3c2f7e
