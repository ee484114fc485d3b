// EventLog: key=value text, JSON lines (URL scrubbing: connectors/url).
#include "daemon/log/event_log.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

using namespace passerelle::daemon;

TEST_CASE("text events: message then key=value, quoted when needed") {
  CHECK(EventLog::formatText(LogLevel::kInfo, "import done",
                             {{"partner", "cfa-rennes"}, {"run", 12L}, {"file", "YMAG 1.csv"}}) ==
        "info import done partner=cfa-rennes run=12 file=\"YMAG 1.csv\"");
  CHECK(EventLog::formatText(LogLevel::kWarning, "poll failed", {{"cause", ""}}) ==
        "warning poll failed cause=\"\"");
}

TEST_CASE("JSON events: one object, numbers as numbers, texts as strings") {
  CHECK(EventLog::formatJson(LogLevel::kError, "push failed",
                             {{"destination", "lba"},
                              {"http_status", 429},
                              {"run", 12L},
                              {"sent", 3LL},
                              {"ref", "123"}}) ==
        "{\"level\":\"error\",\"message\":\"push failed\",\"destination\":\"lba\","
        "\"http_status\":429,\"run\":12,\"sent\":3,\"ref\":\"123\"}");
}

TEST_CASE("journal: one field per key, a MESSAGE_ID for watched events, no source location") {
  const LogField fields[] = {{"partner", "cfa-rennes"}, {"run", 12L}, {"file", "YMAG 1.csv"}};
  const std::vector<std::string> items = EventLog::journalFields(
      LogLevel::kWarning, LogEventId::kFileQuarantined, "file quarantined", fields);
  auto has = [&](const std::string& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
  };
  CHECK(has("MESSAGE=file quarantined partner=cfa-rennes run=12 file=\"YMAG 1.csv\""));
  CHECK(has("PRIORITY=4"));
  CHECK(has("MESSAGE_ID=" + std::string(messageId(LogEventId::kFileQuarantined))));
  CHECK(has("PARTNER=cfa-rennes"));
  CHECK(has("RUN=12"));
  CHECK(has("FILE=YMAG 1.csv"));
  for (const auto& item : items) CHECK(item.rfind("CODE_", 0) != 0);
  const std::vector<std::string> plain =
      EventLog::journalFields(LogLevel::kInfo, LogEventId::kNone, "stopping", {});
  for (const auto& item : plain) CHECK(item.rfind("MESSAGE_ID=", 0) != 0);
}

TEST_CASE("message ids: fixed, 128-bit, all different") {
  std::set<std::string_view> ids;
  for (LogEventId id :
       {LogEventId::kFileImported, LogEventId::kFileRefused, LogEventId::kFileQuarantined,
        LogEventId::kDestinationPaused, LogEventId::kDestinationResumed}) {
    const std::string_view hex = messageId(id);
    CHECK(hex.size() == 32);
    CHECK(hex.find_first_not_of("0123456789abcdef") == std::string_view::npos);
    CHECK(ids.insert(hex).second);
  }
  CHECK(messageId(LogEventId::kNone).empty());
}
