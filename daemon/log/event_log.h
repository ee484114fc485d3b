// EventLog: the daemon's log, one line per event (operations.md "Logs").
//
// An event is a short message and key=value fields (partner, file, run,
// ref, destination, http_status...). Three outputs, chosen once at start:
//  - text on standard error: `2026-11-26T13:00:00.123Z info import done partner=x run=12`;
//  - JSON lines on standard error, for log shippers;
//  - the systemd journal, the fields sent as journal fields (PARTNER=x, RUN=12)
//    next to MESSAGE and PRIORITY; chosen automatically when standard error
//    is the journal ($JOURNAL_STREAM, read through the Host).
// The message is a short sentence that does not change; the context is in
// the fields. In the journal every field is a journal field of its own, with
// no source location, and the events of log_event_id.h carry their fixed
// MESSAGE_ID. In JSON lines, a field given as a number is a JSON number.
// Values are never secrets: callers log names and codes, never a password,
// a key or a secret file's content; a URL is logged through
// connectors::scrubUrl() (connectors/url/scrub_url.h), which drops its
// user and password.
//
// main() configures the output before any command runs; until configure()
// is called (tests), lines go to standard error as text. The daemon calls
// configure() again when a reload changes log_format.
//
// Thread safety: write() may be called from any thread (the sink serialises
// lines); configure() may be called while others log (the output and level
// are atomics: a line is written whole in the old or the new format).
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/host/host.h"
#include "daemon/log/log_event_id.h"

namespace passerelle::daemon {

enum class LogLevel { kDebug, kInfo, kWarning, kError };
enum class LogOutput { kText, kJson, kJournal };

struct LogField {
  std::string_view key;
  std::string value;
  bool number = false;  // written bare in JSON lines
  LogField(std::string_view k, std::string v) : key(k), value(std::move(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, long long v) : key(k), value(std::to_string(v)), number(true) {}
  LogField(std::string_view k, long v) : key(k), value(std::to_string(v)), number(true) {}
  LogField(std::string_view k, int v) : key(k), value(std::to_string(v)), number(true) {}
  LogField(std::string_view k, unsigned long v) : key(k), value(std::to_string(v)), number(true) {}
  LogField(std::string_view k, unsigned long long v)
      : key(k), value(std::to_string(v)), number(true) {}
};

class EventLog {
 public:
  // The output for this process: the journal when standard error is it,
  // else JSON lines if asked, else text.
  static LogOutput detectOutput(const connectors::Host& host, bool json_lines);
  static void configure(LogOutput output, LogLevel min_level = LogLevel::kInfo);
  static void write(LogLevel level, std::string_view message, std::span<const LogField> fields) {
    write(level, LogEventId::kNone, message, fields);
  }
  static void write(LogLevel level, std::string_view message,
                    std::initializer_list<LogField> fields = {}) {
    write(level, message, std::span<const LogField>(fields.begin(), fields.size()));
  }
  // An event with a journal MESSAGE_ID (log_event_id.h).
  static void write(LogLevel level, LogEventId id, std::string_view message,
                    std::span<const LogField> fields);
  static void write(LogLevel level, LogEventId id, std::string_view message,
                    std::initializer_list<LogField> fields) {
    write(level, id, message, std::span<const LogField>(fields.begin(), fields.size()));
  }
  static LogOutput output();

  // The journal's fields of an event (MESSAGE, PRIORITY, MESSAGE_ID...), for
  // tests: what sd_journal_sendv() is given.
  static std::vector<std::string> journalFields(LogLevel level, LogEventId id,
                                                std::string_view message,
                                                std::span<const LogField> fields);

  // The line a text or JSON output would print (without the time stamp), for
  // tests and for messages that also go to the terminal.
  static std::string formatText(LogLevel level, std::string_view message,
                                std::span<const LogField> fields);
  static std::string formatJson(LogLevel level, std::string_view message,
                                std::span<const LogField> fields);
  static std::string formatText(LogLevel level, std::string_view message,
                                std::initializer_list<LogField> fields) {
    return formatText(level, message, std::span<const LogField>(fields.begin(), fields.size()));
  }
  static std::string formatJson(LogLevel level, std::string_view message,
                                std::initializer_list<LogField> fields) {
    return formatJson(level, message, std::span<const LogField>(fields.begin(), fields.size()));
  }
};

inline void logInfo(std::string_view m, std::initializer_list<LogField> f = {}) {
  EventLog::write(LogLevel::kInfo, m, f);
}
inline void logWarning(std::string_view m, std::initializer_list<LogField> f = {}) {
  EventLog::write(LogLevel::kWarning, m, f);
}
inline void logError(std::string_view m, std::initializer_list<LogField> f = {}) {
  EventLog::write(LogLevel::kError, m, f);
}

}  // namespace passerelle::daemon
