package main

import (
	"fmt"
	"strings"
	"unicode"
)

// termSafe escapes the control characters of s (ESC, BEL, NUL, CR, DEL, the
// C1 range, ...) as \xHH or \uHHHH, keeping newlines and tabs, so a
// document's id, title or text cannot drive the terminal it is printed
// on: no colours, cursor moves, title changes or hidden lines.
func termSafe(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !unsafeRune(r):
			b.WriteRune(r)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// unsafeRune: a control character other than newline and tab, or a
// bidirectional override that reorders what the terminal shows.
func unsafeRune(r rune) bool {
	if r == '\n' || r == '\t' {
		return false
	}
	return unicode.IsControl(r) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}
