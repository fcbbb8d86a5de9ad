// antispam: the command-line entry point and composition root.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "app/config_file.h"
#include "app/database.h"
#include "app/demo.h"
#include "app/discord.h"
#include "app/runtime.h"
#include "bot/legacy_env.h"
#include "cli/eval.h"
#include "cli/import_env.h"
#include "core/clock.h"
#include "core/log.h"
#include "detect/ml/fasttext_classifier.h"
#include "store/pg/migrator.h"

namespace {

constexpr const char* kDescription =
    "antispam: a self-hosted Discord anti-spam bot whose state lives in PostgreSQL.\n"
    "With no DATABASE_URL it runs a private PostgreSQL cluster under --data-dir.";

int Fail(const core::Error& e) {
  spdlog::error("{}", e.ToString());
  return 1;
}

// Waits for SIGINT or SIGTERM (blocked in main, so they queue here).
int WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

int Migrate(app::DatabaseConfig config, const std::string& dir, bool status_only) {
  std::vector<store::pg::Migration> from_dir;
  std::span<const store::pg::Migration> migrations = store::pg::EmbeddedMigrations();
  if (!dir.empty()) {
    auto loaded = store::pg::LoadMigrations(dir);
    if (!loaded) return Fail(loaded.error());
    from_dir = std::move(*loaded);
    migrations = from_dir;
  }
  config.migrate = false;
  auto db = app::Database::Open(config);
  if (!db) return Fail(db.error());
  store::pg::Migrator migrator((*db)->pool());
  if (status_only) {
    auto states = migrator.Status(migrations);
    if (!states) return Fail(states.error());
    for (const auto& s : *states) {
      std::printf("%-8s %s\n", s.applied ? "applied" : "pending", s.file_name.c_str());
    }
    return 0;
  }
  auto report = migrator.Apply(migrations, [](const store::pg::Migration& m) {
    std::printf("applying %s\n", m.file_name.c_str());
    std::fflush(stdout);
  });
  if (!report) return Fail(report.error());
  std::printf("%zu applied, %d already applied\n", report->applied.size(), report->already_applied);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // SIGINT/SIGTERM are taken with sigwait where a command waits for them; blocking them here
  // means a signal during start-up is handled after it, never leaving the database half-started.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  CLI::App cli(kDescription, "antispam");
  cli.require_subcommand(1);
  app::DatabaseConfig db;
  std::string log_level;
  std::string env = "development";
  cli.add_option("--database-url", db.url,
                 "PostgreSQL URL (libpq form; TLS per its sslmode). Empty: embedded cluster")
      ->envname("DATABASE_URL");
  cli.add_option("--data-dir", db.data_dir, "Folder of the embedded cluster (<dir>/postgres)")
      ->envname("ANTISPAM_DATA_DIR")
      ->capture_default_str();
  cli.add_option("--pool-size", db.pool_size, "Database connections at most")
      ->envname("ANTISPAM_DB_POOL_SIZE")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cli.add_option("--prepared-statements", db.prepared_statements,
                 "Use server-side prepared statements (false for PgBouncer/Supavisor "
                 "transaction mode)")
      ->envname("ANTISPAM_DB_PREPARED_STATEMENTS")
      ->capture_default_str();
  cli.add_option("--env", env, "development, test or production (sets the default log level)")
      ->envname("ANTISPAM_ENV")
      ->check(CLI::IsMember({"development", "test", "production"}))
      ->capture_default_str();
  std::string config_file;
  cli.add_option("--config", config_file,
                 "TOML configuration file: long option names as keys, a [command] section per "
                 "command (docs/configuration.md); the command line and the environment win")
      ->envname("ANTISPAM_CONFIG");
  cli.add_option("--log-level", log_level,
                 "trace, debug, info, warn, error, critical or off (default: by --env)")
      ->envname("ANTISPAM_LOG_LEVEL");

  auto* migrate = cli.add_subcommand("migrate", "Apply pending schema migrations, idempotently");
  std::string migrations_dir;
  bool status_only = false;
  migrate->add_option("--dir", migrations_dir,
                      "Read migrations from this folder instead of the embedded ones");
  migrate->add_flag("--status", status_only, "List applied and pending migrations; change nothing");

  auto* demo = cli.add_subcommand(
      "demo",
      "The whole product on this machine: the database, the Discord simulator and the real bot "
      "playing a scripted day (chat, a flooder, a scam raid, a false positive, moderators' "
      "buttons and commands); prints a summary and stays up until Ctrl-C");
  app::DemoOptions demo_options;
  bool exit_after_scenario = false;
  demo->add_flag("--exit-after-scenario", exit_after_scenario,
                 "Stop after the summary instead of staying up");
  demo->add_option("--members", demo_options.members, "Ordinary members chatting")
      ->check(CLI::Range(10, 5000))
      ->capture_default_str();
  demo->add_option("--raiders", demo_options.raiders, "Fresh accounts in the scam raid")
      ->check(CLI::Range(1, 500))
      ->capture_default_str();
  demo->add_option("--port", demo_options.port,
                   "Port of the simulator's REST and gateway (0: any free port)")
      ->capture_default_str();

  auto* eval = cli.add_subcommand(
      "eval",
      "Run the detection engine over label<TAB>text lines; print precision/recall/F1 as JSON");
  std::string eval_tsv;
  std::string eval_model;
  bool no_llm = false;
  eval->add_option("--tsv", eval_tsv,
                   "File of `label<TAB>text` lines (header line; labels spam/ham)")
      ->required();
  eval->add_option("--model", eval_model, "Local classifier model (fastText .ftz/.bin)");
  eval->add_flag("--no-llm", no_llm, "Never consult the LLM, even when --llm-url is set");
  std::string eval_fold;
  int show_errors = 0;
  eval->add_option("--show-errors", show_errors,
                   "Print up to N misjudged lines with their verdicts to stderr")
      ->check(CLI::Range(0, 1000000));
  std::string llm_url;
  std::string llm_model = "gpt-4o-mini";
  int llm_timeout_ms = 8000;
  eval->add_option(
          "--llm-url", llm_url,
          "OpenAI-compatible base URL (e.g. https://api.openai.com/v1, http://127.0.0.1:8080/v1); "
          "the key comes from ANTISPAM_LLM_API_KEY")
      ->envname("ANTISPAM_LLM_URL");
  eval->add_option("--llm-model", llm_model, "Chat model")
      ->envname("ANTISPAM_LLM_MODEL")
      ->capture_default_str();
  eval->add_option("--llm-timeout-ms", llm_timeout_ms, "Timeout of one LLM call, retries included")
      ->check(CLI::Range(100, 300000))
      ->capture_default_str();
  std::vector<std::string> eval_settings;
  std::string lists_dir;
  eval->add_option(
          "--lists-dir", lists_dir,
          "Read the reference lists (data/ layout) from this folder instead of the built-in copies")
      ->envname("ANTISPAM_LISTS_DIR");
  eval->add_option(
      "--set", eval_settings,
      "key=value: a policy setting to evaluate (repeatable), e.g. classifier.spam_at=0.7");
  eval->add_option("--fold", eval_fold,
                   "K/N: only the lines in fold K of N (the ones `train --hold-out K/N` left out)");

  auto* train = cli.add_subcommand(
      "train",
      "Train the local classifier (fastText and its word evidence, MODEL.words) on labelled "
      "messages");
  detect::ml::TrainOptions train_options;
  std::string train_out;
  std::string hold_out;
  train->add_option("--tsv", train_options.tsv, "Files of `label<TAB>text` lines (labels spam/ham)")
      ->required()
      ->check(CLI::ExistingFile);
  train
      ->add_option("--out", train_out,
                   "Model file to write (.ftz: quantised; .bin: full); the word evidence goes to "
                   "MODEL.words")
      ->required();
  train->add_option("--hold-out", hold_out, "K/N: leave out fold K of N, for `eval --fold K/N`");
  train->add_option("--epochs", train_options.epochs, "Training epochs")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  train->add_option("--dim", train_options.dim, "Vector size")
      ->check(CLI::Range(2, 300))
      ->capture_default_str();
  train->add_option("--buckets", train_options.buckets, "Hashed word n-gram rows (model size)")
      ->check(CLI::Range(1000, 10000000))
      ->capture_default_str();
  train->add_option("--lr", train_options.learning_rate, "Learning rate")
      ->check(CLI::Range(0.001, 10.0))
      ->capture_default_str();
  train->add_option("--word-ngrams", train_options.word_ngrams, "Word n-gram length")
      ->check(CLI::Range(1, 5))
      ->capture_default_str();
  train->add_option("--minn", train_options.min_char_ngram, "Shortest character n-gram (0: none)")
      ->check(CLI::Range(0, 10))
      ->capture_default_str();
  train->add_option("--maxn", train_options.max_char_ngram, "Longest character n-gram (0: none)")
      ->check(CLI::Range(0, 10))
      ->capture_default_str();
  train
      ->add_option("--words-weight", train_options.words_weight,
                   "One number per --tsv file: how much each of its messages counts in the word "
                   "evidence (default 1 each)")
      ->check(CLI::PositiveNumber);

  auto* connect = cli.add_subcommand(
      "connect",
      "Connect to Discord (or the simulator) with the bot's token, intents and shards, and log "
      "what arrives: a check of the Discord settings before running the bot");
  app::ConnectOptions connect_options;
  app::AddDiscordOptions(*connect, connect_options.discord);
  int connect_for = 0;
  connect->add_option("--for", connect_for, "Stop after this many seconds (0: at Ctrl-C)")
      ->check(CLI::Range(0, 86400));

  auto* run = cli.add_subcommand(
      "run", "Run the bot: moderate every guild it is in (gateway + REST), state in PostgreSQL");
  app::RuntimeOptions run_options;
  app::AddDiscordOptions(*run, run_options.discord);
  std::string config_source = "db-primary";
  run->add_option(
         "--config-source", config_source,
         "Where guild roles and channels come from while moving off environment "
         "variables: env-fallback, dual-write, db-primary or db-only (docs/configuration.md)")
      ->envname("ANTISPAM_CONFIG_SOURCE")
      ->check(CLI::IsMember({"env-fallback", "dual-write", "db-primary", "db-only"}))
      ->capture_default_str();
  run->add_option("--db-threads", run_options.db_threads, "Threads making database calls")
      ->envname("ANTISPAM_DB_THREADS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  run->add_option("--llm-url", llm_url,
                  "OpenAI-compatible base URL for grey-zone verdicts (none: the LLM is never "
                  "asked); the key comes from ANTISPAM_LLM_API_KEY")
      ->envname("ANTISPAM_LLM_URL");
  run->add_option("--llm-model", llm_model, "Chat model")
      ->envname("ANTISPAM_LLM_MODEL")
      ->capture_default_str();
  run->add_option("--llm-timeout-ms", llm_timeout_ms, "Timeout of one LLM call, retries included")
      ->check(CLI::Range(100, 300000))
      ->capture_default_str();
  int run_for = 0;
  run->add_option("--for", run_for, "Stop after this many seconds (0: at Ctrl-C or SIGTERM)")
      ->check(CLI::Range(0, 31 * 86400));

  auto* config = cli.add_subcommand("config", "Per-guild configuration in the database");
  config->require_subcommand(1);
  auto* import_env = config->add_subcommand(
      "import-env",
      "Move the legacy environment configuration (RESTRICTED_ROLE_ID, ADMIN_CHANNEL_ID, "
      "VERIFICATION_CHANNEL_ID, ADMIN_NOTIFICATION_ROLE_ID) into the database, validated, in one "
      "transaction. Unset values never clear stored ones");
  std::vector<std::string> import_guilds;
  std::string import_file;
  std::string import_actor;
  bool import_dry_run = false;
  import_env->add_option("--guild", import_guilds,
                         "Guild the environment values belong to (repeatable)");
  import_env->add_option("--file", import_file,
                         "CSV of per-guild values; header: guild_id,restricted_role_id,"
                         "admin_channel_id,verification_channel_id,admin_notification_role_id "
                         "(any order; # comments; empty cell = not set)");
  import_env->add_flag("--dry-run", import_dry_run, "Show what would change; write nothing");
  import_env->add_option("--actor", import_actor,
                         "Discord user id recorded as updated_by (created_by for new guilds)");

  auto* sim = cli.add_subcommand(
      "sim", "Run the Discord simulator (REST and gateway on 127.0.0.1) for manual testing");
  app::SimOptions sim_options;
  int sim_for = 0;
  int heartbeat_ms = static_cast<int>(sim_options.heartbeat_interval.count());
  sim->add_option("--port", sim_options.port, "Port of REST and the gateway (0: any free port)")
      ->capture_default_str();
  sim->add_option("--token", sim_options.token, "The bot token the simulator accepts")
      ->capture_default_str();
  sim->add_option("--guilds", sim_options.guilds, "Guilds to create")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  sim->add_option("--members", sim_options.members, "Members per guild")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  sim->add_option("--messages-per-second", sim_options.messages_per_second,
                  "Chat from random members (0: none)")
      ->check(CLI::Range(0.0, 10000.0))
      ->capture_default_str();
  sim->add_option("--heartbeat-ms", heartbeat_ms, "The gateway's heartbeat interval")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();
  sim->add_option("--for", sim_for, "Stop after this many seconds (0: at Ctrl-C)")
      ->check(CLI::Range(0, 86400));

  CLI11_PARSE(cli, argc, argv);
  if (!config_file.empty()) {
    if (auto applied = app::ApplyConfigFile(cli, config_file); !applied) {
      std::fprintf(stderr, "antispam: %s\n", applied.error().message.c_str());
      return 2;
    }
  }

  if (log_level.empty()) {
    log_level = env == "production" ? "info" : env == "test" ? "warn" : "debug";
  }
  if (auto r = core::SetupLogging(log_level); !r) {
    std::fprintf(stderr, "antispam: %s\n", r.error().ToString().c_str());
    return 2;
  }

  if (*migrate) return Migrate(db, migrations_dir, status_only);

  if (*connect) {
    connect_options.run_for = std::chrono::seconds(connect_for);
    if (auto r = app::RunConnect(connect_options, stdout); !r) return Fail(r.error());
    return 0;
  }

  if (*run) {
    auto source = bot::ParseConfigSource(config_source);
    if (!source) return Fail(source.error());
    auto legacy = bot::ReadLegacyEnv([](const char* n) { return std::getenv(n); });
    if (!legacy) return Fail(legacy.error());
    if (env == "production" && db.url.empty()) {
      return Fail(core::Error{core::ErrorCode::kInvalidArgument,
                              "ANTISPAM_ENV=production needs DATABASE_URL: the embedded database "
                              "is for trying the bot, not for running it",
                              "database_url"});
    }
    run_options.config.source = *source;
    if (!llm_url.empty()) {
      detect::llm::Config llm;
      llm.base_url = llm_url;
      llm.model = llm_model;
      llm.timeout = std::chrono::milliseconds(llm_timeout_ms);
      if (const char* key = std::getenv("ANTISPAM_LLM_API_KEY")) llm.api_key = key;
      run_options.llm = std::move(llm);
    }
    run_options.config.env = *legacy;
    auto opened = app::Database::Open(db);
    if (!opened) return Fail(opened.error());
    run_options.listen_url = (*opened)->url();
    auto runtime = app::Runtime::Start((*opened)->pool(), run_options);
    if (!runtime) return Fail(runtime.error());
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(run_for);
    int sig = 0;
    while (!(*runtime)->Ended() && (run_for == 0 || std::chrono::steady_clock::now() < until)) {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGINT);
      sigaddset(&set, SIGTERM);
      timespec tick{0, 200'000'000};
      if ((sig = sigtimedwait(&set, nullptr, &tick)) > 0) break;
    }
    if (sig > 0) spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    auto stopped = (*runtime)->Stop();
    if (!stopped) return Fail(stopped.error());
    return 0;
  }

