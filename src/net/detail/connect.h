// The connection steps the HTTP and WebSocket clients share: resolve, TCP connect and, for
// https/wss, TLS with the peer and its host name verified against the system's CA store, all
// under one deadline. Internal to net.
#pragma once

// clang-format off
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it
// clang-format on
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <string_view>

#include "core/result.h"
#include "net/http_client.h"

namespace net::detail {

using Deadline = std::chrono::steady_clock::time_point;
using Endpoints = boost::asio::ip::tcp::resolver::results_type;

// The process's TLS client context: peer verification on, the system's CA store.
boost::asio::ssl::context& ClientTlsContext();

// A failed step as an error: kTimeout when the deadline passed, kUnavailable otherwise.
core::Error ConnectError(const boost::beast::error_code& ec, std::string_view what, const Url& url);

boost::asio::awaitable<core::Result<Endpoints>> Resolve(boost::asio::any_io_executor executor,
                                                        const Url& url);

boost::asio::awaitable<core::Result<void>> ConnectTcp(boost::beast::tcp_stream& stream,
                                                      const Endpoints& endpoints, const Url& url,
                                                      Deadline deadline);

// SNI and host-name verification, TCP connect, TLS handshake.
boost::asio::awaitable<core::Result<void>> ConnectTls(
    boost::beast::ssl_stream<boost::beast::tcp_stream>& stream, const Endpoints& endpoints,
    const Url& url, Deadline deadline);

}  // namespace net::detail
