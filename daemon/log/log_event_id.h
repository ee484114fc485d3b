// LogEventId: the events an operator or a monitoring rule watches for, each
// with a fixed 128-bit journal MESSAGE_ID (systemd's catalog convention), so
// that `journalctl MESSAGE_ID=...` finds them whatever their wording.
//
// The ids are declared here and nowhere else; they never change once
// released (they were generated at random, like `systemd-id128 new`).
//
// Thread safety: constants and a pure function.
#pragma once

#include <string_view>

namespace passerelle::daemon {

enum class LogEventId {
  kNone,
  kFileImported,
  kFileRefused,
  kFileQuarantined,
  kDestinationPaused,
  kDestinationResumed,
};

// The 32 lower-case hex digits of the event's MESSAGE_ID; empty for kNone.
constexpr std::string_view messageId(LogEventId id) {
  switch (id) {
    case LogEventId::kNone:
      return {};
    case LogEventId::kFileImported:
      return "6b1f3c2e9a4d4e7f8c0a5d2b7e9f1a34";
    case LogEventId::kFileRefused:
      return "c47e2a9d15b84f06a3e7d9c2b18f5e60";
    case LogEventId::kFileQuarantined:
      return "0f9d8e7c6b5a4f3e9d2c1b0a8f7e6d52";
    case LogEventId::kDestinationPaused:
      return "a2c4e6f8b1d34f5a9c7e0b2d4f6a8c19";
    case LogEventId::kDestinationResumed:
      return "5e3b1d9f7a2c4e6b8d0f2a4c6e8b0d27";
  }
  return {};
}

}  // namespace passerelle::daemon
