#include "daemon/service/http_endpoints.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "daemon/log/event_log.h"

namespace passerelle::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

tcp::endpoint parseEndpoint(const std::string& address) {
  std::size_t colon = address.rfind(':');
  if (colon == std::string::npos)
    throw std::runtime_error("http address without a port: " + address);
  std::string host = address.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("http address is not an IP address: " + address);
  unsigned long port = 0;
  try {
    port = std::stoul(address.substr(colon + 1));
  } catch (const std::exception&) {
    throw std::runtime_error("http address has no valid port: " + address);
  }
  if (port > 65535) throw std::runtime_error("http port out of range: " + address);
  return tcp::endpoint(ip, static_cast<unsigned short>(port));
}

}  // namespace

struct HttpEndpoints::Impl {
  Impl(const std::string& address, Handler h) : handler(std::move(h)), acceptor(io) {
    tcp::endpoint ep = parseEndpoint(address);
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    boost::system::error_code ec;
    acceptor.bind(ep, ec);
    if (ec) throw std::runtime_error("cannot listen on " + address + ": " + ec.message());
    acceptor.listen();
    accept();
    thread = std::thread([this] { io.run(); });
  }

  ~Impl() {
    asio::post(io, [this] {
      boost::system::error_code ignored;
      acceptor.close(ignored);
    });
    io.stop();
    thread.join();
  }

  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed
      serve(std::move(socket));
      accept();
    });
  }

  // One request per connection, answered synchronously: scrapes are rare
  // and small, and this thread does nothing else.
  void serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(std::chrono::seconds(10));
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    beast::error_code ec;
    http::read(stream, buffer, request, ec);
    if (ec) return;
    http::response<http::string_body> response;
    response.version(request.version());
    response.keep_alive(false);
    response.set(http::field::server, "passerelle");
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
      response.result(http::status::method_not_allowed);
      response.set(http::field::allow, "GET, HEAD");
      response.body() = "method not allowed\n";
    } else {
      std::string_view target(request.target().data(), request.target().size());
      target = target.substr(0, target.find('?'));
      HttpReply reply;
      try {
        reply = handler(target);
      } catch (const std::exception& e) {
        logWarning("http endpoint failed", {{"path", std::string(target)}, {"error", e.what()}});
        reply = HttpReply{500, "text/plain; charset=utf-8", "internal error\n"};
      }
      response.result(static_cast<unsigned>(reply.status));
      response.set(http::field::content_type, reply.content_type);
      if (request.method() == http::verb::get) response.body() = std::move(reply.body);
    }
    response.prepare_payload();
    http::write(stream, response, ec);
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  Handler handler;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::thread thread;
};

HttpEndpoints::HttpEndpoints(const std::string& address, Handler handler)
    : impl_(std::make_unique<Impl>(address, std::move(handler))) {}

HttpEndpoints::~HttpEndpoints() = default;

unsigned short HttpEndpoints::port() const {
  return impl_->acceptor.local_endpoint().port();
}

}  // namespace passerelle::daemon
