#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for FUZZ_SECONDS
# (default 600), starting from the corpus in tests/fuzz/corpus/. New inputs stay in the build
# folder; copy the interesting ones into the corpus so every `make test` replays them.
set -euo pipefail

seconds=${FUZZ_SECONDS:-600}
out=${1:-build-fuzz}
root=$(cd "$(dirname "$0")/.." && pwd)

if ! command -v clang++ >/dev/null || ! dpkg-query -W libclang-rt-14-dev >/dev/null 2>&1; then
  [[ $(id -u) -eq 0 ]] || { echo "fuzz: needs clang and libclang-rt-14-dev" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
fi

mkdir -p "$out"
sources=(
  "$root/platform/decode/pam_config.cpp" "$root/policy/src/pam.cpp"
  "$root/policy/src/pam_analysis.cpp" "$root/policy/src/factor.cpp"
)
clang++ -std=c++2b -O1 -g -fsanitize=fuzzer,address,undefined \
  -I"$root/platform/include" -I"$root/policy/include" \
  "$root/tests/fuzz/pam_config_fuzz.cpp" "${sources[@]}" -o "$out/pam_config_fuzz"

mkdir -p "$out/corpus/pam_config"
cp -n "$root"/tests/fuzz/corpus/pam_config/* "$out/corpus/pam_config/" 2>/dev/null || true
cd "$out"
./pam_config_fuzz -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 corpus/pam_config
