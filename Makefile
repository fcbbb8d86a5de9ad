# antispam front door. `make test` and `make demo` work as the first command on a fresh Debian 12
# machine: they install what is missing (scripts/deps.sh), configure, build, then run.
PRESET ?= default
BUILD_DIR ?= build
JOBS ?= 2

.PHONY: all deps configure build test demo bench format clean

all: build

deps:
	@bash scripts/deps.sh

configure: deps
	@cmake --preset $(PRESET)

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)

test: build
	@ctest --preset $(PRESET) -j $(JOBS)

demo: build
	@$(BUILD_DIR)/antispam demo

bench: build
	@$(BUILD_DIR)/bench/detection_write_bench

format:
	@find src bench -name '*.h' -o -name '*.cpp' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR)
