"""The OCI image of our distribution (collector/image.sh): layout, config, entrypoint, and a binary
from its layer that runs our configs."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.collector.collector_harness import BASE_CONFIG, COLLECTOR_DIR, MANIFEST, OVERLAYS

IMAGE_SCRIPT = COLLECTOR_DIR / "image.sh"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def blob(layout: Path, digest: str) -> bytes:
    algorithm, value = digest.split(":")
    data = (layout / "blobs" / algorithm / value).read_bytes()
    assert hashlib.sha256(data).hexdigest() == value, f"blob {digest} does not match its digest"
    return data


@pytest.fixture(scope="module")
def layout(collector_bin: Path) -> Path:
    """The OCI image layout collector/image.sh writes (built if missing)."""
    proc = subprocess.run(["bash", str(IMAGE_SCRIPT)], stdout=subprocess.PIPE, text=True, timeout=900)
    assert proc.returncode == 0, "collector/image.sh failed"
    return Path(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def image(layout: Path) -> dict[str, Any]:
    """index, manifest, config and the layer's files of the image."""
    assert json.loads((layout / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads((layout / "index.json").read_text())
    (descriptor,) = index["manifests"]
    assert descriptor["mediaType"] == OCI_MANIFEST
    manifest = json.loads(blob(layout, descriptor["digest"]))
    assert manifest["config"]["mediaType"] == OCI_CONFIG
    config = json.loads(blob(layout, manifest["config"]["digest"]))
    (layer,) = manifest["layers"]
    assert layer["mediaType"] == OCI_LAYER
    compressed = blob(layout, layer["digest"])
    raw = gzip.decompress(compressed)
    files = {}
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        for member in tar.getmembers():
            files[member.name.rstrip("/")] = (member, tar.extractfile(member).read() if member.isfile() else None)
    return {"descriptor": descriptor, "manifest": manifest, "config": config, "raw_layer": raw, "files": files}


def test_layout_names_our_version(image):
    """The layout's one image is tagged with the distribution's version."""
    version = yaml.safe_load(MANIFEST.read_text())["dist"]["version"]
    assert image["descriptor"]["annotations"]["org.opencontainers.image.ref.name"] == version
    assert image["config"]["config"]["Labels"]["org.opencontainers.image.version"] == version


def test_config_runs_the_collector_as_non_root(image):
    """linux/amd64; the entrypoint is the binary the chart's command.name points at; a numeric
    non-root user; the default command runs the production layering shipped in the image."""
    config = image["config"]
    assert (config["os"], config["architecture"]) == ("linux", "amd64")
    run = config["config"]
    assert run["Entrypoint"] == ["/agentotel-collector"]
    user, group = run["User"].split(":")
    assert int(user) != 0 and int(group) != 0
    configs = [arg for arg in run["Cmd"] if arg != "--config"]
    assert configs == ["/etc/agentotel-collector/config.yaml", "/etc/agentotel-collector/overlays/production.yaml"]
    for path in configs:
        assert path.lstrip("/") in image["files"], f"{path} is not in the image"
    assert {"4317/tcp", "4318/tcp", "8889/tcp", "13133/tcp"} <= set(run["ExposedPorts"])


def test_rootfs_is_the_one_layer(image):
    """The config's diff_id is the uncompressed layer: nothing but that layer (no base image) forms the root."""
    assert image["config"]["rootfs"] == {
        "type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(image["raw_layer"]).hexdigest()]}


def test_layer_holds_binary_certificates_and_configs(image, collector_bin):
    """The binary is the one build.sh made, executable; the CA bundle and our configs are there unchanged."""
    files = image["files"]
    member, data = files["agentotel-collector"]
    assert member.mode & 0o111 and data == collector_bin.read_bytes()
    member, data = files["etc/ssl/certs/ca-certificates.crt"]
    assert b"BEGIN CERTIFICATE" in data
    assert files["etc/agentotel-collector/config.yaml"][1] == BASE_CONFIG.read_bytes()
    for overlay in OVERLAYS.glob("*.yaml"):
        assert files[f"etc/agentotel-collector/overlays/{overlay.name}"][1] == overlay.read_bytes()
    storage, _ = files["var/lib/otelcol/storage"]
    assert storage.isdir() and storage.uid == 10001, "the queue's default folder is writable by the image user"


def test_binary_from_the_image_validates_our_configs(image, tmp_path):
    """The binary and configs taken out of the layer pass `validate` for every layering we ship."""
    root = tmp_path / "rootfs"
    for name, (member, data) in image["files"].items():
        if data is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(member.mode & 0o777)
    binary = root / "agentotel-collector"
    etc = root / "etc" / "agentotel-collector"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTELCOL_")}
    env["OTELCOL_STORAGE_DIR"] = str(tmp_path / "storage")
    for overlays in (["production.yaml"], ["local.yaml"], ["jaeger.yaml"], ["production.yaml", "gateway.yaml"]):
        args = [str(binary), "validate", "--config", str(etc / "config.yaml")]
        for overlay in overlays:
            args += ["--config", str(etc / "overlays" / overlay)]
        proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, f"{overlays}: {proc.stderr}"
    components = subprocess.run([str(binary), "components"], capture_output=True, text=True, timeout=60).stdout
    assert "k8s_attributes" in components and "load_balancing" in components


def test_docker_tarball_is_tagged_with_the_documented_name(layout):
    """Beside the layout, a `docker load` tarball carries the same image under the name deploy/ uses."""
    version = yaml.safe_load(MANIFEST.read_text())["dist"]["version"]
    with tarfile.open(layout.parent / "agentotel-collector.tar") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest[0]["RepoTags"] == [f"ghcr.io/agentotel/agentotel-collector:{version}"]
