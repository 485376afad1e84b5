package content_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sshresume/sshresume/content"
)

// schemaPackage is where .ci/run installs @jsonresume/schema, the official JSON
// Resume schema and validator from npm, pinned by .ci/jsonresume/package-lock.json.
const schemaPackage = "../.ci/jsonresume/node_modules/@jsonresume/schema"

// officialSchema returns the directory of the npm package. Outside CI a missing
// package skips the test; in CI, which installs it, it fails the test.
func officialSchema(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(schemaPackage)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "schema.json")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the JSON Resume schema is not installed (%v); .ci/run installs it", err)
		}
		t.Skipf("the JSON Resume schema is not installed; run: npm ci --prefix .ci/jsonresume (%v)", err)
	}
	return dir
}

// validateOfficially runs the package's own validator (validator.js, the one
// JSON Resume tools use) with node on each document and returns its verdicts:
// nil for a valid document, else the validator's messages.
func validateOfficially(t *testing.T, docs [][]byte) [][]string {
	t.Helper()
	dir := officialSchema(t)
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is needed to run the official validator: %v", err)
	}
	const script = `
const {validate} = require(process.argv[1]);
const docs = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = docs.map(doc => {
  let verdict = ['the validator did not answer'];
  validate(doc, (errors, valid) => {
    verdict = valid ? null : (errors || []).map(e => e.stack || String(e));
  });
  return verdict;
});
process.stdout.write(JSON.stringify(out));
`
	raw := make([]json.RawMessage, len(docs))
	for i, d := range docs {
		raw[i] = d
	}
	in, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "-e", script, dir)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var verdicts [][]string
	if err := json.Unmarshal(out, &verdicts); err != nil {
		t.Fatalf("validator output %q: %v", out, err)
	}
	if len(verdicts) != len(docs) {
		t.Fatalf("validator judged %d documents, want %d", len(verdicts), len(docs))
	}
	return verdicts
}

// officialSamples are the example resumes the schema package ships.
func officialSamples(t *testing.T) map[string][]byte {
	t.Helper()
	dir := officialSchema(t)
	files, err := filepath.Glob(filepath.Join(dir, "examples", "*.resume.json"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join(dir, "sample.resume.json"))
	samples := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		samples[filepath.Base(f)] = data
	}
	if len(samples) < 2 {
		t.Fatalf("only %d sample resumes in %s", len(samples), dir)
	}
	return samples
}

func TestJSONExportValidAgainstOfficialSchema(t *testing.T) {
	names := []string{"seed", "seed as YAML"}
	yamlResume, err := content.Parse("resume.yaml", seedAsYAML(t))
	if err != nil {
		t.Fatal(err)
	}
	docs := [][]byte{[]byte(render(t, "json", defaultResume(t))), []byte(render(t, "json", yamlResume))}
	samples := officialSamples(t)
	for _, name := range slices.Sorted(maps.Keys(samples)) {
		r, err := content.Parse(name, samples[name])
		if err != nil {
			t.Errorf("the official sample %s does not load: %v", name, err)
			continue
		}
		names = append(names, name)
		docs = append(docs, []byte(render(t, "json", r)))
	}
	// Controls: the validator must reject what the schema forbids, or its
	// verdicts on the exports above prove nothing.
	names = append(names, "control: name is a number", "control: bad date")
	docs = append(docs, []byte(`{"basics": {"name": 42}}`), []byte(`{"work": [{"startDate": "May 2020"}]}`))

	for i, verdict := range validateOfficially(t, docs) {
		isControl := strings.HasPrefix(names[i], "control:")
		switch {
		case isControl && verdict == nil:
			t.Errorf("%s: the validator accepted it", names[i])
		case !isControl && verdict != nil:
			t.Errorf("%s: the JSON export is invalid against the official schema: %s", names[i], strings.Join(verdict, "; "))
		}
	}
}

func TestOfficialSamplesLoadCompletely(t *testing.T) {
	for name, data := range officialSamples(t) {
		r, notes, err := content.Check(name, data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		// Every field the official samples use is one sshresume shows: the
		// only notes are those saying that the samples' phone and street
		// address are public.
		privacy := 0
		for _, n := range notes {
			if strings.HasSuffix(n.Message, "to meta.sshresume.private") {
				privacy++
				continue
			}
			t.Errorf("%s:%d:%d: %s", name, n.Line, n.Col, n.Message)
		}
		if privacy == 0 {
			t.Errorf("%s: no note that its phone number and address are public", name)
		}
		// And the export keeps all of it: the sample and the export decode to
		// the same JSON values, apart from the empty strings the export omits.
		var sample, exported any
		if err := json.Unmarshal(data, &sample); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(render(t, "json", r)), &exported); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(dropEmpty(sample), exported) {
			t.Errorf("%s: the JSON export differs from the sample", name)
		}
	}
}

