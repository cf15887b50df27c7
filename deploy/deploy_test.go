// Package deploy_test checks the deployment files (../Dockerfile, base-images.sh, compose.yaml,
// Caddyfile and k8s/) for syntax and structure. No container engine runs where these tests
// run, so this is what stands between a typo and a broken rollout: it parses every YAML file
// and asserts the wiring a reviewer would look for (health checks, probes, security settings,
// references between files).
package deploy_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hailong/hailong/internal/config"
	"gopkg.in/yaml.v3"
)

// doc is one decoded YAML document.
type doc = map[string]any

// knownEnv lists the variables the server reads (internal/config) plus the Go runtime's own;
// a name outside it in compose.yaml or the ConfigMap is a typo the server would ignore.
var knownEnv = append(config.Variables(), "GOMEMLIMIT", "GOMAXPROCS", "GOGC")

// secretEnv must never appear in plain configuration (ConfigMap, image ENV).
var secretEnv = []string{"MONGODB_URI", "REDIS_URL", "HAILONG_ADMIN_PASSWORD", "HAILONG_IP_SALT", "HAILONG_SECRET_KEY"}

// loadDocs decodes every document of a YAML file, skipping empty ones.
func loadDocs(t *testing.T, path string) []doc {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	var docs []doc
	for i := 0; ; i++ {
		var d doc
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: document %d: %v", path, i, err)
		}
		if d != nil {
			docs = append(docs, d)
		}
	}
	return docs
}

// loadOne decodes a file that must hold exactly one document.
func loadOne(t *testing.T, path string) doc {
	t.Helper()
	docs := loadDocs(t, path)
	if len(docs) != 1 {
		t.Fatalf("%s: %d documents, want 1", path, len(docs))
	}
	return docs[0]
}

// get walks nested maps and lists: get(d, "spec", "template", "spec", "containers", 0).
// It returns nil when any step is missing.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		default:
			panic(fmt.Sprintf("get: bad path element %T", p))
		}
	}
	return v
}

func str(v any, path ...any) string {
	s, _ := get(v, path...).(string)
	return s
}

func mapAt(v any, path ...any) map[string]any {
	m, _ := get(v, path...).(map[string]any)
	return m
}

func listAt(v any, path ...any) []any {
	l, _ := get(v, path...).([]any)
	return l
}

// stringList converts a YAML list of scalars to strings.
func stringList(l []any) []string {
	out := make([]string, 0, len(l))
	for _, v := range l {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

func yamlFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestEveryYAMLFileParses(t *testing.T) {
	files := yamlFiles(t, ".")
	if len(files) < 9 {
		t.Fatalf("found %d YAML files under deploy/, want compose.yaml and the k8s manifests: %v", len(files), files)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(raw), "\t") {
				t.Error("contains a tab; YAML indentation must be spaces")
			}
			if len(loadDocs(t, f)) == 0 {
				t.Error("no YAML document")
			}
		})
	}
}

// ---- compose ---------------------------------------------------------------------------

// composeEnv returns a service's environment whether written as a map or a KEY=VALUE list.
func composeEnv(t *testing.T, svc map[string]any) map[string]string {
	t.Helper()
	env := map[string]string{}
	switch e := svc["environment"].(type) {
	case map[string]any:
		for k, v := range e {
			if v == nil {
				env[k] = ""
			} else {
				env[k] = fmt.Sprint(v)
			}
		}
	case []any:
		for _, kv := range stringList(e) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
	case nil:
	default:
		t.Fatalf("environment is a %T", e)
	}
	return env
}

