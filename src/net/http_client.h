// A small HTTP/1.1 client over Boost.Beast, for the few outbound calls that are not Discord's
// (today: the LLM endpoint). One connection per request: these calls are rare (the LLM is asked
// only in the grey zone), so pooling would buy little. TLS (OpenSSL) verifies the peer and its host
// name against the system's CA store; `http://` is plain, for local servers (llama.cpp, vLLM,
// Ollama) and tests.
//
// Coroutine-based: Send is co_awaited on the caller's executor and never blocks a thread.
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace net {

struct Url {
  bool tls = false;
  std::string host;
  std::string port;    // "443", "80" or as given
  std::string target;  // path and query, at least "/"
  // http(s)://host[:port][/path] (with `websocket`: ws(s)://...); anything else (other schemes,
  // userinfo, spaces, an empty host, a bad port) is an invalid_argument error naming the problem.
  static core::Result<Url> Parse(std::string_view url, bool websocket = false);
};

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The first header of that name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

class HttpClient {
 public:
  explicit HttpClient(boost::asio::any_io_executor executor);
  ~HttpClient();

  // The whole exchange (resolve, connect, TLS, write, read) must finish within `timeout`:
  // otherwise kTimeout. Connection failures are kUnavailable; a response too large (> 4 MiB) or
  // malformed is kInvalidArgument. Any HTTP status is a response, not an error.
  boost::asio::awaitable<core::Result<HttpResponse>> Send(HttpRequest request,
                                                          std::chrono::milliseconds timeout);

 private:
  boost::asio::any_io_executor executor_;
};

}  // namespace net