func dropEmpty(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if x == "" {
				delete(v, k)
				continue
			}
			v[k] = dropEmpty(x)
		}
	case []any:
		for i := range v {
			v[i] = dropEmpty(v[i])
		}
	}
	return v
}

// TestModelCoversSchema checks that the model has every field the official schema
// defines, with the same shape, so that no standard field is ever dropped.
func TestModelCoversSchema(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(officialSchema(t), "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	checkSchemaObject(t, "", schema, reflect.TypeFor[content.Resume]())
}

func checkSchemaObject(t *testing.T, path string, schema map[string]any, typ reflect.Type) {
	props, _ := schema["properties"].(map[string]any)
	if len(props) == 0 {
		t.Fatalf("%s: the schema lists no properties", path)
	}
	for name, p := range props {
		prop := p.(map[string]any)
		f, ok := fieldByJSONName(typ, name)
		if !ok {
			t.Errorf("%s/%s: in the official schema but not in the model (%s)", path, name, typ)
			continue
		}
		checkSchemaValue(t, path+"/"+name, prop, f.Type)
	}
}

func checkSchemaValue(t *testing.T, path string, prop map[string]any, typ reflect.Type) {
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	kind, _ := prop["type"].(string)
	if ref, _ := prop["$ref"].(string); ref != "" {
		kind = "string" // the only definition is the iso8601 date string
	}
	switch kind {
	case "string":
		if typ.Kind() != reflect.String {
			t.Errorf("%s: a string in the schema, %s in the model", path, typ)
		}
	case "array":
		if typ.Kind() != reflect.Slice {
			t.Errorf("%s: an array in the schema, %s in the model", path, typ)
			return
		}
		if items, ok := prop["items"].(map[string]any); ok {
			checkSchemaValue(t, path+"/0", items, typ.Elem())
		}
	case "object":
		if typ.Kind() != reflect.Struct {
			t.Errorf("%s: an object in the schema, %s in the model", path, typ)
			return
		}
		checkSchemaObject(t, path, prop, typ)
	default:
		t.Errorf("%s: schema type %q is not handled", path, kind)
	}
}

func fieldByJSONName(typ reflect.Type, name string) (reflect.StructField, bool) {
	for i := range typ.NumField() {
		f := typ.Field(i)
		if n, _, _ := strings.Cut(f.Tag.Get("json"), ","); n == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// TestAcceptedImpliesOfficiallyValid feeds tricky values to both sshresume's
// checks and the official validator: whatever sshresume accepts, the official
// validator must accept too, so that our notion of the schema is never looser
// than the real one.
func TestAcceptedImpliesOfficiallyValid(t *testing.T) {
	var docs [][]byte
	var names []string
	add := func(field string, values ...string) {
		for _, v := range values {
			doc := map[string]any{"basics": map[string]any{"name": "A"}}
			switch field {
			case "email", "url":
				doc["basics"].(map[string]any)[field] = v
			case "startDate":
				doc["work"] = []any{map[string]any{"startDate": v}}
			case "$schema":
				doc["$schema"] = v
			}
			data, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := content.Parse("probe.json", data); err == nil {
				docs = append(docs, data)
				names = append(names, fmt.Sprintf("%s %q", field, v))
			}
		}
	}
	add("email", "a@b", "a@b.c", "a.b@c.d", "a+b@c.d", "a_b@c-d.e", "ü@b.de", `"a b"@c.d`, "a@[1.2.3.4]",
		"a@b..c", "a@-b.c", "a@b-.c", "user@localhost", "a..b@c.d", ".a@c.d", "a.@c.d", "a@b.c.", "A@B.CO",
		"a@b.c d", "<a@b.c>", "Name <a@b.c>", "a@b_c.d", "a@1.2.3.4", "a@[300.1.1.1]")
	add("url", "https://example.com/", "https://bücher.de/ü", "a:b", "mailto:a@b.c", "http://[::1]:80/",
		"https://a.b/x y", "https://a.b/\u00a0", "https://a.b/\u2028", "https://a.b/\ufeff", "//a.b/", "/path",
		"https://", "http:", "1http://a.b", "https://a.b/<x>", "x+y.z-w:rest")
	add("startDate", "2020", "2020-01", "2020-01-31", "2020-02-30", "2020-13", "0999", "3000", "2020-1", "20201",
		"2020-01-01T00:00", "2020/01")
	add("$schema", "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json", "schema.json")
	if len(docs) < 12 {
		t.Fatalf("only %d probes were accepted; the probes are broken", len(docs))
	}
	for i, verdict := range validateOfficially(t, docs) {
		if verdict != nil {
			t.Errorf("sshresume accepts %s, the official validator does not: %s", names[i], strings.Join(verdict, "; "))
		}
	}
}
