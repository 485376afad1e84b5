package deploy

import (
	"bytes"
	"fmt"
	"go/version"
	"net"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"golang.org/x/mod/modfile"

	"github.com/sshresume/sshresume/server"
)

// dockerfile is the repository's Dockerfile as BuildKit reads it.
type dockerfile struct {
	raw    []byte
	stages []instructions.Stage
	args   []instructions.ArgCommand // the ARGs before the first FROM
}

func loadDockerfile(t *testing.T) dockerfile {
	t.Helper()
	raw, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	res, err := parser.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse Dockerfile: %v", err)
	}
	for _, w := range res.Warnings {
		t.Errorf("Dockerfile:%d: %s", w.Location.Start.Line, w.Short)
	}
	stages, args, err := instructions.Parse(res.AST, nil)
	if err != nil {
		t.Fatalf("parse Dockerfile instructions: %v", err)
	}
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a build stage and a final one", len(stages))
	}
	return dockerfile{raw: raw, stages: stages, args: args}
}

// arg is the default of a global ARG.
func (d dockerfile) arg(t *testing.T, name string) string {
	t.Helper()
	for _, a := range d.args {
		for _, kv := range a.Args {
			if kv.Key == name && kv.Value != nil {
				return *kv.Value
			}
		}
	}
	t.Fatalf("Dockerfile has no global ARG %s with a default", name)
	return ""
}

func (d dockerfile) final() instructions.Stage { return d.stages[len(d.stages)-1] }

