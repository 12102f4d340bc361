package rag

// Document is one ingested text with its identity and metadata. Text is kept
// in full so quotes can be checked against it.
type Document struct {
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	Text     string            `json:"text"`
	Source   string            `json:"source,omitempty"`
	Metadata map[string]string `json:"metadata,omitempty"`
	// Collection is the named collection the document belongs to
	// (DefaultCollection when empty at ingest); it is stored as the
	// "collection" metadata key.
	Collection string `json:"collection,omitempty"`
}

// DocumentInfo describes a stored document without its text.
type DocumentInfo struct {
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	Source   string            `json:"source"`
	Chunks   int               `json:"chunks"`
	Bytes    int               `json:"bytes"`
	Metadata map[string]string `json:"metadata"`
	// Collection is filled in by the engine from the metadata.
	Collection string `json:"collection"`
	Hash       string `json:"-"`
}

// Chunk is a passage of a document: Text is exactly Document.Text[Start:End].
type Chunk struct {
	ID    string `json:"chunk_id"`
	DocID string `json:"doc_id"`
	Index int    `json:"index"`
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// IngestStatus says what ingesting one document did.
type IngestStatus string

// Ingest statuses.
const (
	StatusCreated   IngestStatus = "created"
	StatusUpdated   IngestStatus = "updated"
	StatusUnchanged IngestStatus = "unchanged"
)

// IngestResult is the outcome for one document.
type IngestResult struct {
	ID     string       `json:"id"`
	Title  string       `json:"title"`
	Chunks int          `json:"chunks"`
	Status IngestStatus `json:"status"`
	// Changed names what differs from the stored version of an updated
	// document: "title", "source", "text", "metadata".
	Changed []string `json:"changed,omitempty"`
}

// Filter restricts retrieval to some documents. Empty fields match all.
// Stores never see Collection: the engine turns it into a metadata
// condition on MetaCollection.
type Filter struct {
	Collection string            `json:"collection,omitempty"`
	DocIDs     []string          `json:"doc_ids,omitempty"`
	Metadata   map[string]string `json:"metadata,omitempty"`
}

// SearchRequest asks for the passages most relevant to Query.
type SearchRequest struct {
	// Collection limits the search to one collection; empty searches all.
	Collection string `json:"collection,omitempty"`
	Query      string `json:"query"`
	TopK       int    `json:"top_k,omitempty"`
	Filter     Filter `json:"filter"`
}

// SearchResult is one retrieved passage.
type SearchResult struct {
	DocID   string  `json:"doc_id"`
	ChunkID string  `json:"chunk_id"`
	Title   string  `json:"title"`
	Text    string  `json:"text"`
	Start   int     `json:"start"`
	End     int     `json:"end"`
	Score   float64 `json:"score"`
}

// Mode selects how answers and summaries are written.
type Mode string

// Modes.
const (
	ModeAuto       Mode = "auto"
	ModeExtractive Mode = "extractive"
	ModeLLM        Mode = "llm"
)

// AskRequest is a question over the stored documents.
type AskRequest struct {
	Question string `json:"question"`
	TopK     int    `json:"top_k,omitempty"`
	Filter   Filter `json:"filter"`
	Mode     Mode   `json:"mode,omitempty"`
	// Policy says which generated sentences are kept; "" means the server default.
	Policy Policy `json:"policy,omitempty"`
	// MinConfidence overrides the confidence under which an extractive
	// answer abstains (0 never abstains, 1 always does); nil keeps the
	// ranker's default.
	MinConfidence *float64 `json:"min_confidence,omitempty"`
	// Collection limits the question to one collection; empty asks all.
	Collection string `json:"collection,omitempty"`
}

// Citation points at the exact passage a sentence came from.
// Quote == document text[Start:End], byte for byte.
type Citation struct {
	N       int     `json:"n"`
	DocID   string  `json:"doc_id"`
	ChunkID string  `json:"chunk_id"`
	Title   string  `json:"title"`
	Source  string  `json:"source"`
	Quote   string  `json:"quote"`
	Start   int     `json:"start"`
	End     int     `json:"end"`
	Score   float64 `json:"score"`
	// Page is the 1-based page of a paged source (PDF) where the quote
	// starts; 0 (omitted) for other sources.
	Page int `json:"page,omitempty"`
	// Section is the heading path where the quote starts ("Results >
	// Costs"), when the document has headings.
	Section string `json:"section,omitempty"`
	// Passage is the number (from 1) of the passage quoted, when a verify
	// request gave passages rather than documents; Start and End are then
	// offsets into that passage.
	Passage int `json:"passage,omitempty"`
}

// Claim is one value sources state for a conflicting fact, with the citation
// numbers that state it.
type Claim struct {
	Value     string `json:"value"`
	Citations []int  `json:"citations"`
}

// Conflict lists disagreeing claims about one fact.
type Conflict struct {
	About  string  `json:"about"`
	Claims []Claim `json:"claims"`
}

// Usage counts LLM tokens.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

// Answer is the reply to a question.
type Answer struct {
	Answer    string     `json:"answer"`
	Citations []Citation `json:"citations"`
	Abstained bool       `json:"abstained"`
	// Confidence is the calibrated probability that an extractive answer is
	// right (of answers given 0.8, about 80% are); 0 for LLM answers.
	Confidence  float64    `json:"confidence"`
	Conflicts   []Conflict `json:"conflicts"`
	Unsupported []string   `json:"unsupported"`
	// Sentences are the answer's sentences with their support verdicts.
	Sentences []VerifiedSentence `json:"sentences"`
	Mode      Mode               `json:"mode"`
	Degraded  bool               `json:"degraded"`
	Reason    string             `json:"reason,omitempty"`
	Usage     Usage              `json:"usage"`
	TimingMS  float64            `json:"timing_ms"`
}

// SummarizeRequest asks for a summary of documents or of the passages for a query.
// Exactly one of DocIDs and Query is set.
type SummarizeRequest struct {
	DocIDs       []string `json:"doc_ids,omitempty"`
	Query        string   `json:"query,omitempty"`
	MaxSentences int      `json:"max_sentences,omitempty"`
	Mode         Mode     `json:"mode,omitempty"`
	// Policy says which generated sentences are kept; "" means the server default.
	Policy Policy `json:"policy,omitempty"`
	// Collection limits the summary to one collection: the query's passages
	// come from it, and every doc_ids document must be in it.
	Collection string `json:"collection,omitempty"`
}

// Summary is a cited summary.
type Summary struct {
	Summary   string     `json:"summary"`
	Citations []Citation `json:"citations"`
	// Conflicts lists central facts the sources state different values
	// for, as in Answer; the summary text says so in one sentence.
	Conflicts   []Conflict `json:"conflicts"`
	Unsupported []string   `json:"unsupported,omitempty"`
	// Sentences are the summary's sentences with their support verdicts.
	Sentences []VerifiedSentence `json:"sentences"`
	Mode      Mode               `json:"mode"`
	Degraded  bool               `json:"degraded"`
	Reason    string             `json:"reason,omitempty"`
	Usage     Usage              `json:"usage"`
	TimingMS  float64            `json:"timing_ms"`
}
