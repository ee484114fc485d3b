#include "daemon/service/http_endpoints.h"

#include "daemon/service/http_server.h"

namespace passerelle::daemon {

struct HttpEndpoints::Impl {
  explicit Impl(const std::string& address, Handler handler)
      : server(address, [h = std::move(handler)](const HttpRequest& request) {
          return answer(h, request);
        }) {}

  static HttpResponse answer(const Handler& handler, const HttpRequest& request) {
    if (request.method != "GET" && request.method != "HEAD") {
      return HttpResponse{
          405, "text/plain; charset=utf-8", {{"Allow", "GET, HEAD"}}, "method not allowed\n"};
    }
    HttpReply reply = handler(request.path);
    return HttpResponse{reply.status, std::move(reply.content_type), {}, std::move(reply.body)};
  }

  HttpServer server;
};

HttpEndpoints::HttpEndpoints(const std::string& address, Handler handler)
    : impl_(std::make_unique<Impl>(address, std::move(handler))) {}

HttpEndpoints::~HttpEndpoints() = default;

unsigned short HttpEndpoints::port() const {
  return impl_->server.port();
}

}  // namespace passerelle::daemon
