// Command gen writes the antonym table of package lexicon from the
// WordNet 3.0 database (Debian: apt-get install wordnet-base, which puts
// it in /usr/share/wordnet): every antonym pair of single-word lemmas,
// and the inflected forms of those lemmas, regular and from WordNet's
// exception lists.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// notice is WordNet's licence, which must go with every copy of its data.
const notice = `# Derived from WordNet 3.0 by internal/lexicon/gen: antonym pairs of
# single-word lemmas ("a" lines) and inflected forms of those lemmas ("f"
# lines: form, lemma).
#
# WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.
# THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY
# MAKES NO REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED. BY WAY OF
# EXAMPLE, BUT NOT LIMITATION, PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS
# OR WARRANTIES OF MERCHANTABILITY OR FITNESS FOR ANY PARTICULAR PURPOSE OR
# THAT THE USE OF THE LICENSED SOFTWARE, DATABASE OR DOCUMENTATION WILL NOT
# INFRINGE ANY THIRD PARTY PATENTS, COPYRIGHTS, TRADEMARKS OR OTHER RIGHTS.
# The full licence is in internal/lexicon/LICENSE-WordNet.
`

// files maps WordNet's part-of-speech letters to their data files.
var files = map[string]string{"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}

func main() {
	dir := flag.String("wordnet", "/usr/share/wordnet", "directory of the WordNet database")
	out := flag.String("out", "antonyms.tsv", "file to write")
	flag.Parse()
	if err := run(*dir, *out); err != nil {
		log.Fatal(err)
	}
}

// synset is the words of one synset.
type synset []string

// antonymPointer is a lexical antonym pointer of a data file: word src
// (from 1) of the synset at offset from points at word dst of the synset
// at offset to of data file toFile.
type antonymPointer struct {
	file, toFile string
	from, to     int64
	src, dst     int
}

func run(dir, out string) error {
	synsets := map[string]map[int64]synset{} // data file -> offset -> words
	var ptrs []antonymPointer
	for _, f := range []string{"noun", "verb", "adj", "adv"} {
		ss, ps, err := readData(filepath.Join(dir, "data."+f), f)
		if err != nil {
			return err
		}
		synsets[f] = ss
		ptrs = append(ptrs, ps...)
	}
	pairs, posOf := antonymPairs(synsets, ptrs)
	forms := map[[2]string]bool{}
	for w, files := range posOf {
		for f := range files {
			for _, form := range inflect(w, f) {
				if form != w {
					forms[[2]string{form, w}] = true
				}
			}
		}
	}
	for _, f := range []string{"noun", "verb", "adj", "adv"} {
		if err := exceptions(filepath.Join(dir, f+".exc"), posOf, forms); err != nil {
			return err
		}
	}
	var lines []string
	for p := range pairs {
		lines = append(lines, "a\t"+p[0]+"\t"+p[1])
	}
	for p := range forms {
		lines = append(lines, "f\t"+p[0]+"\t"+p[1])
	}
	sort.Strings(lines)
	return os.WriteFile(out, []byte(notice+strings.Join(lines, "\n")+"\n"), 0o644)
}

// readData reads a WordNet data file (of part of speech file): its
// synsets by offset and its antonym pointers.
func readData(path, file string) (map[int64]synset, []antonymPointer, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("wordnet: %w (on Debian: apt-get install wordnet-base)", err)
	}
	defer fh.Close()
	synsets := map[int64]synset{}
	var ptrs []antonymPointer
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "  ") {
			continue // licence header
		}
		fields := strings.Fields(strings.SplitN(line, " | ", 2)[0])
		off, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: offset %q: %w", path, fields[0], err)
		}
		n, err := strconv.ParseInt(fields[3], 16, 32)
		if err != nil {
			return nil, nil, fmt.Errorf("%s %d: word count: %w", path, off, err)
		}
		var words synset
		i := 4
		for range n {
			words = append(words, lemma(fields[i]))
			i += 2
		}
		synsets[off] = words
		np, _ := strconv.Atoi(fields[i])
		i++
		for range np {
			sym, to, pos, st := fields[i], fields[i+1], fields[i+2], fields[i+3]
			i += 4
			if sym != "!" {
				continue
			}
			toOff, _ := strconv.ParseInt(to, 10, 64)
			src, _ := strconv.ParseInt(st[:2], 16, 32)
			dst, _ := strconv.ParseInt(st[2:], 16, 32)
			ptrs = append(ptrs, antonymPointer{file: file, from: off, src: int(src), toFile: files[pos], to: toOff, dst: int(dst)})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return synsets, ptrs, nil
}

