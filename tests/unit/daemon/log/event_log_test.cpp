// EventLog: key=value text, JSON lines (URL scrubbing: connectors/url).
#include "daemon/log/event_log.h"

#include <doctest/doctest.h>

using namespace passerelle::daemon;

TEST_CASE("text events: message then key=value, quoted when needed") {
  CHECK(EventLog::formatText(LogLevel::kInfo, "import done",
                             {{"partner", "cfa-rennes"}, {"run", 12L}, {"file", "YMAG 1.csv"}}) ==
        "info import done partner=cfa-rennes run=12 file=\"YMAG 1.csv\"");
  CHECK(EventLog::formatText(LogLevel::kWarning, "poll failed", {{"cause", ""}}) ==
        "warning poll failed cause=\"\"");
}

TEST_CASE("JSON events: one object, fields as strings") {
  CHECK(EventLog::formatJson(LogLevel::kError, "push failed",
                             {{"destination", "lba"}, {"http_status", 429}}) ==
        "{\"level\":\"error\",\"message\":\"push failed\",\"destination\":\"lba\","
        "\"http_status\":\"429\"}");
}
