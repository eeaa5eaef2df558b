package stripegatetest_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/stripegate/stripegate/stripegatetest"
)

// Sign returns the value of the Stripe-Signature header. The example uses a
// fixed time and an obviously fake secret, so its output never changes.
func Example() {
	secret := stripegatetest.SecretPrefix + "example_only"
	payload := []byte(`{"id":"evt_example","object":"event"}`)

	header := stripegatetest.Sign(payload, secret, time.Unix(1700000000, 0))

	timestamp, signature, _ := strings.Cut(header, ",")
	fmt.Println(timestamp)
	fmt.Println(strings.HasPrefix(signature, "v1="), len(signature))
	// Output:
	// t=1700000000
	// true 67
}

func ExampleEdit() {
	event := []byte(`{
  "id": "evt_original",
  "object": "event",
  "data": {
    "object": {
      "id": "cs_test_1",
      "object": "checkout.session",
      "client_reference_id": null,
      "metadata": {},
      "payment_status": "paid"
    }
  },
  "type": "checkout.session.completed"
}`)

	edited, err := stripegatetest.Edit(event,
		stripegatetest.WithID("evt_edited"),
		stripegatetest.WithUser("user_42"),
		stripegatetest.WithObjectField("payment_status", "unpaid"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}

	fmt.Println(string(edited))
	// Output:
	// {
	//   "id": "evt_edited",
	//   "object": "event",
	//   "data": {
	//     "object": {
	//       "id": "cs_test_1",
	//       "object": "checkout.session",
	//       "client_reference_id": "user_42",
	//       "metadata": {
	//         "user_id": "user_42"
	//       },
	//       "payment_status": "unpaid"
	//     }
	//   },
	//   "type": "checkout.session.completed"
	// }
}
