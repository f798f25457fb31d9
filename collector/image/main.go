// Command ociimage writes the OCI image of the agentotel-collector distribution, without Docker:
// one layer on an empty (scratch) base holding the static binary, the CA certificates and the
// collector configs, and an image config that runs the binary as a non-root user.
//
//	ociimage -binary BIN -ca-certs FILE -configs DIR -version V -out DIR [-tar FILE -tag REF]
//
// The layout is reproducible: fixed file times and the creation time from -created (the build's
// SOURCE_DATE_EPOCH), so the same inputs give the same digest.
package main

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Where things go in the image (the opentelemetry-collector chart runs /<command.name>).
const (
	binaryPath = "agentotel-collector"
	caPath     = "etc/ssl/certs/ca-certificates.crt"
	configDir  = "etc/agentotel-collector"
	user       = "10001:10001"
)

type entry struct {
	name string
	mode int64
	data []byte
	dir  bool
}

func main() {
	binary := flag.String("binary", "", "the static agentotel-collector binary")
	caCerts := flag.String("ca-certs", "/etc/ssl/certs/ca-certificates.crt", "CA bundle (PEM)")
	configs := flag.String("configs", "", "folder with config.yaml and overlays/*.yaml")
	version := flag.String("version", "", "the distribution's version (image label and tag)")
	created := flag.Int64("created", 0, "creation time, seconds since the epoch")
	out := flag.String("out", "", "OCI image layout folder to write")
	tarOut := flag.String("tar", "", "also write a `docker load` tarball here")
	tag := flag.String("tag", "", "the reference the tarball is tagged with")
	flag.Parse()
	if *binary == "" || *configs == "" || *version == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}

	entries := []entry{
		{name: "etc", dir: true, mode: 0o755},
		{name: "etc/ssl", dir: true, mode: 0o755},
		{name: "etc/ssl/certs", dir: true, mode: 0o755},
		{name: configDir, dir: true, mode: 0o755},
		{name: configDir + "/overlays", dir: true, mode: 0o755},
		// The persistent queue's default folder, writable by the collector's user.
		{name: "var", dir: true, mode: 0o755},
		{name: "var/lib", dir: true, mode: 0o755},
		{name: "var/lib/otelcol", dir: true, mode: 0o755},
		{name: "var/lib/otelcol/storage", dir: true, mode: 0o700},
		{name: "tmp", dir: true, mode: 0o1777},
	}
	entries = append(entries, fileEntry(*binary, binaryPath, 0o755), fileEntry(*caCerts, caPath, 0o644))
	matches, err := filepath.Glob(filepath.Join(*configs, "config.yaml"))
	must(err)
	overlays, err := filepath.Glob(filepath.Join(*configs, "overlays", "*.yaml"))
	must(err)
	for _, path := range append(matches, overlays...) {
		rel, err := filepath.Rel(*configs, path)
		must(err)
		entries = append(entries, fileEntry(path, configDir+"/"+filepath.ToSlash(rel), 0o644))
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].name < entries[j].name })

	layerTar := buildTar(entries, time.Unix(*created, 0).UTC())
	layer, err := tarball.LayerFromReader(bytes.NewReader(layerTar), tarball.WithMediaType(types.OCILayer))
	must(err)

	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:     layer,
		History:   v1.History{Created: v1.Time{Time: time.Unix(*created, 0).UTC()}, CreatedBy: "collector/image.sh", Comment: "agentotel-collector " + *version},
		MediaType: types.OCILayer,
	})
	must(err)
	cfg, err := img.ConfigFile()
	must(err)
	cfg = cfg.DeepCopy()
	cfg.Architecture = "amd64"
	cfg.OS = "linux"
	cfg.Created = v1.Time{Time: time.Unix(*created, 0).UTC()}
	cfg.Config.Entrypoint = []string{"/" + binaryPath}
	cfg.Config.Cmd = []string{"--config", "/" + configDir + "/config.yaml", "--config", "/" + configDir + "/overlays/production.yaml"}
	cfg.Config.User = user
	cfg.Config.WorkingDir = "/"
	cfg.Config.Env = []string{"PATH=/", "SSL_CERT_FILE=/" + caPath}
	cfg.Config.ExposedPorts = map[string]struct{}{"4317/tcp": {}, "4318/tcp": {}, "8888/tcp": {}, "8889/tcp": {}, "13133/tcp": {}}
	cfg.Config.Labels = map[string]string{
		"org.opencontainers.image.title":       "agentotel-collector",
		"org.opencontainers.image.description": "agentotel OpenTelemetry Collector distribution",
		"org.opencontainers.image.version":     *version,
		"org.opencontainers.image.licenses":    "Apache-2.0",
	}
	img, err = mutate.ConfigFile(img, cfg)
	must(err)

	must(os.RemoveAll(*out))
	path, err := layout.Write(*out, empty.Index)
	must(err)
	must(path.AppendImage(img, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": *version,
	})))
	if *tarOut != "" {
		ref, err := name.NewTag(*tag)
		must(err)
		must(tarball.WriteToFile(*tarOut, ref, img))
	}
	digest, err := img.Digest()
	must(err)
	fmt.Println(digest.String())
}

func fileEntry(src, dst string, mode int64) entry {
	data, err := os.ReadFile(src)
	must(err)
	return entry{name: dst, mode: mode, data: data}
}

// buildTar writes entries as a tar stream owned by root, with one fixed modification time.
func buildTar(entries []entry, mtime time.Time) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Mode: e.mode, ModTime: mtime, Format: tar.FormatPAX, Uname: "root", Gname: "root"}
		if e.dir {
			hdr.Typeflag = tar.TypeDir
			hdr.Name = strings.TrimSuffix(e.name, "/") + "/"
			if e.name == "var/lib/otelcol/storage" {
				hdr.Uid, hdr.Gid = 10001, 10001
				hdr.Uname, hdr.Gname = "", ""
			}
		} else {
			hdr.Typeflag = tar.TypeReg
			hdr.Size = int64(len(e.data))
		}
		must(tw.WriteHeader(hdr))
		if !e.dir {
			_, err := tw.Write(e.data)
			must(err)
		}
	}
	must(tw.Close())
	return buf.Bytes()
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

