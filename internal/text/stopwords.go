package text

import (
	"slices"
	"strings"
)

// embedderStopwords holds function words, question words and single
// letters, written by hand from general knowledge of English word frequency:
// they carry almost no topical information, and the local embedder gives them
// its smallest weight. It is longer than the lexical list (stopwords); see
// StemBytes for why the two analyses stay apart.
var embedderStopwords = []string{
	"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
	"p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z",
	"about", "above", "after", "again", "against", "all", "also", "am", "among",
	"an", "and", "any", "are", "as", "at", "be", "because", "been", "before",
	"being", "below", "between", "both", "but", "by", "can", "could", "did",
	"do", "does", "doing", "done", "down", "during", "each", "either", "else",
	"ever", "every", "few", "for", "from", "further", "had", "has", "have",
	"having", "he", "her", "here", "hers", "herself", "him", "himself", "his",
	"how", "however", "if", "in", "into", "is", "it", "its", "itself", "just",
	"may", "me", "might", "more", "most", "much", "must", "my", "myself",
	"neither", "no", "nor", "not", "now", "of", "off", "on", "once", "one",
	"only", "onto", "or", "other", "others", "our", "ours", "ourselves", "out",
	"over", "own", "per", "same", "shall", "she", "should", "since", "so",
	"some", "such", "than", "that", "the", "their", "theirs", "them",
	"themselves", "then", "there", "therefore", "these", "they", "this",
	"those", "though", "through", "thus", "to", "too", "toward", "towards",
	"under", "until", "up", "upon", "us", "very", "via", "was", "we", "were",
	"what", "whatever", "when", "whenever", "where", "whereas", "whether",
	"which", "while", "who", "whom", "whose", "why", "will", "with", "within",
	"without", "would", "yet", "you", "your", "yours", "yourself",
	"yourselves", "whilst", "wherein", "whereby", "etc", "ie", "eg",
	"isn", "aren", "wasn", "weren", "don", "doesn", "didn", "won", "wouldn",
	"can't", "couldn", "shouldn", "hasn", "haven", "hadn", "ll", "ve", "re",
}

// EmbedderStopwords returns the local embedder's stop-word list, a copy.
func EmbedderStopwords() []string { return slices.Clone(embedderStopwords) }

// stopwords are dropped from lexical terms (Terms).
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an and are as at be been being but by can could did do does doing
	for from had has have having he her here hers him his how i if in into is it its itself just me
	more most my no nor not of off on once only or other our ours out over own same she should so
	some such than that the their theirs them then there these they this those through to too under
	until up very was we were what when where which while who whom why will with would you your
	yours also about against between during before after above below again further any both each
	few all s t don now am`) {
		m[w] = true
	}
	return m
}()

// IsStopword reports whether the lowercased word w is a lexical stop word.
func IsStopword(w string) bool { return stopwords[w] }
