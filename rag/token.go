package rag

import (
	"fmt"
	"sync"

	"github.com/pkoukk/tiktoken-go"
	tiktokenloader "github.com/pkoukk/tiktoken-go-loader"
)

// TokenEncoding is the tiktoken encoding used for every token count.
const TokenEncoding = "cl100k_base"

var (
	tokenizerOnce sync.Once
	tokenizer     *tiktoken.Tiktoken
	tokenizerErr  error
)

// Tokenizer returns the shared tiktoken encoder, loaded from the BPE ranks
// embedded in the binary; no code path downloads BPE files.
func Tokenizer() (*tiktoken.Tiktoken, error) {
	tokenizerOnce.Do(func() {
		tiktoken.SetBpeLoader(tiktokenloader.NewOfflineLoader())
		tokenizer, tokenizerErr = tiktoken.GetEncoding(TokenEncoding)
		if tokenizerErr != nil {
			tokenizerErr = fmt.Errorf("load tokenizer %s: %w", TokenEncoding, tokenizerErr)
		}
	})
	return tokenizer, tokenizerErr
}

// CountTokens returns the number of tokens in s.
func CountTokens(s string) (int, error) {
	if _, err := Tokenizer(); err != nil {
		return 0, err
	}
	return countTokens(s), nil
}
