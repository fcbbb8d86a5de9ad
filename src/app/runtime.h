// The bot assembled (issue 5): the Discord client (REST, gateway shards), the configuration
// service with its cross-process invalidation, and the moderation workflow, all on one I/O thread
// with a pool of database threads. `antispam run` runs it against Discord, `antispam demo` and the
// tests against the simulator; the wiring is the same.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string_view>

#include "app/discord.h"
#include "bot/config_service.h"
#include "bot/moderator.h"
#include "core/result.h"
#include "detect/llm/llm_client.h"
#include "store/pg/pool.h"

namespace app {

struct RuntimeOptions {
  DiscordConfig discord;
  bot::ConfigServiceOptions config;
  bot::ModeratorOptions moderator;
  int db_threads = 4;
  // The database URL for LISTEN (config changes made by other processes); empty: no listener.
  std::string listen_url;
  std::chrono::seconds connect_timeout{30};  // GET /gateway/bot
  // The LLM for grey-zone verdicts (OpenAI-compatible); none: never asked.
  std::optional<detect::llm::Config> llm;
  // Measurement only (bench/bot_load): the time each gateway message was read whole, with its
  // payload's text, and the time each REST request was written whole. Called on the I/O thread.
  std::function<void(std::string_view text, std::chrono::steady_clock::time_point read)>
      on_gateway_frame;
  std::function<void(std::string_view method, std::string_view target,
                     std::chrono::steady_clock::time_point written)>
      on_request_written;
};

class Runtime {
 public:
  // Discovers the gateway, starts the shards and the moderation workflow. `pool` must outlive
  // the runtime.
  static core::Result<std::unique_ptr<Runtime>> Start(store::pg::Pool& pool,
                                                      RuntimeOptions options);
  ~Runtime();  // Stop(), if not done

  // Graceful stop: no more events taken, workflows in flight finish (up to `grace`), counters
  // flushed, shards closed (sessions resumable), threads joined. Returns the shards' result: an
  // error if a fatal close (bad token, intents) ended them.
  core::Result<void> Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // True once the shards ended on their own (a fatal close).
  bool Ended() const;

  // Runs `f` on the I/O thread and waits for it: the moderator's state lives there.
  void OnIo(const std::function<void()>& f);
  // Flushes the batched counters now and waits.
  core::Result<void> Flush();

  bot::Moderator& moderator() { return *moderator_; }  // only inside OnIo
  bot::ConfigService& config() { return *config_; }    // thread-safe

 private:
  Runtime() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<bot::ConfigService> config_;
  std::unique_ptr<bot::Moderator> moderator_;
};

}  // namespace app