func TestCompose(t *testing.T) {
	c := loadOne(t, "compose.yaml")
	services := mapAt(c, "services")
	for _, name := range []string{"mongo1", "mongo2", "mongo3", "mongo-init", "redis", "hailong1", "hailong2", "proxy"} {
		if services[name] == nil {
			t.Errorf("service %s missing", name)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	for name, s := range services {
		svc := s.(map[string]any)
		t.Run(name, func(t *testing.T) {
			image := str(svc, "image")
			if image == "" && svc["build"] == nil {
				t.Error("neither image nor build")
			}
			if strings.HasSuffix(image, ":latest") || (image != "" && !strings.Contains(image, ":")) {
				t.Errorf("image %q is not pinned to a tag", image)
			}
			if name != "mongo-init" && len(listAt(svc, "healthcheck", "test")) == 0 {
				t.Error("no healthcheck")
			}
			if mapAt(svc, "deploy", "resources", "limits")["memory"] == nil || mapAt(svc, "deploy", "resources", "limits")["cpus"] == nil {
				t.Error("no deploy.resources.limits cpus and memory")
			}
			for dep, cond := range mapAt(svc, "depends_on") {
				if services[dep] == nil {
					t.Errorf("depends_on unknown service %s", dep)
				}
				want := "service_healthy"
				if dep == "mongo-init" {
					want = "service_completed_successfully"
				}
				if got := str(cond, "condition"); got != want {
					t.Errorf("depends_on %s: condition %q, want %q", dep, got, want)
				}
			}
			if name != "proxy" && svc["ports"] != nil {
				t.Error("publishes ports; only the proxy may (the app trusts X-Forwarded-For)")
			}
		})
	}

	for _, name := range []string{"mongo1", "mongo2", "mongo3"} {
		cmd := strings.Join(stringList(listAt(services, name, "command")), " ")
		for _, want := range []string{"--replSet rs0", "--bind_ip_all"} {
			if !strings.Contains(cmd, want) {
				t.Errorf("%s: command %q lacks %s", name, cmd, want)
			}
		}
		if !strings.HasPrefix(str(services, name, "image"), "mongo:7") {
			t.Errorf("%s: image %q, want mongo:7.x", name, str(services, name, "image"))
		}
		hc := strings.Join(stringList(listAt(services, name, "healthcheck", "test")), " ")
		if !strings.Contains(hc, "mongosh") || !strings.Contains(hc, "ping") {
			t.Errorf("%s: healthcheck %q does not ping with mongosh", name, hc)
		}
	}
	if !strings.HasPrefix(str(services, "redis", "image"), "redis:7") {
		t.Errorf("redis: image %q, want redis:7.x", str(services, "redis", "image"))
	}
	if hc := strings.Join(stringList(listAt(services, "redis", "healthcheck", "test")), " "); !strings.Contains(hc, "redis-cli ping") {
		t.Errorf("redis: healthcheck %q", hc)
	}

	t.Run("mongo-init", func(t *testing.T) {
		mi := mapAt(services, "mongo-init")
		if r := fmt.Sprint(mi["restart"]); r != "no" {
			t.Errorf("restart %q, want \"no\" for a one-shot", r)
		}
		for _, m := range []string{"mongo1", "mongo2", "mongo3"} {
			if str(mi, "depends_on", m, "condition") != "service_healthy" {
				t.Errorf("does not wait for %s to be healthy", m)
			}
		}
		script := mountedFile(t, mi, "rs-init.js")
		for _, want := range []string{"rs.initiate(", "NotYetInitialized", "PRIMARY", "'rs0'", "mongo1:27017", "mongo2:27017", "mongo3:27017"} {
			if !strings.Contains(script, want) {
				t.Errorf("rs-init.js lacks %q", want)
			}
		}
	})

	for _, name := range []string{"hailong1", "hailong2"} {
		t.Run(name, func(t *testing.T) {
			svc := mapAt(services, name)
			if ctx := str(svc, "build", "context"); ctx == "" {
				t.Error("not built from the repository")
			} else if _, err := os.Stat(filepath.Join(ctx, "Dockerfile")); err != nil {
				t.Errorf("build context %s: %v", ctx, err)
			}
			if hc := stringList(listAt(svc, "healthcheck", "test")); !slices.Equal(hc, []string{"CMD", "/hailong", "healthcheck"}) {
				t.Errorf("healthcheck %q, want [CMD /hailong healthcheck] (distroless has no shell)", hc)
			}
			if svc["read_only"] != true {
				t.Errorf("read_only = %v, want true", svc["read_only"])
			}
			if tmp := strings.Join(stringList(listAt(svc, "tmpfs")), " "); !strings.HasPrefix(tmp, "/tmp") {
				t.Errorf("tmpfs %q, want /tmp", tmp)
			}
			if u := fmt.Sprint(svc["user"]); u == "" || u == "<nil>" || strings.HasPrefix(u, "0") || strings.HasPrefix(u, "root") {
				t.Errorf("user %q is root or unset", u)
			}
			deps := mapAt(svc, "depends_on")
			for _, dep := range []string{"redis", "mongo-init"} {
				if deps[dep] == nil {
					t.Errorf("does not depend on %s", dep)
				}
			}
			if str(deps, "redis", "condition") != "service_healthy" {
				t.Error("does not wait for redis to be healthy")
			}

			env := composeEnv(t, svc)
			for k := range env {
				if !slices.Contains(knownEnv, k) {
					t.Errorf("environment %s is not a setting the server reads", k)
				}
			}
			uri := env["MONGODB_URI"]
			for _, want := range []string{"mongodb://", "mongo1:27017", "mongo2:27017", "mongo3:27017", "replicaSet=rs0", "w=majority"} {
				if !strings.Contains(uri, want) {
					t.Errorf("MONGODB_URI %q lacks %s", uri, want)
				}
			}
			if env["REDIS_URL"] != "redis://redis:6379/0" {
				t.Errorf("REDIS_URL %q", env["REDIS_URL"])
			}
			if env["HAILONG_TRUST_PROXY"] != "true" {
				t.Errorf("HAILONG_TRUST_PROXY %q, want true behind the proxy", env["HAILONG_TRUST_PROXY"])
			}
			// X-Forwarded-For is believed from the proxy's fixed address only.
			proxyAddr := str(services, "proxy", "networks", "backend", "ipv4_address")
			if proxyAddr == "" || env["HAILONG_TRUSTED_PROXIES"] != proxyAddr {
				t.Errorf("HAILONG_TRUSTED_PROXIES %q, want the proxy's backend address %q", env["HAILONG_TRUSTED_PROXIES"], proxyAddr)
			}
			if pw := env["HAILONG_ADMIN_PASSWORD"]; !strings.HasPrefix(pw, "${HAILONG_ADMIN_PASSWORD:?") {
				t.Errorf("HAILONG_ADMIN_PASSWORD %q must be required from the environment (${HAILONG_ADMIN_PASSWORD:?...})", pw)
			}
			if k := env["HAILONG_SECRET_KEY"]; !strings.HasPrefix(k, "${HAILONG_SECRET_KEY:?") {
				t.Errorf("HAILONG_SECRET_KEY %q must be required from the environment: with MONGODB_URI the server refuses to start without it", k)
			}
			if b := env["HAILONG_BASE_URL"]; !strings.HasPrefix(b, "${HAILONG_BASE_URL:-") {
				t.Errorf("HAILONG_BASE_URL %q, want ${HAILONG_BASE_URL:-default}", b)
			}
		})
	}

	t.Run("proxy", func(t *testing.T) {
		proxy := mapAt(services, "proxy")
		if !strings.HasPrefix(str(proxy, "image"), "caddy:2") {
			t.Errorf("image %q, want caddy:2.x", str(proxy, "image"))
		}
		if ports := stringList(listAt(proxy, "ports")); !slices.ContainsFunc(ports, func(p string) bool { return strings.HasSuffix(p, ":8080") }) {
			t.Errorf("ports %q do not publish 8080", ports)
		}
		for _, dep := range []string{"hailong1", "hailong2"} {
			if str(proxy, "depends_on", dep, "condition") != "service_healthy" {
				t.Errorf("does not wait for %s to be healthy", dep)
			}
		}
		caddyfile := mountedFile(t, proxy, "Caddyfile")
		for _, want := range []string{"reverse_proxy hailong1:8080 hailong2:8080", "health_uri /readyz", "lb_policy round_robin", ":8080"} {
			if !strings.Contains(caddyfile, want) {
				t.Errorf("Caddyfile lacks %q", want)
			}
		}
	})

	// Every named volume and network used is declared.
	for name, s := range services {
		for _, v := range stringList(listAt(s, "volumes")) {
			src, _, _ := strings.Cut(v, ":")
			if strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/") {
				continue // a bind mount
			}
			if _, declared := mapAt(c, "volumes")[src]; !declared {
				t.Errorf("%s: volume %s is not declared", name, src)
			}
		}
		nets := stringList(listAt(s, "networks"))
		for n := range mapAt(s, "networks") { // the long form, with addresses
			nets = append(nets, n)
		}
		for _, n := range nets {
			if _, declared := mapAt(c, "networks")[n]; !declared {
				t.Errorf("%s: network %s is not declared", name, n)
			}
		}
	}
}

// mountedFile returns the content of the bind-mounted host file whose name ends in suffix.
func mountedFile(t *testing.T, svc map[string]any, suffix string) string {
	t.Helper()
	for _, v := range stringList(listAt(svc, "volumes")) {
		src, _, _ := strings.Cut(v, ":")
		if strings.HasPrefix(src, ".") && strings.HasSuffix(src, suffix) {
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatalf("mounted file: %v", err)
			}
			return string(b)
		}
	}
	t.Fatalf("no bind mount of a file ending in %s", suffix)
	return ""
}

