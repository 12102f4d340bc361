package main

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// composeFile is the part of compose.yaml the checks below read.
type composeFile struct {
	Services map[string]struct {
		Build       string            `yaml:"build"`
		Image       string            `yaml:"image"`
		Command     []string          `yaml:"command"`
		Profiles    []string          `yaml:"profiles"`
		Ports       []string          `yaml:"ports"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		Healthcheck struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		DependsOn map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// dockerfile reads the final stage's instructions of ../../Dockerfile.
func dockerfile(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	var cont string
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		if cont != "" {
			line = cont + " " + line
			cont = ""
		}
		if strings.HasSuffix(line, `\`) {
			cont = strings.TrimSuffix(line, `\`)
			continue
		}
		instr, rest, _ := strings.Cut(line, " ")
		if instr == "FROM" {
			out = map[string][]string{} // keep the last stage only
		}
		out[instr] = append(out[instr], strings.TrimSpace(rest))
	}
	return out
}

// TestDockerfile checks what a container needs: a non-root user, the port
// exposed and listened on from outside the container, a health check.
func TestDockerfile(t *testing.T) {
	d := dockerfile(t)
	if u := d["USER"]; len(u) != 1 || strings.HasPrefix(u[0], "0") || strings.HasPrefix(u[0], "root") {
		t.Errorf("USER %v: want a non-root user", u)
	}
	if !slices.Equal(d["EXPOSE"], []string{"8080"}) {
		t.Errorf("EXPOSE %v, want 8080", d["EXPOSE"])
	}
	env := strings.Join(d["ENV"], " ")
	if !strings.Contains(env, "RAGCITE_ADDR=0.0.0.0:8080") || !strings.Contains(env, "RAGCITE_DATA=/data") {
		t.Errorf("ENV %q: want RAGCITE_ADDR=0.0.0.0:8080 and RAGCITE_DATA=/data", env)
	}
	if h := d["HEALTHCHECK"]; len(h) != 1 || !strings.Contains(h[0], `["/ragcite", "healthcheck"]`) {
		t.Errorf("HEALTHCHECK %v", h)
	}
	ignore, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{".git", "node_modules", "ragcite-data"} {
		if !slices.Contains(strings.Fields(string(ignore)), p) {
			t.Errorf(".dockerignore does not exclude %s", p)
		}
	}
}

// TestComposeFile parses compose.yaml and checks its services, ports,
// volumes, health checks and environment against the binary's flags. It is
// long because it is one list of checks over one file, read top to bottom.
func TestComposeFile(t *testing.T) {
	data, err := os.ReadFile("../../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		profile, port string
		dependsOn     string
	}{
		"ragcite":        {"", "8080:8080", ""},
		"postgres":       {"postgres", "", ""},
		"ragcite-pg":     {"postgres", "8081:8080", "postgres"},
		"ollama":         {"ollama", "", ""},
		"ragcite-ollama": {"ollama", "8082:8080", "ollama"},
	}
	for name, w := range want {
		s, ok := c.Services[name]
		if !ok {
			t.Errorf("no service %s", name)
			continue
		}
		if (w.profile == "") != (len(s.Profiles) == 0) || (w.profile != "" && !slices.Contains(s.Profiles, w.profile)) {
			t.Errorf("%s: profiles %v, want %q", name, s.Profiles, w.profile)
		}
		if len(s.Healthcheck.Test) == 0 {
			t.Errorf("%s: no health check", name)
		}
		for _, v := range s.Volumes {
			if src, _, _ := strings.Cut(v, ":"); !strings.HasPrefix(src, ".") && !strings.HasPrefix(src, "/") {
				if _, ok := c.Volumes[src]; !ok {
					t.Errorf("%s: volume %s is not declared under volumes", name, src)
				}
			}
		}
		if w.dependsOn != "" && c.Services[name].DependsOn[w.dependsOn].Condition != "service_healthy" {
			t.Errorf("%s: does not wait for %s to be healthy", name, w.dependsOn)
		}
		if !strings.HasPrefix(name, "ragcite") {
			continue
		}
		if s.Build != "." || !slices.Equal(s.Ports, []string{w.port}) {
			t.Errorf("%s: build %q ports %v, want . and %s", name, s.Build, s.Ports, w.port)
		}
		if s.Environment["RAGCITE_ADDR"] != "0.0.0.0:8080" {
			t.Errorf("%s: RAGCITE_ADDR %q: the container port must listen on all interfaces", name, s.Environment["RAGCITE_ADDR"])
		}
		if !slices.Equal(s.Healthcheck.Test, []string{"CMD", "/ragcite", "healthcheck"}) {
			t.Errorf("%s: health check %v", name, s.Healthcheck.Test)
		}
		if s.Environment["RAGCITE_STORE"] == "" && !slices.ContainsFunc(s.Volumes, func(v string) bool { return strings.HasSuffix(v, ":/data") }) {
			t.Errorf("%s: the embedded store in /data is not on a volume: %v", name, s.Volumes)
		}
		for k := range s.Environment {
			if !knownEnv(t)[k] {
				t.Errorf("%s: environment %s is read by no flag", name, k)
			}
		}
	}
	if got := c.Services["ragcite-pg"].Environment["RAGCITE_STORE"]; !strings.HasPrefix(got, "postgres://") || !strings.Contains(got, "@postgres:5432/") {
		t.Errorf("ragcite-pg: RAGCITE_STORE %q does not name the postgres service", got)
	}
	if got := c.Services["ragcite-ollama"].Environment["OPENAI_BASE_URL"]; got != "http://ollama:11434/v1" {
		t.Errorf("ragcite-ollama: OPENAI_BASE_URL %q, want Ollama's OpenAI-compatible endpoint", got)
	}
}

// knownEnv lists the environment variables the command line reads: those
// named in its flags' help, and the API key.
func knownEnv(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{"OPENAI_API_KEY": true}
	re := regexp.MustCompile(`\b(RAGCITE_[A-Z0-9_]+|OPENAI_[A-Z_]+)\b`)
	root := newRootCommand(nil, nil)
	visit := func(f *pflag.Flag) {
		for _, m := range re.FindAllString(f.Usage, -1) {
			names[m] = true
		}
	}
	root.PersistentFlags().VisitAll(visit)
	for _, cmd := range root.Commands() {
		cmd.Flags().VisitAll(visit)
	}
	return names
}
