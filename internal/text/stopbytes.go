package text

// The word lists behind Local's corpus-free IDF prior, written by hand from
// general knowledge of English word frequency. Entries are stemmed the same
// way as text, so listing one form of a word covers its inflections.

// StopwordList holds function words, question words and single letters: they
// carry almost no topical information and get the smallest weight.
var StopwordList = []string{
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