// ---- kubernetes ------------------------------------------------------------------------

const k8sDir = "k8s"

// k8sObjects loads every k8s manifest, keyed by kind (one object per kind here).
func k8sObjects(t *testing.T) map[string]doc {
	t.Helper()
	objs := map[string]doc{}
	for _, f := range yamlFiles(t, k8sDir) {
		for _, d := range loadDocs(t, f) {
			kind := str(d, "kind")
			if objs[kind] != nil {
				t.Fatalf("%s: second %s; the checks assume one per kind", f, kind)
			}
			objs[kind] = d
		}
	}
	return objs
}

func TestK8sEveryObjectIsWellFormed(t *testing.T) {
	for _, f := range yamlFiles(t, k8sDir) {
		for i, d := range loadDocs(t, f) {
			where := fmt.Sprintf("%s[%d]", f, i)
			if str(d, "apiVersion") == "" || str(d, "kind") == "" || str(d, "metadata", "name") == "" {
				t.Errorf("%s: apiVersion %q, kind %q, metadata.name %q: all required", where, str(d, "apiVersion"), str(d, "kind"), str(d, "metadata", "name"))
			}
			if str(d, "kind") == "Kustomization" {
				continue
			}
			if got := str(d, "metadata", "labels", "app.kubernetes.io/name"); got != "hailong" {
				t.Errorf("%s: label app.kubernetes.io/name = %q, want hailong", where, got)
			}
		}
	}
}

