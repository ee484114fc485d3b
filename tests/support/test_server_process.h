// Starts one of tests/servers/*.py for a test and stops it at scope exit.
//
// The server is run as `python3 <script> --port 0 <args>`; it prints its
// port alone on the first line of stdout, which is read here. The helpers
// get()/post() talk to its /__test__/ endpoints with libcurl.
//
// LinkedClock is a ManualClock whose sleeps also move the server's manual
// clock (a server started with --manual-clock), so that the client's rate
// limiter and the server's quota see the same time.
//
// Thread safety: one TestServer per test, used by that test's thread.
#pragma once

#include <curl/curl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "connectors/host/clock.h"

namespace passerelle::testing {

class TestServer {
 public:
  explicit TestServer(const std::string& script, std::vector<std::string> args = {}) {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe");
    const std::string path = std::string(PASSERELLE_TESTS_DIR) + "/servers/" + script;
    std::vector<std::string> argv_strings = {"python3", path, "--port", "0"};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::vector<char*> argv;
      for (auto& s : argv_strings) argv.push_back(s.data());
      argv.push_back(nullptr);
      execvp("python3", argv.data());
      _exit(127);
    }
    close(out[1]);
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    close(out[0]);  // the server writes nothing else to stdout
    port_ = line.empty() ? 0 : std::stoi(line);
    if (port_ == 0) throw std::runtime_error("test server did not start: " + script);
  }
  ~TestServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::string get(const std::string& path) const { return call("GET", path, ""); }
  std::string post(const std::string& path, const std::string& json) const {
    return call("POST", path, json);
  }

 private:
  static std::size_t collect(char* d, std::size_t s, std::size_t n, void* u) {
    static_cast<std::string*>(u)->append(d, s * n);
    return s * n;
  }
  std::string call(const char* method, const std::string& path, const std::string& body) const {
    std::string answer;
    CURL* c = curl_easy_init();
    const std::string u = url() + path;
    curl_easy_setopt(c, CURLOPT_URL, u.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (std::string(method) == "POST") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_perform(c);
    curl_easy_cleanup(c);
    return answer;
  }

  pid_t pid_ = -1;
  int port_ = 0;
};

class LinkedClock final : public connectors::Clock {
 public:
  explicit LinkedClock(const TestServer& server) : server_(server) {}
  WallTime now() const override { return manual_.now(); }
  SteadyTime steady() const override { return manual_.steady(); }
  void sleepFor(std::chrono::nanoseconds d) override {
    manual_.advance(d);
    server_.post("/__test__/advance",
                 nlohmann::json{{"seconds", std::chrono::duration<double>(d).count()}}.dump());
  }
  bool sleepUnlessStopped(std::chrono::nanoseconds d, const connectors::StopSignal& stop) override {
    if (stop) return false;
    sleepFor(d);
    return true;
  }

 private:
  const TestServer& server_;
  connectors::ManualClock manual_;
};

}  // namespace passerelle::testing
