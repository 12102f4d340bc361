package embed

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/ragcite/ragcite/internal/text"
	"github.com/ragcite/ragcite/internal/wordvec"
)

// Local is the offline default embedder. It needs no model file, no corpus
// and no network: a text becomes a feature-hashed bag of
//
//   - lowercased, lightly stemmed word unigrams (investing, invested and
//     invests all count as "invest"),
//   - word bigrams over content words (stopwords are skipped, so
//     "invest in OpenAI" yields the bigram invest+openai),
//   - character n-grams of length 3 to 5 within each word, with '<' and '>'
//     marking the word boundaries, which let inflections, compounds and
//     misspellings overlap.
//
// Every feature is hashed (64-bit FNV-1a) to one of Dim buckets with a sign
// taken from another bit of the hash, so colliding features cancel on
// average instead of piling up. Within a text a feature's count tf becomes
// 1+ln(tf), and it is scaled by a prior that stands in for IDF without a
// corpus: a hand-written list of stopwords weighs 0.2, other words
// 0.5+0.1·len capped at 1, so short words weigh less than long ones. A
// bigram weighs a quarter of its lighter word; a word's n-grams together
// weigh 0.6 of the word. The vector is then L2-normalised.
//
// A text with no word at all (empty, whitespace, punctuation or emoji only)
// gets a fixed unit vector: a single ±1 component chosen by hashing the raw
// bytes of the text, so the empty text always maps to the same vector and
// two different symbol-only texts usually differ. Vectors are never zero and
// never NaN.
//
// With LocalConfig.WordVectors (version local-v2) a block of word meaning
// follows the hashed one: the smooth-inverse-frequency weighted sum of the
// text's GloVe word vectors (meaning.go), so that paraphrases without a
// shared word ("depend less on" and "reduce reliance on") come closer.
//
// Embed is deterministic: the same text gives the same bytes on every run
// and machine, because the arithmetic is fixed (explicit float32 rounding
// stops fused multiply-add, and the logarithm is computed in plain Go).
// Local is safe for concurrent use; scratch buffers come from a sync.Pool.
type Local struct {
	dim    int // hashed + the meaning block's
	hashed int // components of the hashed features
	// hashedScale and meaningScale weigh the two blocks (meaning.go).
	hashedScale  float32
	meaningScale float64
	name         string
	p            localParams
	prior        map[uint64]priorWeight // stemmed-word hash -> prior, for listed words
	lenW         [maxLenWeight + 1]float32
	invSq        [maxInvSqrt + 1]float32
	tfW          [maxTFTable + 1]float32
	ngSeed       uint64
	pool         sync.Pool
}

// LocalConfig configures NewLocal. The zero value is valid and means the
// defaults.
type LocalConfig struct {
	// Dim is the vector length: 0 means 384. It must lie within
	// [MinLocalDim, MaxLocalDim]. More dimensions mean fewer hash collisions
	// but larger vectors in the store.
	Dim int
	// WordVectors appends a block of word meaning (meaning.go) of
	// wordvec.Dim components to the Dim hashed ones: the embedder is then
	// version local-v2, its vectors Dim+wordvec.Dim long.
	WordVectors bool
}

// Bounds and defaults of LocalConfig.
const (
	DefaultLocalDim = 384
	MinLocalDim     = 32
	MaxLocalDim     = 8192
)

// localVersion names the feature extraction and weighting. Change it with
// any change that alters vectors, so that stores built by the old variant are
// refused instead of silently mixing incompatible vectors.
const (
	localVersion        = "local-v1"
	localMeaningVersion = "local-v2" // local-v1 with the meaning block
)

// ErrInvalidConfig reports a configuration that cannot be used.
var ErrInvalidConfig = errors.New("invalid config")

var _ Embedder = (*Local)(nil)

// localParams are the tuned weights of the Local embedder. They are part of
// localVersion: they are not configurable so that Name identifies vectors.
type localParams struct {
	stopWeight   float32 // prior of a stopword
	bigramWeight float32 // bigram weight relative to its words
	ngramWeight  float32 // weight of a word's n-gram block relative to the word
	minN, maxN   int     // character n-gram lengths
	lenBase      float32 // length prior: lenBase + lenSlope*len, capped at 1
	lenSlope     float32
	// The meaning block (meaning.go): its share of the cosine, 0 for none,
	// and the a of the SIF weights a/(a+p(w)).
	meaningWeight float64
	sifA          float64
}

func defaultLocalParams() localParams {
	return localParams{
		stopWeight:   0.2,
		bigramWeight: 0.25,
		ngramWeight:  0.6,
		minN:         3,
		maxN:         5,
		lenBase:      0.5,
		lenSlope:     0.1,
		sifA:         defaultSIFA,
	}
}