  if (*import_env) {
    cli::ImportEnvOptions options;
    for (const auto& g : import_guilds) {
      auto id = core::GuildId::Parse(g);
      if (!id) return Fail(id.error());
      options.guilds.push_back(*id);
    }
    if (!import_actor.empty()) {
      auto actor = core::UserId::Parse(import_actor);
      if (!actor) return Fail(actor.error());
      options.actor = *actor;
    }
    options.file = import_file;
    options.dry_run = import_dry_run;
    auto opened = app::Database::Open(db);
    if (!opened) return Fail(opened.error());
    auto report = cli::RunImportEnv((*opened)->pool(), core::DefaultClock(), options,
                                    [](const char* n) { return std::getenv(n); }, stdout);
    if (!report) return Fail(report.error());
    return 0;
  }

  if (*sim) {
    sim_options.run_for = std::chrono::seconds(sim_for);
    sim_options.heartbeat_interval = std::chrono::milliseconds(heartbeat_ms);
    if (auto r = app::RunSim(sim_options, stdout); !r) return Fail(r.error());
    return 0;
  }

  // "K/N" -> (K, N), with 0 <= K < N.
  auto parse_fold = [](const std::string& text, int& index, int& count) -> bool {
    if (text.empty()) return true;
    if (std::sscanf(text.c_str(), "%d/%d", &index, &count) != 2 || count < 2 || index < 0 ||
        index >= count) {
      spdlog::error("invalid_argument: a fold is K/N with 0 <= K < N and N >= 2, not \"{}\"", text);
      return false;
    }
    return true;
  };

