// HttpEndpoints: GET answered by the handler, other methods refused, bad
// addresses refused, on loopback only.
#include "daemon/service/http_endpoints.h"

#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

using namespace passerelle::daemon;
namespace asio = boost::asio;

namespace {

std::string roundTrip(unsigned short port, const std::string& request) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(request));
  std::string response;
  boost::system::error_code ec;
  char buf[4096];
  for (;;) {
    std::size_t n = socket.read_some(asio::buffer(buf), ec);
    response.append(buf, n);
    if (ec) break;
  }
  return response;
}

HttpReply handler(std::string_view path) {
  if (path == "/healthz") return {200, "text/plain; charset=utf-8", "ok\n"};
  if (path == "/metrics") return {200, "text/plain; version=0.0.4", "passerelle_up 1\n"};
  return {404, "text/plain; charset=utf-8", "not found\n"};
}

}  // namespace

TEST_CASE("GET is answered by the handler; query strings are ignored") {
  HttpEndpoints server("127.0.0.1:0", handler);
  std::string r = roundTrip(server.port(), "GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(r.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(r.find("text/plain; version=0.0.4") != std::string::npos);
  CHECK(r.find("passerelle_up 1\n") != std::string::npos);
  CHECK(
      roundTrip(server.port(), "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n").rfind("HTTP/1.1 404", 0) ==
      0);
}

TEST_CASE("other methods get 405") {
  HttpEndpoints server("127.0.0.1:0", handler);
  std::string r =
      roundTrip(server.port(), "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  CHECK(r.rfind("HTTP/1.1 405", 0) == 0);
}

TEST_CASE("a handler that throws gives 500, the server goes on") {
  HttpEndpoints server(
      "127.0.0.1:0", [](std::string_view) -> HttpReply { throw std::runtime_error("store down"); });
  CHECK(roundTrip(server.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            .rfind("HTTP/1.1 500", 0) == 0);
  CHECK(roundTrip(server.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            .rfind("HTTP/1.1 500", 0) == 0);
}

TEST_CASE("invalid addresses are refused clearly") {
  CHECK_THROWS_AS(HttpEndpoints("localhost", handler), std::runtime_error);
  CHECK_THROWS_AS(HttpEndpoints("not-an-ip:80", handler), std::runtime_error);
  CHECK_THROWS_AS(HttpEndpoints("127.0.0.1:99999", handler), std::runtime_error);
}
