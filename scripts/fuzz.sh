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
build() {  # name, sources...
  local name=$1; shift
  clang++ -std=c++2b -O1 -g -fsanitize=fuzzer,address,undefined \
    -I"$root/platform/include" -I"$root/policy/include" \
    "$root/tests/fuzz/${name}_fuzz.cpp" "$@" -o "$out/${name}_fuzz"
}
targets=(pam_config)
build pam_config "$root/platform/decode/pam_config.cpp" "$root/policy/src/pam.cpp" \
  "$root/policy/src/pam_analysis.cpp" "$root/policy/src/factor.cpp"
# Decoders returning std::expected need a clang that compiles libstdc++'s <expected> (clang 14
# lacks conditionally trivial special members). Their corpus is replayed in every build anyway.
if printf '#include <expected>\nstd::expected<int, int> e;\n' |
  clang++ -std=c++2b -x c++ -fsyntax-only - 2>/dev/null; then
  targets+=(uevent)
  build uevent "$root/platform/decode/uevent.cpp"
else
  echo "fuzz: SKIPPED uevent: $(clang++ --version | head -1) cannot compile std::expected;" \
    "only its corpus is replayed (ctest fuzz.uevent.corpus)" >&2
fi

cd "$out"
for name in "${targets[@]}"; do
  mkdir -p "corpus/$name"
  cp -n "$root/tests/fuzz/corpus/$name"/* "corpus/$name/" 2>/dev/null || true
  "./${name}_fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "corpus/$name"
done
