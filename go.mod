module github.com/stripegate/stripegate

go 1.23

require (
	github.com/google/go-cmp v0.7.0
	github.com/stripe/stripe-go/v76 v76.25.0
)
