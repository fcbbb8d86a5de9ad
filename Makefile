# antispam front door. `make test` and `make demo` work as the first command on a fresh Debian 12
# machine: they install what is missing (scripts/deps.sh), configure, build, then run.
PRESET ?= default
BUILD_DIR ?= build
JOBS ?= 2

.PHONY: all deps configure build test demo bench bot-bench model stream-bench format clean

all: build

deps:
	@bash scripts/deps.sh

configure: deps
	@cmake --preset $(PRESET)

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)

test: build
	@ctest --preset $(PRESET) -j $(JOBS)

# The embedded database lives in ./var. Run as root, PostgreSQL runs as the postgres user, which
# must be able to enter this folder; when it cannot (a clone under /root), the demo keeps its
# database in /var/tmp/antispam-demo instead.
demo: build
	@data=var; \
	if [ "$$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$(CURDIR)" 2>/dev/null; then \
	  data=/var/tmp/antispam-demo; echo "demo: postgres cannot enter $(CURDIR); database in $$data"; \
	fi; \
	$(BUILD_DIR)/antispam --data-dir "$$data" demo

bench: build
	@$(BUILD_DIR)/bench/detection_write_bench
	@$(BUILD_DIR)/bench/normalize_bench
	@$(BUILD_DIR)/bench/engine_bench
	@$(BUILD_DIR)/bench/gateway_bench
	@$(BUILD_DIR)/bench/rest_bench

# The whole bot under load (issue 5): the runtime against the simulator and a throwaway PostgreSQL,
# at increasing message rates until it saturates (~2 min). Options (bench/bot_load.cpp), e.g.
# make bot-bench BOT_BENCH_ARGS="--spam-fraction 0.01 --rates 250,500,1000 --backlog 0".
bot-bench: configure
	@cmake --build --preset $(PRESET) -j $(JOBS) --target bot_load_bench
	@$(BUILD_DIR)/bench/bot_load_bench $(BOT_BENCH_ARGS)

# Reproduces the default local model from data/spam-corpora: build/models/default.bin.
model: configure
	@cmake --build --preset $(PRESET) -j $(JOBS) --target model

# The 200,000-message stream of ../shared/bench (needs node), with and without the local model.
stream-bench: build
	@node ../shared/bench/gen_stream.js 200000 --jsonl > $(BUILD_DIR)/stream.jsonl
	@$(BUILD_DIR)/bench/stream_driver $(BUILD_DIR)/stream.jsonl --repeat 3
	@$(BUILD_DIR)/bench/stream_driver $(BUILD_DIR)/stream.jsonl --repeat 3 --model $(BUILD_DIR)/models/default.bin

format:
	@find src bench -name '*.h' -o -name '*.cpp' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR)