func (d dockerfile) stage(t *testing.T, name string) instructions.Stage {
	t.Helper()
	for _, s := range d.stages {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("Dockerfile has no stage %q", name)
	return instructions.Stage{}
}

// commands returns the instructions of type T in s, in order.
func commands[T instructions.Command](s instructions.Stage) []T {
	var out []T
	for _, c := range s.Commands {
		if v, ok := c.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// env is what the ENV instructions of s set.
func env(s instructions.Stage) map[string]string {
	m := map[string]string{}
	for _, e := range commands[*instructions.EnvCommand](s) {
		for _, kv := range e.Env {
			m[kv.Key] = kv.Value
		}
	}
	return m
}

// buildStageName is the stage that compiles the binary.
const buildStageName = "build"

// BuildKit fetches the frontend a syntax line names from a registry before it
// reads anything else: an offline or mirrored build would fail there, and the
// built-in frontend already has everything this file uses.
func TestDockerfileHasNoSyntaxDirective(t *testing.T) {
	d := loadDockerfile(t)
	directive := regexp.MustCompile(`(?i)^#\s*syntax\s*=`)
	for i, line := range strings.Split(string(d.raw), "\n") {
		if directive.MatchString(strings.TrimSpace(line)) {
			t.Errorf("Dockerfile:%d: %q: drop the syntax directive", i+1, line)
		}
	}
}

func TestDockerfileGoVersionCoversGoMod(t *testing.T) {
	d := loadDockerfile(t)
	data, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	need := "go" + mod.Go.Version
	if mod.Toolchain != nil && version.Compare(mod.Toolchain.Name, need) > 0 {
		need = mod.Toolchain.Name
	}
	have := d.arg(t, "GO_VERSION")
	// An older builder would have to download a toolchain, which the
	// official image forbids (GOTOOLCHAIN=local), so the build would fail.
	if !version.IsValid("go"+have) || version.Compare("go"+have, need) < 0 {
		t.Errorf("ARG GO_VERSION=%s, want a Go version at least go.mod's %s", have, need)
	}
	build := d.stage(t, buildStageName)
	if build.BaseName != "golang:${GO_VERSION}" {
		t.Errorf("build stage FROM %s, want golang:${GO_VERSION}", build.BaseName)
	}
}

func TestDockerfileBuildStage(t *testing.T) {
	d := loadDockerfile(t)
	build := d.stage(t, buildStageName)
	if got := env(build)["CGO_ENABLED"]; got != "0" {
		t.Errorf("build stage CGO_ENABLED=%q, want 0: the runtime image has no C library", got)
	}

	// The modules come from go build itself, into a cache mount that outlives
	// the build: it fetches only the modules of the binary's packages, where
	// a "go mod download" step would fetch the tests' modules too.
	var order []string
	var goBuild *instructions.RunCommand
	for _, c := range build.Commands {
		switch c := c.(type) {
		case *instructions.CopyCommand:
			order = append(order, "COPY "+strings.Join(c.SourcePaths, " "))
		case *instructions.RunCommand:
			line := strings.Join(c.CmdLine, " ")
			switch {
			case strings.Contains(line, "go mod download"):
				order = append(order, "go mod download")
				t.Errorf("RUN %s: downloads every module of go.mod, the tests' too", line)
			case strings.Contains(line, "go build"):
				order = append(order, "go build")
				goBuild = c
			default:
				continue
			}
			if !hasCacheMount(c, "/go/pkg/mod") {
				t.Errorf("RUN %s: no cache mount for /go/pkg/mod", line)
			}
		}
	}
	want := []string{"COPY .", "go build"}
	if !slices.Equal(order, want) {
		t.Errorf("build stage does %q, want %q", order, want)
	}
	if goBuild == nil {
		t.Fatal("build stage has no go build")
	}
	if !hasCacheMount(goBuild, "/root/.cache/go-build") {
		t.Error("go build has no cache mount for the build cache")
	}
	line := strings.Join(goBuild.CmdLine, " ")
	for _, part := range []string{
		"-trimpath", // no paths of the build machine in the binary
		`-ldflags "-s -w -X main.version=${VERSION}"`,
		"-o " + builtBinary,
		"./cmd/sshresume",
	} {
		if !strings.Contains(line, part) {
			t.Errorf("go build lacks %s: %s", part, line)
		}
	}
	if !slices.ContainsFunc(commands[*instructions.ArgCommand](build), func(a *instructions.ArgCommand) bool {
		return slices.ContainsFunc(a.Args, func(kv instructions.KeyValuePairOptional) bool { return kv.Key == "VERSION" })
	}) {
		t.Error("build stage has no ARG VERSION for -X main.version")
	}
}

// builtBinary is where the build stage writes the binary.
const builtBinary = "/out/sshresume"

func hasCacheMount(run *instructions.RunCommand, target string) bool {
	// The parser leaves --mount options for the expansion of variables; none
	// are used in them, so words stand for themselves.
	if err := run.Expand(func(word string) (string, error) { return word, nil }); err != nil {
		return false
	}
	for _, m := range instructions.GetMounts(run) {
		if m.Type == instructions.MountTypeCache && m.Target == target {
			return true
		}
	}
	return false
}

func TestDockerfileFinalStage(t *testing.T) {
	d := loadDockerfile(t)
	final := d.final()
	if final.BaseName != "${RUNTIME_IMAGE}" {
		t.Errorf("final stage FROM %s, want ${RUNTIME_IMAGE}", final.BaseName)
	}
	if img := d.arg(t, "RUNTIME_IMAGE"); !strings.Contains(img, "distroless/static") || !strings.HasSuffix(img, ":nonroot") {
		t.Errorf("RUNTIME_IMAGE defaults to %s, want distroless static, nonroot", img)
	}
	// The runtime image has no shell, and nothing should be installed there.
	for _, run := range commands[*instructions.RunCommand](final) {
		t.Errorf("final stage runs %q", run.CmdLine)
	}

	users := commands[*instructions.UserCommand](final)
	if len(users) != 1 {
		t.Fatalf("final stage has %d USER instructions, want 1", len(users))
	}
	uid, gid, ok := numericUser(users[0].User)
	if !ok || uid == 0 || gid == 0 {
		t.Errorf("USER %s, want a numeric uid:gid other than root", users[0].User)
	}

	// Everything in the image comes from the build stage: nothing from the
	// build context, where a host key might lie.
	copies := map[string]*instructions.CopyCommand{}
	for _, c := range commands[*instructions.CopyCommand](final) {
		if c.From != buildStageName {
			t.Errorf("final stage copies %q from %q, want only from the build stage", c.SourcePaths, c.From)
		}
		copies[path.Clean(c.DestPath)] = c
	}
	entrypoint := commands[*instructions.EntrypointCommand](final)
	if len(entrypoint) != 1 || entrypoint[0].PrependShell || len(entrypoint[0].CmdLine) != 1 {
		t.Fatalf("ENTRYPOINT %+v, want exactly one, in exec form, naming the binary", entrypoint)
	}
	bin := entrypoint[0].CmdLine[0]
	if c, ok := copies[bin]; !ok || !slices.Equal(c.SourcePaths, []string{builtBinary}) {
		t.Errorf("ENTRYPOINT %s is not the binary copied from %s", bin, builtBinary)
	}
	cmds := commands[*instructions.CmdCommand](final)
	if len(cmds) != 1 || cmds[0].PrependShell || !slices.Equal(cmds[0].CmdLine, []string{"serve"}) {
		t.Errorf("CMD %+v, want exactly one: [\"serve\"]", cmds)
	}

	environ := env(final)
	host, port, err := net.SplitHostPort(environ["SSHRESUME_ADDR"])
	if err != nil || host != "" || port != strconv.Itoa(server.DefaultPort) {
		t.Errorf("ENV SSHRESUME_ADDR=%q, want :%d (all interfaces, the server's default port)", environ["SSHRESUME_ADDR"], server.DefaultPort)
	}
	expose := commands[*instructions.ExposeCommand](final)
	if want := []string{fmt.Sprintf("%d/tcp", server.DefaultPort), httpPort(t, environ) + "/tcp"}; len(expose) != 1 || !slices.Equal(expose[0].Ports, want) {
		t.Errorf("EXPOSE %+v, want %q: SSH and the web door", expose, want)
	}

	// The key file lives in a volume whose directory belongs to the server's
	// user, so a new named volume starts writable for it.
	keyFile := environ["SSHRESUME_HOST_KEY_FILE"]
	if !path.IsAbs(keyFile) {
		t.Fatalf("ENV SSHRESUME_HOST_KEY_FILE=%q, want an absolute path", keyFile)
	}
	dataDir := path.Dir(keyFile)
	var volumes []string
	for _, v := range commands[*instructions.VolumeCommand](final) {
		volumes = append(volumes, v.Volumes...)
	}
	if !slices.Contains(volumes, dataDir) {
		t.Errorf("VOLUME %q does not hold the host key's directory %s", volumes, dataDir)
	}
	if c, ok := copies[dataDir]; !ok || c.Chown != users[0].User {
		t.Errorf("%s is not copied into the image with --chown=%s", dataDir, users[0].User)
	}

	health := commands[*instructions.HealthCheckCommand](final)
	if len(health) != 1 {
		t.Fatalf("final stage has %d HEALTHCHECK instructions, want 1", len(health))
	}
	hc := health[0].Health
	// CMD is exec form; CMD-SHELL would need the shell the image does not have.
	if want := []string{"CMD", bin, "healthcheck"}; !slices.Equal(hc.Test, want) {
		t.Errorf("HEALTHCHECK %q, want %q", hc.Test, want)
	}
	if hc.Interval <= 0 || hc.Timeout <= 0 || hc.Retries <= 0 {
		t.Errorf("HEALTHCHECK interval %v, timeout %v, retries %d: set each", hc.Interval, hc.Timeout, hc.Retries)
	}

	for _, s := range commands[*instructions.StopSignalCommand](final) {
		if !handledSignals[s.Signal] {
			t.Errorf("STOPSIGNAL %s, want one the server handles: SIGTERM or SIGINT", s.Signal)
		}
	}
}

// handledSignals are the signals on which the server shuts down gracefully
// (cmd/sshresume/main.go).
var handledSignals = map[string]bool{"SIGTERM": true, "SIGINT": true}

// numericUser parses "uid:gid" or "uid".
func numericUser(s string) (uid, gid int, ok bool) {
	u, g, hasGroup := strings.Cut(s, ":")
	uid, err := strconv.Atoi(u)
	if err != nil {
		return 0, 0, false
	}
	gid = uid
	if hasGroup {
		if gid, err = strconv.Atoi(g); err != nil {
			return 0, 0, false
		}
	}
	return uid, gid, true
}

// Nothing secret may be baked into the image: ARG and ENV values stay in its
// history for anyone who pulls it. The host key comes at run time, as a file
// in the volume or as SSHRESUME_HOST_KEY.
func TestDockerfileCarriesNoSecrets(t *testing.T) {
	d := loadDockerfile(t)
	// The names BuildKit's SecretsUsedInArgOrEnv check warns about.
	secretLike := regexp.MustCompile(`(?i)(^|_)(key|secret|token|password|passwd|auth|credentials?)(_|$)`)
	allowed := regexp.MustCompile(`(?i)(^|_)(file|public|version)(_|$)`)
	check := func(where, name string) {
		if name == "SSHRESUME_HOST_KEY" || secretLike.MatchString(name) && !allowed.MatchString(name) {
			t.Errorf("%s sets %s: secrets must not be in the image", where, name)
		}
	}
	for _, a := range d.args {
		for _, kv := range a.Args {
			check("global ARG", kv.Key)
		}
	}
	for _, s := range d.stages {
		for _, a := range commands[*instructions.ArgCommand](s) {
			for _, kv := range a.Args {
				check("ARG", kv.Key)
			}
		}
		for name := range env(s) {
			check("ENV", name)
		}
	}
}

// The entrypoint with its CMD, and the health check, are commands the real
// binary accepts.
func TestDockerfileCommandsExist(t *testing.T) {
	d := loadDockerfile(t)
	final := d.final()
	cmd := commands[*instructions.CmdCommand](final)
	health := commands[*instructions.HealthCheckCommand](final)
	if len(cmd) != 1 || len(health) != 1 || len(health[0].Health.Test) < 3 || health[0].Health.Test[0] != "CMD" {
		t.Fatal("want one CMD and one exec-form HEALTHCHECK with a subcommand")
	}
	for _, args := range [][]string{cmd[0].CmdLine, health[0].Health.Test[2:]} {
		out, err := runBinary(t, append(slices.Clone(args), "-h")...)
		if err != nil {
			t.Errorf("sshresume %s -h: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