func TestK8sKustomization(t *testing.T) {
	k := loadOne(t, filepath.Join(k8sDir, "kustomization.yaml"))
	if str(k, "kind") != "Kustomization" {
		t.Fatalf("kind %q", str(k, "kind"))
	}
	listed := stringList(listAt(k, "resources"))
	for _, r := range listed {
		if _, err := os.Stat(filepath.Join(k8sDir, r)); err != nil {
			t.Errorf("resource %s: %v", r, err)
		}
		if strings.Contains(r, "example") {
			t.Errorf("resource %s is an example and must not be applied", r)
		}
	}
	// Every manifest but the kustomization itself and examples is listed.
	for _, f := range yamlFiles(t, k8sDir) {
		base := filepath.Base(f)
		if base == "kustomization.yaml" || strings.Contains(base, ".example.") {
			continue
		}
		if !slices.Contains(listed, base) {
			t.Errorf("%s is not listed in kustomization.yaml resources", base)
		}
	}
	if !slices.Contains(listed, "namespace.yaml") || str(k, "namespace") == "" {
		t.Error("kustomization does not create and set the namespace")
	}
	objs := k8sObjects(t)
	if ns := str(objs["Namespace"], "metadata", "name"); ns != str(k, "namespace") {
		t.Errorf("Namespace %q, kustomization namespace %q", ns, str(k, "namespace"))
	}
	if ns := str(objs["Secret"], "metadata", "namespace"); ns != str(k, "namespace") {
		t.Errorf("example Secret is for namespace %q, kustomization uses %q", ns, str(k, "namespace"))
	}
	// The images entry must rewrite the Deployment's image.
	image := str(objs["Deployment"], "spec", "template", "spec", "containers", 0, "image")
	found := false
	for _, im := range listAt(k, "images") {
		if str(im, "name") == image {
			found = true
			if tag := fmt.Sprint(get(im, "newTag")); tag == "latest" {
				t.Error("images newTag is latest")
			}
		}
	}
	if !found {
		t.Errorf("no images entry for the Deployment's image %q", image)
	}
}

