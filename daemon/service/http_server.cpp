#include "daemon/service/http_server.h"

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "daemon/log/event_log.h"

namespace passerelle::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string HttpRequest::header(const std::string& lower_case_name) const {
  auto it = headers.find(lower_case_name);
  return it == headers.end() ? std::string() : it->second;
}

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

std::string lowerCase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

HttpRequest toRequest(const http::request<http::string_body>& raw, const std::string& peer,
                      bool loopback) {
  HttpRequest request;
  request.method = std::string(raw.method_string());
  std::string_view target(raw.target().data(), raw.target().size());
  const std::size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  for (const auto& field : raw) {
    request.headers[lowerCase(
        std::string_view(field.name_string().data(), field.name_string().size()))] =
        std::string(field.value().data(), field.value().size());
  }
  request.body = raw.body();
  request.peer = peer;
  request.loopback = loopback;
  return request;
}

http::response<http::string_body> toResponse(HttpResponse reply, unsigned version, bool head) {
  http::response<http::string_body> response;
  response.version(version);
  response.keep_alive(false);
  response.result(static_cast<unsigned>(reply.status));
  response.set(http::field::server, "passerelle");
  response.set(http::field::content_type, reply.content_type);
  for (const auto& [name, value] : reply.headers) response.insert(name, value);
  if (!head) response.body() = std::move(reply.body);
  response.prepare_payload();
  return response;
}

}  // namespace

struct HttpServer::Impl {
  Impl(const std::string& address, Handler h, HttpLimits l)
      : handler(std::move(h)), limits(l), acceptor(io) {
    tcp::endpoint ep = parseEndpoint(address);
    is_loopback = ep.address().is_loopback();
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
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    changed.notify_all();
    asio::post(io, [this] {
      boost::system::error_code ignored;
      acceptor.close(ignored);
    });
    io.stop();
    thread.join();
    std::unique_lock lock(mutex);
    changed.wait(lock, [this] { return active == 0; });
  }

  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed
      if (!waitForRoom()) return;
      std::thread([this, s = std::move(socket)]() mutable {
        serve(std::move(s));
        std::lock_guard lock(mutex);
        --active;
        changed.notify_all();
      }).detach();
      accept();
    });
  }

  // Blocks the accepting thread while max_connections are being served.
  bool waitForRoom() {
    std::unique_lock lock(mutex);
    changed.wait(lock, [this] { return stopping || active < limits.max_connections; });
    if (stopping) return false;
    ++active;
    return true;
  }

  void serve(tcp::socket socket) {
    boost::system::error_code ec;
    const std::string peer = socket.remote_endpoint(ec).address().to_string();
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(limits.deadline);
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(limits.max_body_bytes);
    http::read(stream, buffer, parser, ec);
    http::response<http::string_body> response;
    if (ec == http::error::body_limit) {
      response =
          toResponse({413, "text/plain; charset=utf-8", {}, "request too large\n"}, 11, false);
    } else if (ec) {
      return;  // nothing readable, too slow, or a header too large: just close
    } else {
      const auto& raw = parser.get();
      HttpResponse reply;
      try {
        reply = handler(toRequest(raw, peer, is_loopback));
      } catch (const std::exception& e) {
        logWarning(
            "http request failed",
            {{"path", std::string(raw.target().data(), raw.target().size())}, {"error", e.what()}});
        reply = HttpResponse{500, "text/plain; charset=utf-8", {}, "internal error\n"};
      }
      response = toResponse(std::move(reply), raw.version(), raw.method() == http::verb::head);
    }
    http::write(stream, response, ec);
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  Handler handler;
  HttpLimits limits;
  asio::io_context io;
  tcp::acceptor acceptor;
  bool is_loopback = false;
  std::thread thread;
  std::mutex mutex;
  std::condition_variable changed;
  int active = 0;
  bool stopping = false;
};

HttpServer::HttpServer(const std::string& address, Handler handler, HttpLimits limits)
    : impl_(std::make_unique<Impl>(address, std::move(handler), limits)) {}

HttpServer::~HttpServer() = default;

unsigned short HttpServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

bool HttpServer::loopback() const {
  return impl_->is_loopback;
}

}  // namespace passerelle::daemon
