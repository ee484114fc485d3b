#include "daemon/log/event_log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/uio.h>
// Without it, sd_journal_sendv() is a macro that adds CODE_FILE (the build
// path), CODE_LINE and CODE_FUNC: noise for operators, and the same for
// every event since they all come from here.
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <mutex>
#include <vector>

#include "formats/offer_json.h"

namespace passerelle::daemon {

namespace {

struct LogState {
  std::atomic<LogOutput> output = LogOutput::kText;
  std::atomic<LogLevel> min_level = LogLevel::kInfo;
  std::once_flag logger_once;
  std::shared_ptr<spdlog::logger> stderr_logger;  // created once, then shared
};

LogState& state() {
  static LogState s;
  return s;
}

const char* levelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

int journalPriority(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return 7;
    case LogLevel::kInfo:
      return 6;
    case LogLevel::kWarning:
      return 4;
    case LogLevel::kError:
      return 3;
  }
  return 6;
}

// A value is quoted when it would not read back as one token.
void appendTextValue(std::string& out, std::string_view v) {
  bool plain = !v.empty();
  for (char c : v)
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) plain = false;
  if (plain) {
    out.append(v);
    return;
  }
  formats::appendJsonString(v, out);  // quotes and escapes, UTF-8 kept
}

std::string utcStamp() {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t t = system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];  // sized for GCC's worst case of every int field
  long ms = static_cast<long>(duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000);
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

std::string journalKey(std::string_view key) {
  std::string k;
  for (char c : key) {
    if (c >= 'a' && c <= 'z') {
      k.push_back(static_cast<char>(c - 'a' + 'A'));
    } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      k.push_back(c);
    } else {
      k.push_back('_');
    }
  }
  if (k.empty() || k[0] == '_' || (k[0] >= '0' && k[0] <= '9')) k.insert(0, "P");
  return k;
}

void writeJournal(LogLevel level, LogEventId id, std::string_view message,
                  std::span<const LogField> fields) {
  std::vector<std::string> items = EventLog::journalFields(level, id, message, fields);
  std::vector<iovec> iov;
  for (auto& s : items) iov.push_back(iovec{s.data(), s.size()});
  sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
}

void createLogger(LogState& s) {
  std::call_once(s.logger_once, [&s] {
    s.stderr_logger = std::make_shared<spdlog::logger>(
        "passerelle", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    s.stderr_logger->set_pattern("%v");  // lines are formatted here, not by spdlog
    s.stderr_logger->flush_on(spdlog::level::trace);
  });
}

}  // namespace

std::vector<std::string> EventLog::journalFields(LogLevel level, LogEventId id,
                                                 std::string_view message,
                                                 std::span<const LogField> fields) {
  std::vector<std::string> items;
  // MESSAGE keeps the fields too: `journalctl -u passerelle` shows only it.
  // They are also journal fields of their own (PARTNER=, RUN=...) to match on.
  std::string text = formatText(level, message, fields);
  text.erase(0, text.find(' ') + 1);  // the level is PRIORITY
  items.push_back("MESSAGE=" + text);
  items.push_back("PRIORITY=" + std::to_string(journalPriority(level)));
  items.push_back("SYSLOG_IDENTIFIER=passerelle");
  if (id != LogEventId::kNone) items.push_back("MESSAGE_ID=" + std::string(messageId(id)));
  for (const auto& f : fields) items.push_back(journalKey(f.key) + "=" + f.value);
  return items;
}

LogOutput EventLog::output() {
  return state().output.load();
}

LogOutput EventLog::detectOutput(const connectors::Host& host, bool json_lines) {
  // systemd sets JOURNAL_STREAM to "device:inode" of the stream it connected
  // to standard error; only then is the journal the right place.
  if (const auto js = host.variable("JOURNAL_STREAM")) {
    struct stat st {};
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(js->c_str(), "%llu:%llu", &dev, &ino) == 2 && ::fstat(2, &st) == 0 &&
        static_cast<unsigned long long>(st.st_dev) == dev &&
        static_cast<unsigned long long>(st.st_ino) == ino)
      return LogOutput::kJournal;
  }
  return json_lines ? LogOutput::kJson : LogOutput::kText;
}

void EventLog::configure(LogOutput output, LogLevel min_level) {
  LogState& s = state();
  createLogger(s);
  s.output = output;
  s.min_level = min_level;
}

std::string EventLog::formatText(LogLevel level, std::string_view message,
                                 std::span<const LogField> fields) {
  std::string line = levelName(level);
  line += ' ';
  line.append(message);
  for (const auto& f : fields) {
    line += ' ';
    line.append(f.key);
    line += '=';
    appendTextValue(line, f.value);
  }
  return line;
}

std::string EventLog::formatJson(LogLevel level, std::string_view message,
                                 std::span<const LogField> fields) {
  std::string line = "{\"level\":\"";
  line += levelName(level);
  line += "\",\"message\":";
  formats::appendJsonString(message, line);
  for (const auto& f : fields) {
    line += ',';
    formats::appendJsonString(f.key, line);
    line += ':';
    if (f.number) {
      line += f.value;
    } else {
      formats::appendJsonString(f.value, line);
    }
  }
  line += '}';
  return line;
}

void EventLog::write(LogLevel level, LogEventId id, std::string_view message,
                     std::span<const LogField> fields) {
  LogState& s = state();
  // Not configured (tests, or a message before main() chose): plain text.
  createLogger(s);
  if (level < s.min_level.load()) return;
  switch (s.output.load()) {
    case LogOutput::kJournal:
      writeJournal(level, id, message, fields);
      return;
    case LogOutput::kJson: {
      std::string line = formatJson(level, message, fields);
      line.insert(1, "\"time\":\"" + utcStamp() + "\",");
      s.stderr_logger->info(line);
      return;
    }
    case LogOutput::kText:
      s.stderr_logger->info(utcStamp() + " " + formatText(level, message, fields));
      return;
  }
}

}  // namespace passerelle::daemon
