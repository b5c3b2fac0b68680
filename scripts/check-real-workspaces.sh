#!/bin/bash
# Checks `cargo train bump patch` then `bump rc` on real workspaces, on the
# defaults (any train.toml is removed): after each bump, Cargo.lock must be
# byte for byte what `cargo update --workspace` writes after the same manifest
# change in a pristine copy; then `verify` and `order` run. Prints one line per
# step with its time.
#
# usage: scripts/check-real-workspaces.sh DIR...
#   DIR: a checkout of a workspace (never modified; copies go to a temp dir).
#   CARGO_TRAIN: the binary to check (default: target/debug/cargo-train).
# A checkout without Cargo.lock gets one from `cargo generate-lockfile`, one
# with a lock is first brought to `cargo update --workspace`'s fixpoint, so
# that both sides start from a lock cargo considers current (network needed).
set -u
BIN=$(realpath "${CARGO_TRAIN:-target/debug/cargo-train}")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
copy() { mkdir -p "$2" && tar -C "$1" --exclude=./.git --exclude=./target -cf - . | tar -C "$2" -xf -; }
for src in "$@"; do
  d=$(basename "$(realpath "$src")")
  W=$TMP/$d/work R=$TMP/$d/ref
  copy "$src" "$R"
  rm -f "$R/train.toml"
  if [ -f "$R/Cargo.lock" ]; then (cd "$R" && cargo update -w -q); else (cd "$R" && cargo generate-lockfile -q); fi \
    || { echo "$d: cargo cannot lock the pristine workspace; skipped"; continue; }
  copy "$R" "$W"
  for level in patch rc; do
    s=$(date +%s%N); (cd "$W" && "$BIN" train bump $level) >"$TMP/$d/bump.log" 2>&1; rc=$?; t=$(ms $s)
    moved=$(grep -c Bumping "$TMP/$d/bump.log")
    relock=$(grep -o 'Relocking.*' "$TMP/$d/bump.log")
    (cd "$W" && find . -name Cargo.toml -not -path './target/*') | while read -r f; do cp "$W/$f" "$R/$f"; done
    s=$(date +%s%N); (cd "$R" && cargo update -w -q) >"$TMP/$d/update.log" 2>&1; urc=$?; ut=$(ms $s)
    cmp -s "$W/Cargo.lock" "$R/Cargo.lock" && same=identical || same=DIFFERENT
    echo "$d bump $level: exit $rc, ${t} ms, $moved crates moved; cargo update -w exit $urc, ${ut} ms; Cargo.lock $same${relock:+ [$relock]}"
    [ $rc = 0 ] || sed 's/^/    /' "$TMP/$d/bump.log" | tail -n 5
  done
  for cmd in verify order; do
    s=$(date +%s%N); (cd "$W" && "$BIN" train $cmd) >"$TMP/$d/$cmd.log" 2>&1; rc=$?
    if [ $cmd = order ] && [ $rc = 0 ]; then what="$(wc -l <"$TMP/$d/$cmd.log") crates in order"
    else what=$(grep -v '^  help' "$TMP/$d/$cmd.log" | tail -n 1 | sed 's/^ *//'); fi
    echo "$d $cmd: exit $rc, $(ms $s) ms; $what"
  done
done
