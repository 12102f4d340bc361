package eval

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"$10 billion", "10000000000"},
		{"$10bn", "10000000000"},
		{"$10B", "10000000000"},
		{"10 billion dollars", "10000000000"},
		{"ten billion", "10000000000"},
		{"10,000,000,000", "10000000000"},
		{"$1.4 trillion", "1400000000000"},
		{"US$ 6.6 billion", "us 6600000000"},
		{"Amazon’s  “deal”!", "amazon s deal"},
		{"3.5% growth.", "3.5 percent growth"},
		{"Multi-node training", "multi node training"},
		{"one of the largest", "one of the largest"},
		{"introduced in 1939 which runs", "introduced in 1939 which runs"},
		{"(0 km) to 1036.20 km", "0 km to 1036.2 km"},
	}
	for _, tc := range tests {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestContainsFact(t *testing.T) {
	tests := []struct {
		text, fact string
		want       bool
	}{
		{"Amazon may invest at least $10 billion in OpenAI.", "$10bn", true},
		{"Amazon may invest at least $10 billion in OpenAI.", "10 billion dollars", true},
		{"Amazon may invest at least $10 billion in OpenAI.", "ten billion", true},
		{"Amazon may invest at least $100 billion in OpenAI.", "$10 billion", false},
		{"It was $10.5 billion.", "$10 billion", false},
		{"Sam Altman leads it.", "sam altman", true},
		{"Samaltman", "Sam Altman", false},
		{"anything", "", false},
	}
	for _, tc := range tests {
		if got := ContainsFact(tc.text, tc.fact); got != tc.want {
			t.Errorf("ContainsFact(%q, %q) = %v, want %v", tc.text, tc.fact, got, tc.want)
		}
	}
}