// defaultSIFA is the a of SIF weights, Arora et al.'s usual value.
const defaultSIFA = 1e-3

// defaultMeaningWeight is the meaning block's share of the cosine under
// LocalConfig.WordVectors. Measured (embed/retrieval_test.go, WikiQA MAP in
// wikiqa_test.go), 0.2 to 0.4 improve dense and hybrid recall on both sets;
// from 0.4 up hybrid recall@1 on SQuAD falls under local-v1's.
const defaultMeaningWeight = 0.3

const (
	maxLenWeight = 16
	maxInvSqrt   = 256
	maxTFTable   = 64
)

// NewLocal returns a Local embedder for cfg.
func NewLocal(cfg LocalConfig) (*Local, error) {
	if cfg.Dim == 0 {
		cfg.Dim = DefaultLocalDim
	}
	if cfg.Dim < MinLocalDim || cfg.Dim > MaxLocalDim {
		return nil, fmt.Errorf("new local embedder: dim %d outside [%d, %d]: %w",
			cfg.Dim, MinLocalDim, MaxLocalDim, ErrInvalidConfig)
	}
	p := defaultLocalParams()
	if cfg.WordVectors {
		p.meaningWeight = defaultMeaningWeight
	}
	return newLocal(cfg.Dim, p), nil
}

// DefaultLocal returns a Local embedder with the default configuration.
func DefaultLocal() *Local {
	return newLocal(DefaultLocalDim, defaultLocalParams())
}

func newLocal(dim int, p localParams) *Local {
	l := &Local{
		dim:    dim,
		hashed: dim,
		name:   fmt.Sprintf("%s-%d", localVersion, dim),
		p:      p,
		ngSeed: fnvOffset ^ 0x9e3779b97f4a7c15,
	}
	if p.meaningWeight > 0 {
		l.dim = dim + wordvec.Dim
		l.name = fmt.Sprintf("%s-%d", localMeaningVersion, l.dim)
		l.hashedScale = float32(math.Sqrt(1 - p.meaningWeight))
		l.meaningScale = math.Sqrt(p.meaningWeight)
	}
	stops := text.EmbedderStopwords()
	l.prior = make(map[uint64]priorWeight, len(stops))
	var s scratch
	for _, w := range stops {
		l.prior[fnv(fnvOffset, s.normalize(w))] = priorWeight{w: p.stopWeight, stop: true}
	}
	for n := range l.lenW {
		w := p.lenBase + p.lenSlope*float32(n)
		l.lenW[n] = min(w, 1)
	}
	for n := 1; n <= maxInvSqrt; n++ {
		l.invSq[n] = float32(1 / math.Sqrt(float64(n)))
	}
	for tf := 1; tf <= maxTFTable; tf++ {
		l.tfW[tf] = float32(1 + logDet(float64(tf)))
	}
	l.pool.New = func() any { return newScratch() }
	return l
}

// Name returns e.g. "local-v1-384" or "local-v2-484": the algorithm version
// and the dimension.
func (l *Local) Name() string { return l.name }

// Dim returns the vector length.
func (l *Local) Dim() int { return l.dim }

// cancelCheckBytes is how much text Embed processes between looks at ctx.
const cancelCheckBytes = 64 << 10

// Embed returns one L2-normalised vector per text, in order. It returns the
// context's error, and no vectors, if ctx is done before it finishes.
func (l *Local) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("local embed: %w", err)
	}
	s := l.pool.Get().(*scratch)
	defer l.pool.Put(s)
	out := make([][]float32, len(texts))
	backing := make([]float32, len(texts)*l.dim)
	since := 0
	for i, t := range texts {
		if since >= cancelCheckBytes {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("local embed: text %d of %d: %w", i, len(texts), err)
			}
			since = 0
		}
		since += len(t) + 64
		v := backing[i*l.dim : (i+1)*l.dim : (i+1)*l.dim]
		l.embed(s, t, v)
		out[i] = v
	}
	return out, nil
}