func TestK8sDeployment(t *testing.T) {
	objs := k8sObjects(t)
	dep := objs["Deployment"]
	if dep == nil {
		t.Fatal("no Deployment")
	}
	if str(dep, "apiVersion") != "apps/v1" {
		t.Errorf("apiVersion %q", str(dep, "apiVersion"))
	}
	if r := get(dep, "spec", "replicas"); r != 2 {
		t.Errorf("replicas %v, want 2", r)
	}
	if mu := get(dep, "spec", "strategy", "rollingUpdate", "maxUnavailable"); mu != 0 {
		t.Errorf("rollingUpdate.maxUnavailable %v, want 0", mu)
	}
	sel := mapAt(dep, "spec", "selector", "matchLabels")
	podLabels := mapAt(dep, "spec", "template", "metadata", "labels")
	if len(sel) == 0 || !subset(sel, podLabels) {
		t.Errorf("selector %v does not match pod labels %v", sel, podLabels)
	}
	if podLabels["app.kubernetes.io/name"] != "hailong" {
		t.Error("pods lack app.kubernetes.io/name: hailong")
	}

	pod := mapAt(dep, "spec", "template", "spec")
	if g := get(pod, "terminationGracePeriodSeconds"); g != 30 {
		t.Errorf("terminationGracePeriodSeconds %v, want 30", g)
	}
	if get(pod, "securityContext", "runAsNonRoot") != true {
		t.Error("pod securityContext.runAsNonRoot is not true")
	}
	if u := get(pod, "securityContext", "runAsUser"); u != 65532 {
		t.Errorf("pod runAsUser %v, want 65532 (distroless nonroot)", u)
	}
	if str(pod, "securityContext", "seccompProfile", "type") != "RuntimeDefault" {
		t.Error("pod seccompProfile is not RuntimeDefault")
	}
	tsc := listAt(pod, "topologySpreadConstraints")
	if !slices.ContainsFunc(tsc, func(c any) bool { return str(c, "topologyKey") == "kubernetes.io/hostname" }) {
		t.Error("no topologySpreadConstraint across nodes (kubernetes.io/hostname)")
	}
	for i, c := range tsc {
		if !subset(mapAt(c, "labelSelector", "matchLabels"), podLabels) || len(mapAt(c, "labelSelector", "matchLabels")) == 0 {
			t.Errorf("topologySpreadConstraints[%d] does not select the pods", i)
		}
	}

	containers := listAt(pod, "containers")
	if len(containers) != 1 {
		t.Fatalf("%d containers, want 1", len(containers))
	}
	c := containers[0]
	if img := str(c, "image"); img == "" || strings.HasSuffix(img, ":latest") {
		t.Errorf("image %q", img)
	}
	httpPort := namedPort(c, "http")
	if httpPort != 8080 {
		t.Errorf("container port http = %d, want 8080", httpPort)
	}
	probe := func(name, wantPath string) {
		p := mapAt(c, name)
		if p == nil {
			t.Errorf("no %s", name)
			return
		}
		if path := str(p, "httpGet", "path"); path != wantPath {
			t.Errorf("%s path %q, want %s", name, path, wantPath)
		}
		if port := resolvePort(c, get(p, "httpGet", "port")); port != 8080 {
			t.Errorf("%s port resolves to %d, want 8080", name, port)
		}
	}
	probe("readinessProbe", "/readyz")
	probe("livenessProbe", "/healthz")
	probe("startupProbe", "/healthz")
	if c.(map[string]any)["lifecycle"] != nil && get(c, "lifecycle", "preStop", "exec") != nil {
		t.Error("preStop exec cannot run: the image has no shell")
	}

	for _, kind := range []string{"requests", "limits"} {
		for _, res := range []string{"cpu", "memory"} {
			if get(c, "resources", kind, res) == nil {
				t.Errorf("resources.%s.%s missing", kind, res)
			}
		}
	}

	sc := mapAt(c, "securityContext")
	if sc["readOnlyRootFilesystem"] != true {
		t.Error("readOnlyRootFilesystem is not true")
	}
	if sc["allowPrivilegeEscalation"] != false {
		t.Error("allowPrivilegeEscalation is not false")
	}
	if sc["runAsNonRoot"] != true && get(pod, "securityContext", "runAsNonRoot") != true {
		t.Error("runAsNonRoot is not true")
	}
	if drop := stringList(listAt(sc, "capabilities", "drop")); !slices.Equal(drop, []string{"ALL"}) {
		t.Errorf("capabilities.drop %q, want [ALL]", drop)
	}

	// /tmp is writable through an emptyDir.
	var tmpVol string
	for _, m := range listAt(c, "volumeMounts") {
		if str(m, "mountPath") == "/tmp" {
			tmpVol = str(m, "name")
		}
	}
	if tmpVol == "" || !slices.ContainsFunc(listAt(pod, "volumes"), func(v any) bool {
		return str(v, "name") == tmpVol && get(v, "emptyDir") != nil
	}) {
		t.Error("no emptyDir mounted at /tmp")
	}

	// envFrom names the ConfigMap and the Secret defined next to it.
	var cmRef, secretRef string
	for _, e := range listAt(c, "envFrom") {
		if n := str(e, "configMapRef", "name"); n != "" {
			cmRef = n
		}
		if n := str(e, "secretRef", "name"); n != "" {
			secretRef = n
		}
	}
	if cm := str(objs["ConfigMap"], "metadata", "name"); cmRef == "" || cmRef != cm {
		t.Errorf("envFrom configMapRef %q, ConfigMap is %q", cmRef, cm)
	}
	if s := str(objs["Secret"], "metadata", "name"); secretRef == "" || secretRef != s {
		t.Errorf("envFrom secretRef %q, example Secret is %q", secretRef, s)
	}
	for _, e := range listAt(c, "env") {
		if n := str(e, "name"); slices.Contains(secretEnv, n) {
			t.Errorf("env %s is a secret; it belongs in the Secret", n)
		}
	}
}

