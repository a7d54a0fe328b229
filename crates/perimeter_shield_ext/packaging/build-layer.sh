#!/usr/bin/env bash
# Builds the perimeter-shield Lambda layer: extensions/perimeter-shield + perimeter-shield-wrapper, zipped.
#
#   crates/perimeter_shield_ext/packaging/build-layer.sh [x86_64|arm64|all]   (default: all)
#
# Output: target/lambda-layer/perimeter-shield-<arch>.zip (under CARGO_TARGET_DIR if set).
# Per architecture, the first available way wins:
#   1. static musl (<arch>-unknown-linux-musl): needs `rustup target add <triple>` (rust-std) and, for
#      cross-compiling, a C cross toolchain only if a dependency builds C (ring does: gcc for the target, or zig).
#   2. cargo-zigbuild against glibc 2.17 (<arch>-unknown-linux-gnu.2.17): a dynamic binary that runs on Amazon
#      Linux 2 and 2023; needs `pip install cargo-zigbuild ziglang` and the rust-std of <arch>-unknown-linux-gnu.
#   3. otherwise: stop with a message saying what is missing. Nothing is downloaded by this script.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
out="$target_dir/lambda-layer"
want="${1:-all}"

installed_targets="$(rustup target list --installed 2>/dev/null || true)"
has_target() { grep -qx "$1" <<<"$installed_targets"; }

die() { echo "build-layer: $*" >&2; exit 1; }

build_one() {
  local arch="$1" triple_arch
  case "$arch" in
    x86_64) triple_arch=x86_64 ;;
    arm64) triple_arch=aarch64 ;;
    *) die "unknown architecture '$arch' (x86_64 or arm64)" ;;
  esac
  local musl="$triple_arch-unknown-linux-musl" gnu="$triple_arch-unknown-linux-gnu" bin="" how=""
  if has_target "$musl"; then
    how="static musl ($musl)"
    if [ "$triple_arch" != "$(uname -m)" ]; then
      if command -v cargo-zigbuild >/dev/null; then
        cargo zigbuild --release -p perimeter_shield_ext --bin perimeter-shield --target "$musl"
      else
        local linker_var="CARGO_TARGET_$(echo "$musl" | tr 'a-z-' 'A-Z_')_LINKER"
        command -v "$triple_arch-linux-gnu-gcc" >/dev/null || command -v "$triple_arch-linux-musl-gcc" >/dev/null \
          || die "$musl is installed but no C cross compiler/linker for it: apt-get install gcc-$triple_arch-linux-gnu, or pip install cargo-zigbuild ziglang"
        export "$linker_var"="${!linker_var:-$triple_arch-linux-gnu-gcc}"
        export "CC_${musl//-/_}"="${triple_arch}-linux-gnu-gcc"
        cargo build --release -p perimeter_shield_ext --bin perimeter-shield --target "$musl"
      fi
    else
      cargo build --release -p perimeter_shield_ext --bin perimeter-shield --target "$musl"
    fi
    bin="$target_dir/$musl/release/perimeter-shield"
  elif has_target "$gnu" && command -v cargo-zigbuild >/dev/null; then
    how="glibc 2.17 via cargo-zigbuild ($gnu.2.17)"
    cargo zigbuild --release -p perimeter_shield_ext --bin perimeter-shield --target "$gnu.2.17"
    bin="$target_dir/$gnu/release/perimeter-shield"
  else
    local msg="cannot build for $arch Lambda here: "
    if ! has_target "$musl" && ! has_target "$gnu"; then
      msg+="neither $musl nor $gnu has its Rust standard library installed (rustup target add $musl)"
    else
      msg+="$musl is not installed (rustup target add $musl) and cargo-zigbuild is missing (pip install cargo-zigbuild ziglang) for a $gnu.2.17 build"
    fi
    die "$msg"
  fi
  local stage="$out/stage-$arch"
  rm -rf "$stage" && mkdir -p "$stage/extensions"
  cp "$bin" "$stage/extensions/perimeter-shield"
  cp "$here/perimeter-shield-wrapper" "$stage/perimeter-shield-wrapper"
  chmod 755 "$stage/extensions/perimeter-shield" "$stage/perimeter-shield-wrapper"
  command -v strip >/dev/null && [ "$triple_arch" = "$(uname -m)" ] && strip "$stage/extensions/perimeter-shield" || true
  local zip="$out/perimeter-shield-$arch.zip"
  rm -f "$zip"
  (cd "$stage" && zip -q -X -r "$zip" extensions perimeter-shield-wrapper)
  echo "build-layer: $arch: $how -> $zip ($(stat -c %s "$stage/extensions/perimeter-shield") bytes binary, $(stat -c %s "$zip") bytes zip)"
}

command -v zip >/dev/null || die "zip is missing (apt-get install zip)"
cd "$root"
mkdir -p "$out"
case "$want" in
  all) status=0
       (build_one x86_64) || status=1
       (build_one arm64) || status=1
       exit $status ;;
  *) build_one "$want" ;;
esac
