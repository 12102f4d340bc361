package rag

import (
	"fmt"
	"sync"

	"github.com/pkoukk/tiktoken-go"
	tiktokenloader "github.com/pkoukk/tiktoken-go-loader"
)

// tokenEncoding is the tiktoken encoding used for every token count.
const tokenEncoding = "cl100k_base"

var (
	tokenizerOnce sync.Once
	tokenizer     *tiktoken.Tiktoken
	tokenizerErr  error
)

// loadTokenizer returns the shared tiktoken encoder, loaded from the BPE ranks
// embedded in the binary; no code path downloads BPE files.
func loadTokenizer() (*tiktoken.Tiktoken, error) {
	tokenizerOnce.Do(func() {
		tiktoken.SetBpeLoader(tiktokenloader.NewOfflineLoader())
		tokenizer, tokenizerErr = tiktoken.GetEncoding(tokenEncoding)
		if tokenizerErr != nil {
			tokenizerErr = fmt.Errorf("load tokenizer %s: %w", tokenEncoding, tokenizerErr)
		}
	})
	return tokenizer, tokenizerErr
}

// exactTokens returns the number of cl100k_base tokens in s, loading the
// tokenizer first (countTokens expects it loaded). Tests use it.
func exactTokens(s string) (int, error) {
	if _, err := loadTokenizer(); err != nil {
		return 0, err
	}
	return countTokens(s), nil
}
