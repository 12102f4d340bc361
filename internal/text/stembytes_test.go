package text

import "testing"

func TestStem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"invest", "invest"},
		{"invests", "invest"},
		{"invested", "invest"},
		{"investing", "invest"},
		{"studies", "studi"},
		{"studied", "studi"},
		{"study", "studi"},
		{"running", "run"},
		{"falling", "fall"},
		{"make", "mak"},
		{"making", "mak"},
		{"makes", "mak"},
		{"boxes", "box"},
		{"class", "class"},
		{"analysis", "analysis"},
		{"status", "status"},
		{"thing", "thing"},
		{"day", "day"},
		{"days", "day"},
		{"1990s", "1990"},
		{"gpu", "gpu"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := string(StemBytes([]byte(tc.in))); got != tc.want {
				t.Errorf("StemBytes(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
