// HttpServer: a small HTTP/1.1 server on its own thread (Boost.Beast), the
// one listener code of the daemon: `/healthz` and `/metrics`
// (http_endpoints.h) and the partners' dashboard (daemon/dashboard) are
// handlers on it.
//
// A connection carries one request; its answer closes it. Each connection
// has a deadline for reading the request and writing the answer, and the
// request's header and body are bounded (HttpLimits): a slow or oversized
// client gets nothing but a closed connection or a 413, and never holds
// the daemon's memory. Connections are served on worker threads, at most
// `max_connections` at once (those beyond wait in the listen backlog).
//
// Thread safety: the Handler is called from several worker threads at once
// (when max_connections > 1) and must be safe for that; the destructor
// stops accepting and waits for the connections being served (each bounded
// by its deadline).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace passerelle::daemon {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string path;                            // the target before '?', still percent-encoded
  std::string query;                           // after '?', without it
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string peer;       // the client's IP address
  bool loopback = false;  // the listener's own address is a loopback one

  // The header's value, or "" when absent.
  std::string header(const std::string& lower_case_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // more headers (Set-Cookie...)
  std::string body;
};

struct HttpLimits {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  std::chrono::seconds deadline{10};
  int max_connections = 1;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // Binds `address` ("host:port", "[v6]:port"; port 0 picks a free one).
  // Throws std::runtime_error if the address is invalid or cannot be bound.
  HttpServer(const std::string& address, Handler handler, HttpLimits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  unsigned short port() const;
  // The listener's address is 127.0.0.0/8 or ::1.
  bool loopback() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace passerelle::daemon