  if (*train) {
    train_options.out = train_out;
    if (!parse_fold(hold_out, train_options.fold_index, train_options.fold_count)) return 2;
    auto report = detect::ml::Train(train_options, stderr);
    if (!report) return Fail(report.error());
    std::printf(
        "trained on %lld spam and %lld ham messages (%lld held out, %lld malformed); "
        "wrote %s (%ju bytes) and its word evidence %s (%zu features, %ju bytes)\n",
        static_cast<long long>(report->spam), static_cast<long long>(report->ham),
        static_cast<long long>(report->held_out), static_cast<long long>(report->malformed),
        train_out.c_str(), report->model_bytes, detect::ml::WordEvidencePath(train_out).c_str(),
        report->words, report->words_bytes);
    return 0;
  }

  if (*eval) {
    cli::EvalOptions options;
    options.tsv = eval_tsv;
    options.settings = eval_settings;
    options.lists_dir = lists_dir;
    options.show_errors = show_errors;
    if (!llm_url.empty() && !no_llm) {
      detect::llm::Config llm;
      llm.base_url = llm_url;
      llm.model = llm_model;
      llm.timeout = std::chrono::milliseconds(llm_timeout_ms);
      if (const char* key = std::getenv("ANTISPAM_LLM_API_KEY")) llm.api_key = key;
      options.llm = std::move(llm);
    }
    if (!parse_fold(eval_fold, options.fold_index, options.fold_count)) return 2;
    if (!eval_model.empty()) {
      auto model = detect::ml::FastTextClassifier::Load(eval_model);
      if (!model) return Fail(model.error());
      options.model = std::move(*model);
    }
    auto report = cli::RunEval(options, stderr);
    if (!report) return Fail(report.error());
    std::printf("%s\n", report->ToJson().c_str());
    return 0;
  }

  if (*demo) {
    auto opened = app::Database::Open(db);
    if (!opened) return Fail(opened.error());
    demo_options.listen_url = (*opened)->url();
    std::printf("antispam demo: the bot against the built-in Discord simulator\n");
    std::fflush(stdout);
    auto started = app::Demo::Start((*opened)->pool(), demo_options);
    if (!started) return Fail(started.error());
    auto report = (*started)->Play(stdout);
    if (!report) return Fail(report.error());
    app::Demo::PrintSummary(*report, stdout);
    if (!exit_after_scenario) {
      std::printf(
          "\nstill running: the simulator at %s (token %s), the database at %s\n"
          "press Ctrl-C to stop\n",
          (*started)->simulator().api_base_url().c_str(), (*started)->simulator().token().c_str(),
          (*opened)->DisplayUrl().c_str());
      std::fflush(stdout);
      const int sig = WaitForSignal();
      spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    if (auto stopped = (*started)->Stop(); !stopped) return Fail(stopped.error());
    return 0;  // `opened` stops the embedded cluster on the way out
  }
  return 0;
}
