// The protocol trace hides every secret: the FTP PASS command, Authorization
// headers, a multipart `password` field, URL credentials and the secrets a
// client names, wherever they appear; and a real traced request (the lba
// client's, against tests/servers/lba_server.py) shows the exchange without
// its key.
#include "connectors/http/curl_trace.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "connectors/http/curl_global.h"
#include "connectors/http/curl_handles.h"
#include "tests/support/test_server_process.h"

namespace pc = passerelle::connectors;

TEST_SUITE("curl_trace") {
  TEST_CASE("each kind of secret is hidden in a trace line") {
    const std::vector<std::string> none;
    CHECK(pc::redactTraceLine("PASS hunter2-long", none) == "PASS ***");
    CHECK(pc::redactTraceLine("pass hunter2-long", none) == "PASS ***");
    CHECK(pc::redactTraceLine("USER cfa-rennes", none) == "USER cfa-rennes");
    CHECK(pc::redactTraceLine("Authorization: Bearer abc.def", none) == "Authorization: ***");
    CHECK(pc::redactTraceLine("authorization: Basic dXNlcjpwdw==", none) == "authorization: ***");
    CHECK(pc::redactTraceLine("Proxy-Authorization: Basic eA==", none) ==
          "Proxy-Authorization: ***");
    CHECK(pc::redactTraceLine("Connected to ftps://cfa:s3cr3t-pw@ftp.example/in/", none) ==
          "Connected to ftps://***@ftp.example/in/");
    CHECK(pc::redactTraceLine("login=cfa&password=s3cr3t-pw&x=1", none) ==
          "login=cfa&password=***&x=1");
    CHECK(pc::redactTraceLine("the server said s3cr3t-pw back", {"s3cr3t-pw"}) ==
          "the server said *** back");
    // A secret too short to hide everywhere is still hidden where it belongs.
    CHECK(pc::redactTraceLine("PASS ab", {"ab"}) == "PASS ***");
    CHECK(pc::redactTraceLine("table", {"ab"}) == "table");
  }

  TEST_CASE("a multipart password field is hidden in a body chunk") {
    pc::ensureCurlInitialised();
    std::vector<std::string> lines;
    pc::CurlTrace trace(nullptr, true, "t", {}, [&](std::string_view l) { lines.emplace_back(l); });
    const std::string body =
        "--b\r\nContent-Disposition: form-data; name=\"login\"\r\n\r\npartenaire\r\n"
        "--b\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nPw-Of-Ft-77\r\n"
        "--b\r\nContent-Disposition: form-data; name=\"nomFlux\"\r\n\r\nFLUX\r\n--b--\r\n";
    trace.onTrace(CURLINFO_DATA_OUT, body);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("Pw-Of-Ft-77") == std::string::npos);
    CHECK(lines[0].find("partenaire") != std::string::npos);
    CHECK(lines[0].find("FLUX") != std::string::npos);
  }

  TEST_CASE("a traced request shows its exchange, never its key") {
    passerelle::testing::TestServer server("lba_server.py", {"--keys", "Key-Of-Lba-123"});
    pc::ensureCurlInitialised();
    std::vector<std::string> lines;
    {
      pc::CurlEasy curl(curl_easy_init());
      CURL* c = curl.get();
      const std::string url = server.url() + "/job/v1/offer/0123456789abcdef01234567";
      pc::CurlList headers(curl_slist_append(nullptr, "Authorization: Bearer Key-Of-Lba-123"));
      curl_easy_setopt(c, CURLOPT_URL, url.c_str());
      curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
      curl_easy_setopt(
          c, CURLOPT_WRITEFUNCTION, +[](char*, size_t size, size_t n, void*) { return size * n; });
      const pc::CurlTrace trace(c, true, "lba", {"Key-Of-Lba-123"},
                                [&](std::string_view l) { lines.emplace_back(l); });
      CHECK(curl_easy_perform(c) == CURLE_OK);
    }
    bool request_line = false, authorization = false, answer = false;
    for (const std::string& l : lines) {
      CHECK(l.find("Key-Of-Lba-123") == std::string::npos);
      CHECK(l.rfind("curl lba: ", 0) == 0);
      request_line |= l.find("> GET /job/v1/offer/") != std::string::npos;
      authorization |= l.find("> Authorization: ***") != std::string::npos;
      answer |= l.find("< HTTP/1.") != std::string::npos;
    }
    CHECK(request_line);
    CHECK(authorization);
    CHECK(answer);
  }
}
