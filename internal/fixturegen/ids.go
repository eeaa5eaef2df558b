package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// hashChars returns n base62 characters derived from seed. They replace the
// random part of Stripe ids, so equal seeds give equal ids on every run.
func hashChars(seed string, n int) string {
	var b strings.Builder
	for block := 0; b.Len() < n; block++ {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s#%d", seed, block)))
		for _, c := range sum {
			if b.Len() == n {
				break
			}
			b.WriteByte(base62[int(c)%len(base62)])
		}
	}
	return b.String()
}

// objectID returns an id in the style of the fixture ids of this era, such as
// "in_1N0Qf5LKkAKty0Q8" followed by 8 characters derived from label. The
// shared 16-character stem carries the fixture account's id part, as real ids
// of one account do.
func (s *scenario) objectID(prefix, label string) string {
	return prefix + s.idStem + hashChars(s.era.apiVersion+"/"+label, 8)
}

// sessionID returns a Checkout Session id as long as the fixture's.
func (s *scenario) sessionID(label string) string {
	const prefix = "cs_test_a1"
	return prefix + hashChars(s.era.apiVersion+"/"+label, len(s.cardSessionID)-len(prefix))
}

// requestID returns an API request id such as "req_8R2jcmY2M9wQxd".
func (s *scenario) requestID(label string) string {
	return "req_" + hashChars(s.era.apiVersion+"/request/"+label, 14)
}

// idempotencyKey returns a version 4 UUID derived from label, the usual form
// of an Idempotency-Key request header.
func (s *scenario) idempotencyKey(label string) string {
	sum := sha256.Sum256([]byte(s.era.apiVersion + "/idempotency/" + label))
	u := sum[:16]
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
