#!/usr/bin/env bash
# Re-records the fixtures of resolve.test.ts: `docker buildx imagetools inspect --raw` as buildx 0.13.1 prints it
# for an index (one platform plus its provenance attestation), an index of three platforms, a single Docker v2
# manifest (pushed without provenance), and the errors it gives for a missing tag, a registry that refuses the
# connection, a local-only image (Docker Hub cannot be reached here) and an invalid reference.
# Usage: bash src/buildx/testdata/record-resolve.sh (needs the loopback registry on localhost:5000; see
# scripts/setup-buildkit). Digests change on every run, and resolve.test.ts pins the recorded ones (the sha256 of
# each raw file, and the index entries): update them there after re-recording, and review the diff.
# The hand-written variants (*-hand-written-*) are not touched.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stagecraft-record-resolve.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
registry=localhost:5000
name="$registry/stagecraft-resolve-record"
nonce="r$(date +%s%N)"

printf 'FROM scratch\nCOPY a.txt /a.txt\n' >"$tmp/Dockerfile"
echo "$nonce" >"$tmp/a.txt"

docker buildx build --quiet -t "$name:index-$nonce" --push "$tmp" >/dev/null
docker buildx imagetools inspect --raw "$name:index-$nonce" \
  >"$here/imagetools-raw-index-one-platform-provenance-buildx-0.13.1.json"

docker buildx build --quiet --platform linux/amd64,linux/arm64,linux/arm/v7 -t "$name:multi-$nonce" --push "$tmp" >/dev/null
docker buildx imagetools inspect --raw "$name:multi-$nonce" \
  >"$here/imagetools-raw-index-three-platforms-provenance-buildx-0.13.1.json"

docker buildx build --quiet --provenance=false -t "$name:single-$nonce" --push "$tmp" >/dev/null
docker buildx imagetools inspect --raw "$name:single-$nonce" \
  >"$here/imagetools-raw-manifest-docker-v2-no-provenance-buildx-0.13.1.json"

# Errors: stderr only; each command fails with exit code 1.
fails() { # fails FILE REF
  if docker buildx imagetools inspect --raw "$2" >/dev/null 2>"$here/$1"; then
    echo "expected $2 to fail" >&2
    exit 1
  fi
}
fails imagetools-error-tag-not-found-buildx-0.13.1.txt "$name:absent-$nonce"
fails imagetools-error-connection-refused-buildx-0.13.1.txt localhost:5999/stagecraft-nothing:1
fails imagetools-error-local-only-image-no-such-host-buildx-0.13.1.txt stagecraft-test/busybox:1
fails imagetools-error-invalid-reference-buildx-0.13.1.txt 'stagecraft-test/Busybox:1'