func TestK8sConfigAndSecret(t *testing.T) {
	objs := k8sObjects(t)
	data := mapAt(objs["ConfigMap"], "data")
	for k, v := range data {
		if !slices.Contains(knownEnv, k) {
			t.Errorf("ConfigMap key %s is not a setting the server reads", k)
		}
		if slices.Contains(secretEnv, k) {
			t.Errorf("ConfigMap holds the secret %s", k)
		}
		if _, ok := v.(string); !ok {
			t.Errorf("ConfigMap %s = %v (%T): values must be strings, quote them", k, v, v)
		}
	}
	if data["HAILONG_TRUST_PROXY"] == "true" && data["HAILONG_TRUSTED_PROXIES"] == nil {
		t.Error("HAILONG_TRUST_PROXY without HAILONG_TRUSTED_PROXIES: name the ingress's addresses")
	}
	if _, err := config.Load(func(k string) string { s, _ := data[k].(string); return s }); err != nil {
		t.Errorf("the ConfigMap does not load: %v", err)
	}
	if !strings.HasPrefix(fmt.Sprint(data["HAILONG_BASE_URL"]), "https://") {
		t.Errorf("HAILONG_BASE_URL %v, want an https:// URL", data["HAILONG_BASE_URL"])
	}

	secret := objs["Secret"]
	raw, err := os.ReadFile(filepath.Join(k8sDir, "secret.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ToUpper(string(raw)), "DO NOT APPLY") {
		t.Error("secret.example.yaml does not say not to apply it as-is")
	}
	sd := mapAt(secret, "stringData")
	for _, k := range secretEnv {
		if v, ok := sd[k].(string); !ok || !strings.Contains(v, "CHANGE-ME") {
			t.Errorf("example Secret %s = %v, want a CHANGE-ME placeholder", k, sd[k])
		}
	}
	if uri := fmt.Sprint(sd["MONGODB_URI"]); !strings.Contains(uri, "replicaSet=") {
		t.Errorf("example MONGODB_URI %q does not name a replica set", uri)
	}
}

func TestK8sServiceHPAPDB(t *testing.T) {
	objs := k8sObjects(t)
	dep := objs["Deployment"]
	depName := str(dep, "metadata", "name")
	podLabels := mapAt(dep, "spec", "template", "metadata", "labels")
	container := get(dep, "spec", "template", "spec", "containers", 0)

	svc := objs["Service"]
	if typ := str(svc, "spec", "type"); typ != "" && typ != "ClusterIP" {
		t.Errorf("Service type %q, want ClusterIP", typ)
	}
	if sel := mapAt(svc, "spec", "selector"); len(sel) == 0 || !subset(sel, podLabels) {
		t.Errorf("Service selector %v does not match pod labels %v", sel, podLabels)
	}
	ports := listAt(svc, "spec", "ports")
	if len(ports) != 1 || get(ports[0], "port") != 80 || resolvePort(container, get(ports[0], "targetPort")) != 8080 {
		t.Errorf("Service ports %v, want 80 → container port 8080", ports)
	}

	hpa := objs["HorizontalPodAutoscaler"]
	if str(hpa, "apiVersion") != "autoscaling/v2" {
		t.Errorf("HPA apiVersion %q", str(hpa, "apiVersion"))
	}
	ref := mapAt(hpa, "spec", "scaleTargetRef")
	if ref["kind"] != "Deployment" || ref["name"] != depName || ref["apiVersion"] != "apps/v1" {
		t.Errorf("HPA scaleTargetRef %v, want apps/v1 Deployment %s", ref, depName)
	}
	if mn, mx := get(hpa, "spec", "minReplicas"), get(hpa, "spec", "maxReplicas"); mn != 2 || mx != 10 {
		t.Errorf("HPA min/max %v/%v, want 2/10", mn, mx)
	}
	cpu := false
	for _, m := range listAt(hpa, "spec", "metrics") {
		if str(m, "resource", "name") == "cpu" && get(m, "resource", "target", "averageUtilization") == 70 {
			cpu = true
		}
	}
	if !cpu {
		t.Error("HPA does not target 70% CPU utilization")
	}
	if get(dep, "spec", "template", "spec", "containers", 0, "resources", "requests", "cpu") == nil {
		t.Error("HPA CPU utilization needs a CPU request on the container")
	}

	pdb := objs["PodDisruptionBudget"]
	if str(pdb, "apiVersion") != "policy/v1" {
		t.Errorf("PDB apiVersion %q", str(pdb, "apiVersion"))
	}
	if get(pdb, "spec", "minAvailable") != 1 {
		t.Errorf("PDB minAvailable %v, want 1", get(pdb, "spec", "minAvailable"))
	}
	if sel := mapAt(pdb, "spec", "selector", "matchLabels"); len(sel) == 0 || !subset(sel, podLabels) {
		t.Errorf("PDB selector %v does not match pod labels %v", sel, podLabels)
	}
}

// subset reports whether every key of a is in b with the same value.
func subset(a, b map[string]any) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// namedPort returns the containerPort of the container's port called name, or 0.
func namedPort(container any, name string) int {
	for _, p := range listAt(container, "ports") {
		if str(p, "name") == name {
			n, _ := get(p, "containerPort").(int)
			return n
		}
	}
	return 0
}

// resolvePort turns a probe or Service port (a number or a port name) into a number.
func resolvePort(container, port any) int {
	switch p := port.(type) {
	case int:
		return p
	case string:
		if n, err := strconv.Atoi(p); err == nil {
			return n
		}
		return namedPort(container, p)
	}
	return 0
}

// ---- Dockerfile ------------------------------------------------------------------------

// instruction is one Dockerfile instruction with its line continuations joined.
type instruction struct {
	cmd  string // upper-cased: FROM, RUN, ...
	args string
}

func parseDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []instruction
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || (line == "" && cur.Len() == 0) {
			continue
		}
		if cont, ok := strings.CutSuffix(line, "\\"); ok {
			cur.WriteString(cont + " ")
			continue
		}
		cur.WriteString(line)
		cmd, args, _ := strings.Cut(strings.TrimSpace(cur.String()), " ")
		out = append(out, instruction{strings.ToUpper(cmd), strings.TrimSpace(args)})
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDockerfile(t *testing.T) {
	ins := parseDockerfile(t, filepath.Join("..", "Dockerfile"))

	// ARG defaults declared before the first FROM may be used in FROM lines.
	globalArgs := map[string]string{}
	type stage struct {
		image, name string
		ins         []instruction
	}
	var stages []stage
	for _, in := range ins {
		switch in.cmd {
		case "ARG":
			if len(stages) == 0 {
				k, v, _ := strings.Cut(in.args, "=")
				globalArgs[k] = strings.Trim(v, `"`)
			}
		case "FROM":
			fields := strings.Fields(in.args)
			var image, name string
			for i := 0; i < len(fields); i++ {
				switch {
				case strings.HasPrefix(fields[i], "--"):
				case strings.EqualFold(fields[i], "AS") && i+1 < len(fields):
					name = fields[i+1]
					i++
				default:
					image = fields[i]
				}
			}
			image = os.Expand(image, func(k string) string { return globalArgs[k] })
			stages = append(stages, stage{image: image, name: name})
			continue
		}
		if len(stages) > 0 {
			stages[len(stages)-1].ins = append(stages[len(stages)-1].ins, in)
		}
	}
	if len(stages) < 2 {
		t.Fatalf("%d FROM stages, want a multi-stage build", len(stages))
	}

	build, final := stages[0], stages[len(stages)-1]
	if !strings.HasPrefix(build.image, "golang:1.26") {
		t.Errorf("build stage image %q, want golang:1.26-*", build.image)
	}
	if !strings.HasPrefix(final.image, "gcr.io/distroless/static") {
		t.Errorf("final stage image %q, want distroless static", final.image)
	}
	if ref := final.image[strings.LastIndex(final.image, "/")+1:]; !strings.Contains(ref, ":") && !strings.Contains(ref, "@") {
		t.Errorf("final stage image %q has no tag (which means latest)", final.image)
	} else if strings.HasSuffix(ref, ":latest") || strings.Contains(ref, ":latest@") {
		t.Errorf("final stage image %q uses :latest", final.image)
	}

	// The build stage downloads modules before it copies the sources, so that layer caches.
	var download, copyAll, goBuild int = -1, -1, -1
	for i, in := range build.ins {
		switch {
		case in.cmd == "RUN" && strings.Contains(in.args, "go mod download") && download < 0:
			download = i
		case in.cmd == "COPY" && strings.HasPrefix(in.args, ". ") && copyAll < 0:
			copyAll = i
		case in.cmd == "RUN" && strings.Contains(in.args, "go build"):
			goBuild = i
			for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "./cmd/hailong"} {
				if !strings.Contains(in.args, want) {
					t.Errorf("go build lacks %s: %s", want, in.args)
				}
			}
		}
	}
	if download < 0 || copyAll < 0 || goBuild < 0 || !(download < copyAll && copyAll < goBuild) {
		t.Errorf("build stage order: go mod download at %d, COPY . at %d, go build at %d; want download < copy < build", download, copyAll, goBuild)
	}

	var user, entrypoint, cmd string
	var exposes []string
	for _, in := range final.ins {
		switch in.cmd {
		case "USER":
			user = in.args
		case "ENTRYPOINT":
			entrypoint = in.args
		case "CMD":
			cmd = in.args
		case "EXPOSE":
			exposes = append(exposes, strings.Fields(in.args)...)
		case "HEALTHCHECK":
			if strings.Contains(in.args, "curl") || strings.Contains(in.args, "wget") {
				t.Errorf("HEALTHCHECK %q: the distroless image has neither curl nor wget", in.args)
			}
		case "ENV":
			for _, s := range secretEnv {
				if strings.Contains(in.args, s) {
					t.Errorf("ENV sets the secret %s in the image", s)
				}
			}
		}
	}
	if name, _, _ := strings.Cut(user, ":"); name == "" || name == "root" || name == "0" {
		t.Errorf("final stage USER %q: must be set and not root", user)
	}
	if entrypoint != `["/hailong"]` {
		t.Errorf("ENTRYPOINT %s, want [\"/hailong\"]", entrypoint)
	}
	if cmd != `["serve"]` {
		t.Errorf("CMD %s, want [\"serve\"]", cmd)
	}
	if !slices.Contains(exposes, "8080") {
		t.Errorf("EXPOSE %v lacks 8080", exposes)
	}
}

