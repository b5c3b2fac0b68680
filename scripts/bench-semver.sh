#!/usr/bin/env bash
# Measures the semver gate (`cargo train verify --semver`): cold (no rustdoc
# output, no cached result), warm (rustdoc output kept, results dropped) and
# cached (a re-run), on the sample workspace and on a real one.
#
# usage: scripts/bench-semver.sh [WASMTIME_GIT_DIR]
#   WASMTIME_GIT_DIR: a clone of bytecodealliance/wasmtime with its tags
#     (read only; the bench origin borrows its objects). Without it only the
#     sample is measured.
#   CARGO_TRAIN: the binary (default: target/debug/cargo-train)
#   CARGO_TRAIN_SEMVER_CHECKS: the checker (default: the one
#     scripts/install-semver-checks.sh builds)
#   WASMTIME_BASE, WASMTIME_TIP, WASMTIME_CRATES: the release tag, the
#     branch tip and the public crates gated (default: v47.0.3, the security
#     backport a32843fed4 before 47.0.4, and wasmtime-wasi, which it changed)
#   WASMTIME_CONFIG: more train.toml lines for wasmtime (e.g.
#     '[semver]' and 'features = "default"')
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${CARGO_TRAIN:-target/debug/cargo-train}")
export CARGO_TRAIN_SEMVER_CHECKS="${CARGO_TRAIN_SEMVER_CHECKS:-$(./scripts/install-semver-checks.sh)}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "checker: $("$CARGO_TRAIN_SEMVER_CHECKS" semver-checks --version); $(nproc) cores"

# Runs the gate in checkout $1 for branch $2 (extra arguments go before
# `verify`), prints its time and the gate's status lines.
gate() {
  local ws=$1 branch=$2 what=$3
  shift 3
  local s e rc
  s=$(date +%s%N)
  set +e
  (cd "$ws" && "$BIN" train "$@" verify --semver --branch "$branch") >"$TMP/log" 2>&1
  rc=$?
  set -e
  e=$(( ($(date +%s%N) - s) / 1000000 ))
  printf '%-28s %8d ms  exit %d\n' "$what" "$e" "$rc"
  grep -E '^ *(Semver|Skipped|Verified)|breaks|^error' "$TMP/log" | sed 's/^/      /' || true
  [ "$rc" = 0 ] || tail -n 30 "$TMP/log" | sed 's/^/    | /'
  du -sh "$(git -C "$ws" rev-parse --path-format=absolute --git-common-dir)/cargo-train/semver-target" |
    sed 's/^/      rustdoc output: /'
}

# Prints a commit with the tree of $2 less the blobs $1 lacks, on parent $3.
without_missing_blobs() {
  local repo=$1 rev=$2 parent=$3 idx=$TMP/index missing
  rm -f "$idx"
  # The index commands want a work tree; they never touch it here.
  export GIT_WORK_TREE=$TMP/no-work-tree
  mkdir -p "$GIT_WORK_TREE"
  GIT_INDEX_FILE=$idx git -C "$repo" read-tree "$rev"
  missing=$(git -C "$repo" ls-tree -r "$rev" | awk '$2 == "blob" {print $3}' |
    git -C "$repo" cat-file --batch-check='%(objectname) %(objecttype)' | awk '$2 == "missing" {print $1}')
  if [ -n "$missing" ]; then
    git -C "$repo" ls-tree -r "$rev" | grep -F -f <(echo "$missing") | cut -f2 |
      GIT_INDEX_FILE=$idx xargs -d '\n' git -C "$repo" update-index --force-remove --
  fi
  local tree
  tree=$(GIT_INDEX_FILE=$idx git -C "$repo" write-tree)
  git -C "$repo" -c user.name=bench -c user.email=bench@example.invalid \
    commit-tree "$tree" ${parent:+-p "$parent"} -m "$rev without the blobs the mirror lacks"
  unset GIT_WORK_TREE
}

# Cold: rustdoc output and results gone; warm: results gone; then cached.
three() {
  local ws=$1 branch=$2 home
  shift 2
  home=$(git -C "$ws" rev-parse --path-format=absolute --git-common-dir)/cargo-train
  rm -rf "$home/semver-target" "$home/semver-cache"
  gate "$ws" "$branch" cold "$@"
  rm -rf "$home/semver-cache"
  gate "$ws" "$branch" "warm (rustdoc kept)" "$@"
  gate "$ws" "$branch" cached "$@"
}

echo "== sample workspace (cargo train demo): all 6 public crates changed on release-1.0.0"
"$BIN" train demo --dir "$TMP/demo" >/dev/null 2>&1
WS=$TMP/demo/rail
git -C "$WS" checkout --quiet -B release-1.0.0 origin/release-1.0.0
for d in rail wasi http cli codegen macros; do
  printf '\npub fn added_since_the_release() {}\n' >>"$WS/crates/$d/src/lib.rs"
done
git -C "$WS" commit --quiet -am "Add a function to every public crate"
git -C "$WS" push --quiet origin release-1.0.0
three "$WS" release-1.0.0

if [ $# -ge 1 ]; then
  SRC=$(realpath "$1")
  BASE=${WASMTIME_BASE:-v47.0.3}
  TIP=${WASMTIME_TIP:-a32843fed4}
  CRATES=${WASMTIME_CRATES:-wasmtime-wasi}
  BRANCH=release-${BASE#v}
  echo "== wasmtime: $BASE .. $TIP as $BRANCH, gating: $CRATES"
  # An origin holding just the branch and the tag (objects borrowed). The
  # stored mirror lacks a few large blobs (test fixtures); both commits are
  # remade without them, the tip's with the tag's as parent, so the gate
  # sees the same sources but can write every file out.
  O=$TMP/wt-origin.git
  git init --quiet --bare "$O"
  echo "$(git -C "$SRC" rev-parse --path-format=absolute --git-common-dir)/objects" >"$O/objects/info/alternates"
  base=$(without_missing_blobs "$O" "$(git -C "$SRC" rev-parse "$BASE^{commit}")" "")
  tip=$(without_missing_blobs "$O" "$(git -C "$SRC" rev-parse "$TIP^{commit}")" "$base")
  git -C "$O" update-ref "refs/heads/$BRANCH" "$tip"
  git -C "$O" update-ref "refs/tags/$BASE" "$base"
  git clone --quiet --shared --branch "$BRANCH" "$TMP/wt-origin.git" "$TMP/wasmtime"
  list=$(echo "$CRATES" | sed 's/[^ ][^ ]*/"&"/g; s/ /, /g')
  # Two examples cargo would publish, which `verify` rejects.
  printf 'public = [%s]\nexclude = ["min-platform-host", "embedding"]\n%s\n' "$list" "${WASMTIME_CONFIG:-}" >"$TMP/train.toml"
  three "$TMP/wasmtime" "$BRANCH" --config "$TMP/train.toml"
fi
