#!/usr/bin/env bash
# What tests/integration/deploy/test_kubernetes.py needs, installed into deploy/k8s/.cache/
# (git-ignored), both from the Go module proxy through the `go` command:
#   - kustomize (sigs.k8s.io/kustomize/kustomize/v5 at a pinned version, built with `go install`;
#     the go command checks every module it downloads against the Go checksum database);
#   - KEDA's ScaledObject CRD and its Kafka scaler's source, taken from the module zip of
#     github.com/kedacore/keda/v2 at a pinned version, whose sha256 is checked here.
#
#   deploy/k8s/tools.sh install   # idempotent: returns at once when the pinned versions are there
#
# Nothing is fetched at test time; without these files the tests skip, saying what is missing.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="$HERE/.cache"

KUSTOMIZE_MODULE=sigs.k8s.io/kustomize/kustomize/v5
KUSTOMIZE_VERSION=v5.7.1
KEDA_MODULE=github.com/kedacore/keda/v2
KEDA_VERSION=v2.18.3
KEDA_ZIP_SHA256=b3c0e7f536dea4d06689155be2e81cdbafb7cb8c8bfa03f2a67308967b757bcf
# The files the tests read, from inside the KEDA module.
KEDA_FILES=(config/crd/bases/keda.sh_scaledobjects.yaml pkg/scalers/kafka_scaler.go)

log() { printf 'k8s tools.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

install_kustomize() {
    local bin="$CACHE/bin/kustomize" marker="$CACHE/bin/kustomize.version"
    if [[ -x "$bin" && -f "$marker" && "$(cat "$marker")" == "$KUSTOMIZE_VERSION" ]]; then
        return 0
    fi
    log "building kustomize $KUSTOMIZE_VERSION with go install into $CACHE/bin"
    mkdir -p "$CACHE/bin"
    # Outside any module, so the pinned version alone decides what is built.
    (cd "$CACHE" && GOBIN="$CACHE/bin" GOFLAGS=-mod=mod go install "$KUSTOMIZE_MODULE@$KUSTOMIZE_VERSION")
    printf '%s\n' "$KUSTOMIZE_VERSION" >"$marker"
}

install_keda() {
    local dest="$CACHE/keda-$KEDA_VERSION" marker="$CACHE/keda-$KEDA_VERSION/zip.sha256"
    if [[ -f "$marker" && "$(cat "$marker")" == "$KEDA_ZIP_SHA256" ]]; then
        return 0
    fi
    log "fetching $KEDA_MODULE@$KEDA_VERSION (module zip) for its CRD and Kafka scaler"
    local json zip
    json="$(cd "$CACHE" && GOFLAGS=-mod=mod go mod download -json "$KEDA_MODULE@$KEDA_VERSION")"
    zip="$(python3 -c 'import json, sys; print(json.load(sys.stdin)["Zip"])' <<<"$json")"
    echo "$KEDA_ZIP_SHA256  $zip" | sha256sum --check --quiet \
        || die "$zip: sha256 is not the pinned $KEDA_ZIP_SHA256"
    rm -rf "$dest"
    mkdir -p "$dest"
    python3 - "$zip" "$dest" "$KEDA_MODULE@$KEDA_VERSION" "${KEDA_FILES[@]}" <<'PY'
import sys, zipfile
from pathlib import Path

archive, dest, prefix, *names = sys.argv[1:]
with zipfile.ZipFile(archive) as z:
    for name in names:
        target = Path(dest) / Path(name).name
        target.write_bytes(z.read(f"{prefix}/{name}"))
PY
    printf '%s\n' "$KEDA_ZIP_SHA256" >"$marker"
}

cmd_install() {
    # The machine's Go lives in /usr/local/go; a non-login shell may not have it on PATH.
    if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
        PATH="/usr/local/go/bin:$PATH"
    fi
    command -v go >/dev/null || die "go is not installed (the Go toolchain builds kustomize)"
    mkdir -p "$CACHE"
    install_kustomize
    install_keda
}

usage() { echo "usage: $0 install   (kustomize $KUSTOMIZE_VERSION, KEDA $KEDA_VERSION CRD into $CACHE)"; }

case "${1:-}" in
    install) cmd_install ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
esac