func TestDockerignore(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, l := range strings.Split(string(raw), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, strings.TrimPrefix(l, "/"))
		}
	}
	for _, want := range []string{".git", "data/", "**/*.test"} {
		if !slices.Contains(patterns, want) {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}
	// Excluding any of these would break `go build` inside the image.
	for _, p := range patterns {
		for _, needed := range []string{"go.mod", "go.sum", "cmd", "internal", "public", "surveys", "*.go", "**/*.go", "*.yaml", "**/*.yaml"} {
			if strings.TrimSuffix(p, "/") == needed {
				t.Errorf(".dockerignore excludes %s, which the build needs", p)
			}
		}
	}
}

// TestBaseImagesScript checks deploy/base-images.sh, which builds the image where no container
// registry can be reached, against the Dockerfile it builds: every base image it makes replaces
// one the Dockerfile takes as a build argument, and the Dockerfile names no frontend image that
// such a build would have to fetch.
func TestBaseImagesScript(t *testing.T) {
	script := "base-images.sh"
	fi, err := os.Stat(script)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&0o111 == 0 {
		t.Errorf("%s is not executable (mode %v)", script, fi.Mode())
	}
	if out, err := exec.Command("sh", "-n", script).CombinedOutput(); err != nil {
		t.Errorf("sh -n %s: %v\n%s", script, err, out)
	}

	raw, err := os.ReadFile(filepath.Join("..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(l, "#") {
			break
		}
		if k, _, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(l, "#")), "="); ok && strings.EqualFold(strings.TrimSpace(k), "syntax") {
			t.Errorf("Dockerfile names the frontend image %q: a build without a registry cannot fetch it", l)
		}
	}
	fromArgs := map[string]bool{} // the global ARGs a FROM line uses
	declared := map[string]bool{}
	for _, in := range parseDockerfile(t, filepath.Join("..", "Dockerfile")) {
		switch in.cmd {
		case "ARG":
			k, _, _ := strings.Cut(in.args, "=")
			declared[k] = true
		case "FROM":
			os.Expand(in.args, func(k string) string {
				if declared[k] {
					fromArgs[k] = true
				}
				return ""
			})
		}
	}

	body, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	given := map[string]bool{}
	for _, m := range regexp.MustCompile(`--build-arg ([A-Z_]+)=`).FindAllStringSubmatch(string(body), -1) {
		given[m[1]] = true
		if !fromArgs[m[1]] {
			t.Errorf("base-images.sh sets %s, which no FROM line of the Dockerfile uses", m[1])
		}
	}
	for k := range fromArgs {
		if !given[k] {
			t.Errorf("base-images.sh leaves %s at its default: that base image would come from a registry", k)
		}
	}
}
