// A real HTTP/1.1 server on 127.0.0.1 (an ephemeral port) whose answers a test scripts: status,
// headers, body, a delay before answering (to simulate stalls), or closing without an answer.
// Connections are persistent (HTTP/1.1 keep-alive, requests read in a loop) unless the client or
// the script says otherwise; the script can also close a connection without saying so, to leave
// a client holding a stale pooled connection. It runs on its own thread and stops (closing every
// connection) when destroyed.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace net::testing {

struct ScriptedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string Header(std::string_view name) const;
};

struct ScriptedReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // wait this long before answering
  bool hang_up = false;                // close the connection without answering
  bool close = false;                  // answer with `Connection: close`, then close the connection
  bool drop_after = false;  // answer as if keeping the connection alive, then close it silently
  bool cut_body = false;    // announce the whole body's Content-Length, send half of it, then close
  bool http10 = false;      // answer as HTTP/1.0 without keep-alive, then close the connection
};

struct ScriptedHttpServerOptions {
  // After this many answers on one connection, close it without saying so; 0: no limit.
  int max_requests_per_connection = 0;
  // A connection idle (between requests) this long is closed without saying so.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(30);
};

class ScriptedHttpServer {
 public:
  using Handler = std::function<ScriptedReply(const ScriptedRequest&)>;
  // `handler` runs on the server's thread, one request at a time.
  explicit ScriptedHttpServer(Handler handler, ScriptedHttpServerOptions options = {});
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  std::string base_url() const;                            // "http://127.0.0.1:<port>"
  int requests() const { return requests_.load(); }        // requests read, over all connections
  int connections() const { return connections_.load(); }  // TCP connections accepted

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<int> requests_{0};
  std::atomic<int> connections_{0};
};

}  // namespace net::testing
