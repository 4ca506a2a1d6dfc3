# The two commands of README.md: `make demo` and `make test`.
# Both install what is missing (scripts/install-deps.sh), configure, build and run.

BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_WINDOWS ?= build-windows
JOBS       ?= $(shell nproc)
CMAKE_GEN  := -G Ninja

.PHONY: all deps build build-asan windows test test-asan demo package bench bench-collector fuzz format clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD_ASAN)/build.ninja: | deps
	cmake -S . -B $(BUILD_ASAN) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug \
	  -DMAMORI_SANITIZE=ON -DMAMORI_BUILD_BENCH=OFF

build-asan: deps $(BUILD_ASAN)/build.ninja
	cmake --build $(BUILD_ASAN) -j $(JOBS)

# The Windows cross build (mingw-w64): the core and the Windows backend, tested under wine.
$(BUILD_WINDOWS)/build.ninja: | deps
	cmake -S . -B $(BUILD_WINDOWS) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-mingw64.cmake

windows: deps $(BUILD_WINDOWS)/build.ninja
	cmake --build $(BUILD_WINDOWS) -j $(JOBS)

# The unit tests once more under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: build-asan
	cd $(BUILD_ASAN) && ctest --output-on-failure -L unit -j $(JOBS)

# Sanitizer run first, so the closing lines are the full suite's ctest summary.
test: test-asan build windows
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)

# The Debian packages: $(BUILD)/packages/mamori-{agent,collector}_<version>_amd64.deb.
package: build
	cd $(BUILD) && cpack -G DEB

# Benchmarks print ratios against a baseline run in the same process or script.
bench: build
	$(BUILD)/bench/mamori_bench_check
	$(BUILD)/bench/mamori_bench_usb
	$(BUILD)/bench/mamori_bench_report_decode tests/fixtures/hosts/debian12
	bash bench/collector_bench.sh $(BUILD)

# The collector alone: reports/s and RADIUS latency on SQLite and PostgreSQL (several minutes).
bench-collector: build
	bash bench/collector_bench.sh $(BUILD)

# libFuzzer targets with clang, FUZZ_SECONDS each (default 600).
fuzz:
	@bash scripts/fuzz.sh

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_WINDOWS)
