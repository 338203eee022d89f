#!/usr/bin/env bash
# Re-records the size fixtures in this folder from the machine's real BuildKit (scripts/setup-buildkit):
# docker 26.1 with the containerd image store, buildx 0.13.1, the loopback registry on localhost:5000.
# Usage: bash src/size/testdata/record.sh. Digests, times and random layer contents change on every run;
# review the diff, and the tests that pin values recorded here (layers.test.ts, image.test.ts).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stagecraft-size-record.XXXXXX")
nonce="r$(date +%s%N)"
name="stagecraft-size-record"
trap 'rm -rf "$tmp"; docker image rm -f $(docker image ls -q "$name" 2>/dev/null) >/dev/null 2>&1 || true' EXIT
registry=localhost:5000

blob() { cat "$tmp/$1/blobs/sha256/${2#sha256:}"; }
save() { # save IMAGE DIR: docker save, unpacked
  mkdir -p "$tmp/$2"
  docker image save --output "$tmp/$2.tar" "$1"
  tar -xf "$tmp/$2.tar" -C "$tmp/$2"
}
jq_() { node -e "const j=JSON.parse(require('fs').readFileSync(0,'utf8')); console.log($1)"; }

# --- two stages: loaded, saved, pushed ----------------------------------------------------------------------------
docker buildx build --build-arg "NONCE=$nonce" --load -t "$name:two-stages" \
  --metadata-file "$tmp/meta.json" "$here/two-stages" >/dev/null 2>&1
docker image inspect "$name:two-stages" >"$here/image-inspect-containerd-26.1.json"
docker history --no-trunc --human=false --format '{{json .}}' "$name:two-stages" \
  >"$here/history-snapshot-usage-containerd-26.1.jsonl"
save "$name:two-stages" two
cp "$tmp/two/index.json" "$here/save-index-two-stages-containerd-26.1.json"
index=$(jq_ 'j.manifests[0].digest' <"$tmp/two/index.json")
blob two "$index" >"$here/index-two-stages-provenance-buildkit-0.13.json"
manifest=$(blob two "$index" | jq_ 'j.manifests.find(m => m.platform.os === "linux").digest')
blob two "$manifest" >"$here/manifest-two-stages-buildkit-0.13.json"
config=$(blob two "$manifest" | jq_ 'j.config.digest')
blob two "$config" >"$here/config-two-stages-buildkit-0.13.json"
# Per layer: the manifest's size, the gzip trailer (ISIZE) and the length of the decompressed stream.
{
  echo '['
  first=1
  for digest in $(blob two "$manifest" | jq_ 'j.layers.map(l => l.digest).join(" ")'); do
    file="$tmp/two/blobs/sha256/${digest#sha256:}"
    [ $first = 1 ] || echo ','
    first=0
    printf '  {"digest": "%s", "size": %s, "gzipTrailer": %s, "decompressed": %s}' "$digest" \
      "$(stat -c %s "$file")" "$(tail -c 4 "$file" | od -An -tu4 | tr -d ' ')" "$(gzip -dc "$file" | wc -c)"
  done
  printf '\n]\n'
} >"$here/layer-sizes-two-stages-containerd-26.1.json"

docker tag "$name:two-stages" "$registry/$name:two-stages-$nonce"
docker push -q "$registry/$name:two-stages-$nonce" >/dev/null
docker buildx imagetools inspect --raw "$registry/$name:two-stages-$nonce" \
  >"$here/imagetools-raw-index-buildx-0.13.1.json"
docker buildx imagetools inspect --raw "$registry/$name@$manifest" >"$here/imagetools-raw-manifest-buildx-0.13.1.json"
docker buildx imagetools inspect --format '{{json .Image}}' "$registry/$name@$manifest" \
  >"$here/imagetools-image-buildx-0.13.1.json"

# --- every instruction kind; ONBUILD of our own stage (config only) -----------------------------------------------
for case in every-instruction onbuild; do
  docker buildx build --provenance=false --load -t "$name:$case" "$here/$case" >/dev/null 2>&1
  save "$name:$case" "$case"
  top=$(jq_ 'j.manifests[0].digest' <"$tmp/$case/index.json")
  blob "$case" "$top" >"$here/manifest-$case-buildkit-0.13.json"
  blob "$case" "$(blob "$case" "$top" | jq_ 'j.config.digest')" >"$here/config-$case-buildkit-0.13.json"
done

# --- two platforms, COPY only: the whole docker save tar (small), and imagetools' per-platform .Image map --------
docker buildx build --platform linux/amd64,linux/arm64 --load -t "$name:two-platforms" \
  "$here/two-platforms" >/dev/null 2>&1
docker image save --output "$here/save-two-platforms-containerd-26.1.tar" "$name:two-platforms"
docker tag "$name:two-platforms" "$registry/$name:two-platforms-$nonce"
docker push -q "$registry/$name:two-platforms-$nonce" >/dev/null
docker buildx imagetools inspect --format '{{json .Image}}' "$registry/$name:two-platforms-$nonce" \
  >"$here/imagetools-image-two-platforms-buildx-0.13.1.json"

docker info --format '{{json .DriverStatus}}' >"$here/docker-info-driver-status-containerd-26.1.json"
echo "recorded into $here"