// embed writes the normalised vector of text into v, which must be zeroed.
func (l *Local) embed(s *scratch, text string, full []float32) {
	s.reset()
	v := full[:l.hashed]
	l.extract(s, text)
	hasMeaning := false
	for _, slot := range s.used {
		e := &s.table[slot]
		w := e.w * l.tfWeight(e.tf)
		l.add(v, e.h, w)
		if e.hasVec {
			e.vec.AddTo(s.meaning[:], float32(float32(e.tf)*sifWeight(l.p.sifA, e.vec.Rank())))
			hasMeaning = true
		}
		if e.kind == kindWord && l.p.ngramWeight > 0 {
			l.ngrams(s, v, s.words[e.off:e.off+e.n], e.ascii, float32(w*l.p.ngramWeight))
		}
	}
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 || math.IsInf(sum, 0) || math.IsNaN(sum) {
		// No features, or features that cancelled out exactly: fall back to a
		// fixed unit vector picked by the raw text.
		clear(v)
		h := mix(fnv(fnvOffset, text))
		v[bucket(h, len(v))] = sign(h)
		return
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range v {
		v[i] = float32(v[i] * inv)
	}
	if hasMeaning {
		l.finishMeaning(s, full, l.hashed)
	}
}

func (l *Local) tfWeight(tf uint32) float32 {
	if tf <= maxTFTable {
		return l.tfW[tf]
	}
	return float32(1 + logDet(float64(tf)))
}

// add adds w to the bucket of feature hash h, with the sign of h.
func (l *Local) add(v []float32, h uint64, w float32) {
	h = mix(h)
	v[bucket(h, len(v))] += float32(sign(h) * w)
}

// extract scans text once, word by word, and fills s.table with the word
// and bigram features and their counts. It is one loop with a closure for
// the end of a word because it is the embedder's hot path: the state it
// shares (previous word, current word's start and ASCII-ness) stays in
// registers instead of being passed around per byte.
func (l *Local) extract(s *scratch, src string) {
	var (
		prevH  uint64
		prevW  float32
		inWord bool
		start  int  // start of the current word in s.words
		ascii  bool // the current word is all ASCII
	)
	endWord := func() {
		inWord = false
		word := s.words[start:]
		if l.p.meaningWeight > 0 {
			s.surface = append(s.surface[:0], word...) // before stemming, for the word's vector
		}
		if ascii {
			word = text.StemBytes(word)
			s.words = s.words[:start+len(word)]
		}
		h := fnv(fnvOffset, word)
		pw, listed := l.prior[h]
		w := pw.w
		if !listed {
			w = l.lenW[min(len(word), maxLenWeight)]
		}
		if slot, isNew := s.insert(h, kindWord, w, start, len(word), ascii); !isNew {
			// Seen before: its bytes are already stored once.
			s.words = s.words[:start]
		} else if l.p.meaningWeight > 0 {
			l.lookupMeaning(&s.table[slot], s.surface)
		}
		if pw.stop {
			return
		}
		if prevW > 0 && l.p.bigramWeight > 0 {
			bh := (prevH*0x100000001b3 ^ h) * 0xff51afd7ed558ccd
			s.insert(bh, kindBigram, float32(l.p.bigramWeight*min(prevW, w)), 0, 0, true)
		}
		prevH, prevW = h, w
	}
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			i++
			if lc := asciiLower[c]; lc != 0 {
				if !inWord {
					inWord, start, ascii = true, len(s.words), true
				}
				s.words = append(s.words, lc)
			} else if inWord {
				endWord()
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		i += size
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if !inWord {
				inWord, start = true, len(s.words)
			}
			ascii = false
			s.words = utf8.AppendRune(s.words, unicode.ToLower(r))
		} else if inWord {
			endWord()
		}
	}
	if inWord {
		endWord()
	}
}

// ngrams adds the character n-grams of word, framed as "<word>", each with
// weight w/sqrt(count) so that a word's n-grams together weigh about w.
func (l *Local) ngrams(s *scratch, v []float32, word []byte, ascii bool, w float32) {
	s.pad = append(append(append(s.pad[:0], '<'), word...), '>')
	pad := s.pad
	minN, maxN := l.p.minN, l.p.maxN
	// N-grams are of runes, not bytes: bounds holds each rune's offset.
	s.runes = s.runes[:0]
	for i := 0; i < len(pad); {
		s.runes = append(s.runes, int32(i))
		if ascii {
			i++
			continue
		}
		_, size := utf8.DecodeRune(pad[i:])
		i += size
	}
	s.runes = append(s.runes, int32(len(pad)))
	m := len(s.runes) - 1
	count := 0
	for n := minN; n <= maxN && n <= m; n++ {
		count += m - n + 1
	}
	if count == 0 {
		return
	}
	gw := w * l.invSqrt(count)
	for n := minN; n <= maxN && n <= m; n++ {
		for i := 0; i+n <= m; i++ {
			l.add(v, fnv(l.ngSeed, pad[s.runes[i]:s.runes[i+n]]), gw)
		}
	}
}

func (l *Local) invSqrt(n int) float32 {
	if n <= maxInvSqrt {
		return l.invSq[n]
	}
	return float32(1 / math.Sqrt(float64(n)))
}