// antonymPairs returns the antonym pairs of single-word lemmas, both ways
// round, and the data files each such lemma has antonyms in.
func antonymPairs(synsets map[string]map[int64]synset, ptrs []antonymPointer) (map[[2]string]bool, map[string]map[string]bool) {
	pairs := map[[2]string]bool{}
	posOf := map[string]map[string]bool{}
	note := func(w, file string) {
		if posOf[w] == nil {
			posOf[w] = map[string]bool{}
		}
		posOf[w][file] = true
	}
	for _, p := range ptrs {
		from, to := synsets[p.file][p.from], synsets[p.toFile][p.to]
		if p.src < 1 || p.src > len(from) || p.dst < 1 || p.dst > len(to) {
			continue
		}
		a, b := from[p.src-1], to[p.dst-1]
		if !single(a) || !single(b) || a == b {
			continue
		}
		pairs[[2]string{a, b}], pairs[[2]string{b, a}] = true, true
		note(a, p.file)
		note(b, p.toFile)
	}
	return pairs, posOf
}

// lemma returns a word of a data line as text: lowercase, adjective
// markers ("(a)", "(p)", "(ip)") dropped.
func lemma(w string) string {
	if i := strings.IndexByte(w, '('); i > 0 {
		w = w[:i]
	}
	return strings.ToLower(w)
}

// single reports whether w is one word of 3 or more letters.
func single(w string) bool {
	if len(w) < 3 {
		return false
	}
	for _, c := range w {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// exceptions adds the irregular forms of an exception list whose base
// has antonyms.
func exceptions(path string, posOf map[string]map[string]bool, forms map[[2]string]bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("wordnet: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		for _, base := range f[min(1, len(f)):] {
			if posOf[base] != nil && single(f[0]) {
				forms[[2]string{f[0], base}] = true
			}
		}
	}
	return nil
}

// inflect returns the regular inflected forms of a lemma of a part of
// speech; over-generation is harmless, as a form that is not a word
// never occurs in text.
func inflect(w, pos string) []string {
	out := []string{w}
	switch pos {
	case "noun":
		out = append(out, plural(w))
	case "verb":
		out = append(out, plural(w), suffixed(w, "ed"), suffixed(w, "ing"))
	case "adj":
		out = append(out, suffixed(w, "er"), suffixed(w, "est"), w+"ly")
	}
	return out
}

func plural(w string) string {
	switch {
	case strings.HasSuffix(w, "s"), strings.HasSuffix(w, "x"), strings.HasSuffix(w, "z"), strings.HasSuffix(w, "ch"), strings.HasSuffix(w, "sh"):
		return w + "es"
	case strings.HasSuffix(w, "y") && !vowel(w[len(w)-2]):
		return w[:len(w)-1] + "ies"
	}
	return w + "s"
}

// suffixed adds a suffix that starts with a vowel: a final e is dropped,
// a final consonant y becomes i, and a short word's final consonant after
// one vowel is doubled ("big" -> "bigger").
func suffixed(w, suf string) string {
	n := len(w)
	switch {
	case w[n-1] == 'e':
		return w[:n-1] + suf
	case w[n-1] == 'y' && !vowel(w[n-2]) && suf != "ing":
		return w[:n-1] + "i" + suf
	case n <= 4 && !vowel(w[n-1]) && vowel(w[n-2]) && !vowel(w[n-3]) && !strings.ContainsRune("wxy", rune(w[n-1])):
		return w + w[n-1:] + suf
	}
	return w + suf
}

func vowel(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }
