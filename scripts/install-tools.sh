#!/usr/bin/env bash
# Build the pinned OPA, Regal and OCI registry binaries from source into .tools/bin (idempotent).
# A binary that already reports the pinned version is left alone, so a second run takes seconds.
set -euo pipefail

OPA_VERSION="${OPA_VERSION:-v1.22.3}"
REGAL_VERSION="v0.42.0" # must match tools/regal/go.mod
# The CNCF distribution registry: tests/test_registry.py runs it on loopback, pushes bundles to
# it (pycognito-opa bundle push) and has OPA sidecars pull them (services type: oci).
REGISTRY_VERSION="${REGISTRY_VERSION:-v3.1.2}"
ORAS_VERSION="${ORAS_VERSION:-v1.3.6}"

root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.tools/bin"
mkdir -p "$bin"

if ! command -v go >/dev/null 2>&1; then
  echo "install-tools: Go is required to build OPA, Regal and the registry from source (https://go.dev/doc/install)" >&2
  exit 1
fi

# A stamp beside each binary records the version it was built from (Regal built this way
# reports its version as "unknown").
has_version() {
  [ -x "$bin/$1" ] && [ "$(cat "$bin/.$1.version" 2>/dev/null)" = "$2" ]
}

if has_version opa "$OPA_VERSION"; then
  echo "install-tools: opa $OPA_VERSION already present"
else
  echo "install-tools: building opa $OPA_VERSION from source (the first build takes a few minutes)"
  GOBIN="$bin" go install "github.com/open-policy-agent/opa@$OPA_VERSION"
  echo "$OPA_VERSION" >"$bin/.opa.version"
fi

# Regal is pinned by tools/regal/go.mod and go.sum, so its dependencies are verified too.
if has_version regal "$REGAL_VERSION"; then
  echo "install-tools: regal $REGAL_VERSION already present"
else
  echo "install-tools: building regal $REGAL_VERSION from source (the first build takes a few minutes)"
  (cd "$root/tools/regal" && GOBIN="$bin" go install github.com/open-policy-agent/regal)
  echo "$REGAL_VERSION" >"$bin/.regal.version"
fi

# Installed as .tools/bin/registry (a stamp records the version, as for Regal; the binary says
# v3.1.2+unknown). The first build downloads the registry's dependencies (storage drivers for
# S3, Azure and GCS included) and takes several minutes; later runs only check the stamp.
if has_version registry "$REGISTRY_VERSION"; then
  echo "install-tools: registry $REGISTRY_VERSION already present"
else
  echo "install-tools: building the distribution registry $REGISTRY_VERSION from source (the first build takes several minutes)"
  GOBIN="$bin" go install "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_VERSION"
  echo "$REGISTRY_VERSION" >"$bin/.registry.version"
fi

# oras, the OCI artefact client OPA's documentation pushes bundles with: the registry tests
# check that `bundle push` writes the same artefact oras does.
if has_version oras "$ORAS_VERSION"; then
  echo "install-tools: oras $ORAS_VERSION already present"
else
  echo "install-tools: building oras $ORAS_VERSION from source"
  GOBIN="$bin" go install "oras.land/oras/cmd/oras@$ORAS_VERSION"
  echo "$ORAS_VERSION" >"$bin/.oras.version"
fi
