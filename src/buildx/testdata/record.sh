#!/usr/bin/env bash
# Re-records the buildx fixtures in this folder from the machine's real BuildKit (scripts/setup-buildkit).
# Usage: bash src/buildx/testdata/record.sh   (prunes the builder's cache; needs stagecraft-test/busybox:1 and,
# for the push fixture, the loopback registry on localhost:5000). Review the diff before committing: durations,
# digests and temp paths change on every run; the tests assert structure, not those values.
# The hand-written variants (*-hand-written-*) are not touched.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stagecraft-record.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
nonce="record-$(date +%s%N)"
cp -r "$here/three-stages" "$tmp/three-stages"
cp -r "$here/run-error" "$tmp/run-error"
cd "$tmp"

# --- detect -------------------------------------------------------------------------------------------------------
docker buildx version >"$here/buildx-version-0.13.1-debian.txt"
docker --debug buildx inspect --bootstrap >"$here/inspect-docker-driver-containerd-store-buildx-0.13.txt"
docker info -f '{"serverVersion":{{json .ServerVersion}},"driver":{{json .Driver}},"driverStatus":{{json .DriverStatus}}}' \
  >"$here/docker-info-containerd-store-26.1.txt"

# --- docker buildx build: cold, then fully cached --------------------------------------------------------------------
build() {
  docker buildx build --progress=plain --build-arg "NONCE=$nonce" --target runtime \
    --tag stagecraft-record:build --load --metadata-file "$tmp/$1.json" three-stages 2>&1
}
build meta-build-cold >"$here/progress-build-cold-three-stages-buildx-0.13.txt"
cp "$tmp/meta-build-cold.json" "$here/metadata-build-load-buildx-0.13.json"
build meta-build-cached >"$here/progress-build-cached-three-stages-buildx-0.13.txt"

# --- bake: cacheonly exports for deps and build, the runtime loaded, one solve ----------------------------------------
cat >bake.json <<EOF
{
  "target": {
    "deps": {"context": "three-stages", "dockerfile": "Dockerfile", "target": "deps", "args": {"NONCE": "$nonce-bake"},
             "output": ["type=cacheonly"], "cache-to": ["type=local,dest=$tmp/cache-deps,mode=max"]},
    "build": {"context": "three-stages", "dockerfile": "Dockerfile", "target": "build", "args": {"NONCE": "$nonce-bake"},
              "output": ["type=cacheonly"], "cache-to": ["type=local,dest=$tmp/cache-build,mode=max"]},
    "runtime": {"context": "three-stages", "dockerfile": "Dockerfile", "target": "runtime", "args": {"NONCE": "$nonce-bake"},
                "tags": ["stagecraft-record:bake"], "output": ["type=docker"],
                "cache-to": ["type=local,dest=$tmp/cache-runtime,mode=max"]}
  }
}
EOF
docker buildx bake -f bake.json --progress=plain --metadata-file "$tmp/meta-bake.json" deps build runtime \
  >"$here/progress-bake-cold-three-targets-buildx-0.13.txt" 2>&1
cp "$tmp/meta-bake.json" "$here/metadata-bake-three-targets-buildx-0.13.json"

# After a prune, only the exports can make it cached: first all three, then without the runtime's own export.
cached_bake() {
  docker image rm stagecraft-record:bake >/dev/null 2>&1 || true
  docker buildx prune -af >/dev/null
  cat >bake-cached.json <<EOF
{
  "target": {
    "runtime": {"context": "three-stages", "dockerfile": "Dockerfile", "target": "runtime", "args": {"NONCE": "$nonce-bake"},
                "tags": ["stagecraft-record:bake"], "output": ["type=docker"], "cache-from": [$1]}
  }
}
EOF
  docker buildx bake -f bake-cached.json --progress=plain --metadata-file "$tmp/meta-bake-cached.json" runtime 2>&1
}
cached_bake "\"type=local,src=$tmp/cache-deps\", \"type=local,src=$tmp/cache-build\", \"type=local,src=$tmp/cache-runtime\"" \
  >"$here/progress-bake-cached-from-exports-buildx-0.13.txt"
cached_bake "\"type=local,src=$tmp/cache-deps\", \"type=local,src=$tmp/cache-build\"" \
  >"$here/progress-bake-partly-cached-from-exports-buildx-0.13.txt"

# --- failures --------------------------------------------------------------------------------------------------------
cat >bake-error.json <<EOF
{
  "target": {
    "deps": {"context": "run-error", "dockerfile": "Dockerfile", "target": "deps", "output": ["type=cacheonly"],
             "cache-to": ["type=local,dest=$tmp/cache-error-deps,mode=max"]},
    "runtime": {"context": "run-error", "dockerfile": "Dockerfile", "target": "runtime", "output": ["type=docker"],
                "tags": ["stagecraft-record:error"]}
  }
}
EOF
if docker buildx bake -f bake-error.json --progress=plain deps runtime >"$here/progress-bake-run-error-buildx-0.13.txt" 2>&1; then
  echo "the failing bake succeeded?" >&2
  exit 1
fi
if docker buildx build --progress=plain --target runtime run-error >"$here/progress-build-run-error-buildx-0.13.txt" 2>&1; then
  echo "the failing build succeeded?" >&2
  exit 1
fi

# --- two platforms, and a push without provenance (the metadata then has a config digest) ----------------------------
docker buildx build --progress=plain --build-arg "NONCE=$nonce-platforms" --target runtime \
  --platform linux/amd64,linux/amd64/v2 --output type=cacheonly three-stages \
  >"$here/progress-build-two-platforms-buildx-0.13.txt" 2>&1
cat >bake-push.json <<EOF
{
  "target": {
    "runtime": {"context": "three-stages", "dockerfile": "Dockerfile", "target": "runtime", "args": {"NONCE": "$nonce-push"},
                "tags": ["localhost:5000/stagecraft-record:push"], "output": ["type=image,push=true"],
                "attest": ["type=provenance,disabled=true"]}
  }
}
EOF
docker buildx bake -f bake-push.json --progress=plain --metadata-file "$tmp/meta-push.json" runtime >/dev/null 2>&1
cp "$tmp/meta-push.json" "$here/metadata-bake-push-no-provenance-buildx-0.13.json"

docker image rm stagecraft-record:build stagecraft-record:bake localhost:5000/stagecraft-record:push >/dev/null 2>&1 || true
echo "recorded into $here"