// priorWeight is the corpus-free stand-in for IDF of a listed word.
type priorWeight struct {
	w    float32
	stop bool // stopwords take no part in bigrams
}

// Feature kinds.
const (
	kindWord uint8 = iota + 1
	kindBigram
)

// entry is one distinct feature of a text.
type entry struct {
	h     uint64
	w     float32 // prior weight
	tf    uint32  // count in the text; 0 marks a free slot
	off   int32   // word bytes in scratch.words (words only)
	n     int32
	kind  uint8
	ascii bool
	// vec is the word's meaning (meaning.go) when hasVec: the vector of
	// its first form in the text, which its other forms share.
	vec    wordvec.Vector
	hasVec bool
}

// scratch holds the reusable buffers of one Embed call.
type scratch struct {
	table []entry // open addressing, len is a power of two
	used  []int32 // occupied slots in insertion order
	words []byte  // the distinct words of the text, back to back
	pad   []byte
	runes []int32
	// surface is the current word before stemming; meaning is the
	// SIF-weighted sum of the text's word vectors (meaning.go).
	surface []byte
	meaning [wordvec.Dim]float32
}

func newScratch() *scratch {
	return &scratch{
		table: make([]entry, 1024),
		used:  make([]int32, 0, 512),
		words: make([]byte, 0, 4096),
	}
}

func (s *scratch) reset() {
	for _, i := range s.used {
		s.table[i] = entry{}
	}
	s.used = s.used[:0]
	s.words = s.words[:0]
	s.meaning = [wordvec.Dim]float32{}
}

// insert counts one occurrence of feature h and reports whether it is new.
func (s *scratch) insert(h uint64, kind uint8, w float32, off, n int, ascii bool) (slot int32, isNew bool) {
	if 2*(len(s.used)+1) > len(s.table) {
		s.grow()
	}
	mask := uint64(len(s.table) - 1)
	for i := mix(h) & mask; ; i = (i + 1) & mask {
		e := &s.table[i]
		if e.tf == 0 {
			*e = entry{h: h, w: w, tf: 1, off: int32(off), n: int32(n), kind: kind, ascii: ascii}
			s.used = append(s.used, int32(i))
			return int32(i), true
		}
		if e.h == h && e.kind == kind {
			e.tf++
			return int32(i), false
		}
	}
}

// grow doubles the table, keeping the insertion order in used.
func (s *scratch) grow() {
	old, oldUsed := s.table, s.used
	s.table = make([]entry, 2*len(old))
	s.used = make([]int32, 0, 2*cap(oldUsed))
	mask := uint64(len(s.table) - 1)
	for _, slot := range oldUsed {
		e := old[slot]
		i := mix(e.h) & mask
		for s.table[i].tf != 0 {
			i = (i + 1) & mask
		}
		s.table[i] = e
		s.used = append(s.used, int32(i))
	}
}

// normalize lowercases and stems a single ASCII word the way extract does.
// It is for building the word lists, not for the hot path.
func (s *scratch) normalize(w string) []byte {
	b := s.words[:0]
	for i := 0; i < len(w); i++ {
		if lc := asciiLower[w[i]]; lc != 0 {
			b = append(b, lc)
		}
	}
	s.words = b
	return text.StemBytes(b)
}

// asciiLower maps ASCII letters and digits to their lowercase form and every
// other ASCII byte to 0 (a word separator).
var asciiLower = func() (t [utf8.RuneSelf]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c)
		t[c-'a'+'A'] = byte(c)
	}
	return t
}()

// LocalByName returns the Local embedder whose Name is name ("local-v1-384",
// "local-v2-484"), so that a store can be read with the embedder that built
// it, or reports false when name is no Local embedder's.
func LocalByName(name string) (*Local, bool) {
	cfg, ok := parseLocalName(name)
	if !ok {
		return nil, false
	}
	l, err := NewLocal(cfg)
	if err != nil || l.Name() != name {
		return nil, false
	}
	return l, true
}

// parseLocalName reads the configuration out of a Local embedder's name.
func parseLocalName(name string) (LocalConfig, bool) {
	var cfg LocalConfig
	rest, ok := strings.CutPrefix(name, localVersion+"-")
	if !ok {
		if rest, ok = strings.CutPrefix(name, localMeaningVersion+"-"); !ok {
			return cfg, false
		}
		cfg.WordVectors = true
	}
	dim, err := strconv.Atoi(rest)
	if err != nil {
		return cfg, false
	}
	if cfg.WordVectors {
		dim -= wordvec.Dim
	}
	cfg.Dim = dim
	return cfg, true
}
