// HttpEndpoints: the daemon's small local HTTP server (operations.md:
// `/healthz` and `/metrics` on `daemon.http`, e.g. "127.0.0.1:9464").
//
// It serves GET requests only, one at a time, on an HttpServer
// (http_server.h: its own thread, so that a slow scrape never delays the
// polling loop). What a path answers is the caller's Handler; unknown paths
// get 404, other methods 405. Each connection has a 10-second deadline.
// Meant for a loopback address: there is no authentication.
//
// Thread safety: the Handler runs on the server's thread; it must be safe to
// call while the daemon works (read atomics, or open its own store
// connection). The destructor stops the thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace passerelle::daemon {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class HttpEndpoints {
 public:
  // nullopt-like: a Handler returning status 404 means "no such path".
  using Handler = std::function<HttpReply(std::string_view path)>;

  // Binds `address` ("host:port"; port 0 picks a free one). Throws
  // std::runtime_error if the address is invalid or cannot be bound.
  HttpEndpoints(const std::string& address, Handler handler);
  ~HttpEndpoints();
  HttpEndpoints(const HttpEndpoints&) = delete;
  HttpEndpoints& operator=(const HttpEndpoints&) = delete;

  unsigned short port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace passerelle::daemon
