package text

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Fingerprint identifies the analysis Terms does: a hash of the stop-word
// list and of the terms of a probe text that exercises stemming, stop words,
// apostrophes, numbers and non-ASCII letters. Stores persist it beside
// analysed terms and analyse again when it changes.
func Fingerprint() string { return fingerprint() }

var fingerprint = sync.OnceValue(func() string {
	const probe = "Investing investments invested: Amazon’s $10bn OpenAI talks, the U.S. studies " +
		"running 3.5% a cats' stories; making makes made, boxes classes status analysis Zürich naïve 1990s"
	h := sha256.New()
	words := slices.Sorted(maps.Keys(stopwords))
	h.Write([]byte(strings.Join(words, " ")))
	h.Write([]byte{0})
	h.Write([]byte(strings.Join(Terms(probe), " ")))
	return hex.EncodeToString(h.Sum(nil)[:8])
})
