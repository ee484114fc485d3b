// FranceTravailPush: the worker of the `france-travail` destination
// (shared/specs/destinations/france-travail.md): one batch = one file.
//
// A batch claims every due france-travail movement (the outbox holds at most
// one pending per offer, so at most one row per offer), reads each offer's
// current state and the hash of the row France Travail last accepted, and
// lets decideFt choose: C (never accepted), M (accepted, row differs), S
// (accepted, and now withdrawn, expired or no longer shared), nothing, or
// not eligible (reasons recorded, never in a file). Movements with nothing
// to send are settled at once; the others go into one file (FtFileBuilder),
// sent (or spooled) by FranceTravailClient. Accepted: every movement of the
// file settled `sent` and the accepted row hash stored (C/M) or cleared (S),
// in one transaction. Refused: every movement of the file retried later with
// backoff, the answer kept in their history. No transaction is open during
// the upload. An empty batch sends nothing.
//
// Thread safety: one FranceTravailPush per thread (it uses its connection);
// several daemons may run batches at once: their claims never overlap.
#pragma once

#include <string>

#include <pqxx/pqxx>

#include "connectors/france_travail/france_travail_client.h"
#include "connectors/france_travail/france_travail_file.h"
#include "daemon/store/destination_state.h"
#include "daemon/store/outbox.h"

namespace passerelle::daemon {

inline constexpr const char* kFranceTravailDestination = "france-travail";

struct FtPushSettings {
  connectors::FtFeedSettings feed;
  std::string feed_name;  // nomFlux, also the file name's prefix
  bool zip = false;
  int batch_limit = 100000;  // movements per file at most
};

struct FtBatchResult {
  PushCounts counts;
  long rows = 0;  // rows in the file (0: nothing sent)
  bool accepted = false;
  std::string file_name;
  std::string answer;
  bool stopped = false;  // stop requested: nothing sent (or abandoned), movements pending
};

class FranceTravailPush {
 public:
  FranceTravailPush(pqxx::connection& connection, connectors::FranceTravailClient& client,
                    Outbox& outbox, FtPushSettings settings);

  // Builds and sends one batch; records a push_runs row when it claimed anything.
  FtBatchResult runBatch();

 private:
  struct Batch;
  void decide(const std::vector<Movement>& claimed, Batch& batch, PushCounts& counts);
  void send(Batch& batch, FtBatchResult& result, PushRunEnd& end);
  void recordAccepted(pqxx::transaction_base& tx, const Batch& batch,
                      const connectors::FtUploadResult& upload, PushCounts& counts);
  void recordRefused(pqxx::transaction_base& tx, const Batch& batch,
                     const connectors::FtUploadResult& upload, const std::string& error,
                     PushCounts& counts);
  void releaseStopped(const Batch& batch, PushCounts& counts);

  pqxx::connection& db_;
  connectors::FranceTravailClient& client_;
  Outbox& outbox_;
  FtPushSettings settings_;
};

}  // namespace passerelle::daemon
