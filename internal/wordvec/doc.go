// Package wordvec holds English word meaning as vectors: GloVe 6B word
// vectors of 100 dimensions (Pennington et al. 2014) for the 60,000 most
// frequent words, compiled into the binary (vectors.bin, written by
// `go generate`; see gen and LICENSE-GloVe).
//
// Lookup finds a word's Vector through the project's text analysis (case,
// apostrophes, hyphens; package internal/text), with the word's stem as a
// fallback; Cosine compares two vectors; Rank and Probability give the
// word's frequency, for weighting words by how informative they are.
//
// The table is parsed on first use, once; vectors are views into the
// embedded bytes, so a lookup does not allocate.
//
// Package wordvec owns the word table and lookups only; what is built from
// them (sentence vectors, alignments) belongs to its callers. It imports
// only package internal/text of ragcite.
package wordvec
