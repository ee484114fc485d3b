#include "daemon/cli/offer_command.h"

#include <cstdio>
#include <memory>

#include "daemon/cli/known_partner.h"
#include "daemon/cli/store_commands.h"
#include "daemon/cli/text_table.h"
#include "daemon/cli/timestamp.h"
#include "daemon/destinations/registry.h"

namespace passerelle::daemon {
namespace {

using Json = nlohmann::ordered_json;

Json textOrNull(const pqxx::field& f) {
  return f.is_null() ? Json() : Json(f.c_str());
}

Json numberOrNull(const pqxx::field& f) {
  return f.is_null() ? Json() : Json(f.as<long>());
}

Json timeOrNull(const pqxx::field& f) {
  const auto t = timestampField(f);
  return t ? Json(*t) : Json();
}

// Top-level keys whose values differ between two versions' content; where
// the row stood in the file and which movement carried it are not content.
Json changedFields(const Json& before, const Json& after) {
  auto isContent = [](const std::string& key) { return key != "line" && key != "movement"; };
  Json fields = Json::array();
  for (const auto& [key, value] : after.items()) {
    if (isContent(key) && (!before.contains(key) || before[key] != value)) fields.push_back(key);
  }
  for (const auto& [key, value] : before.items())
    if (isContent(key) && !after.contains(key)) fields.push_back(key);
  return fields;
}

// Every version, oldest first. An update stores the content it replaced, so
// the versions are walked from the newest back, starting from the current
// content: each update's fields are those that differ between what it
// replaced and what came after it.
Json versions(pqxx::transaction_base& tx, const std::string& partner, const std::string& ref,
              const Json& current) {
  const pqxx::result rows = tx.exec_params(
      "SELECT h.change, h.old_status, h.new_status, h.run_id, r.file_name, " + sqlEpoch("h.at") +
          ", h.replaced_json, h.new_hash, h.old_hash FROM offer_history h"
          " LEFT JOIN import_runs r ON r.id = h.run_id"
          " WHERE h.partner = $1 AND h.source_ref = $2 ORDER BY h.id",
      partner, ref);
  Json out = Json::array();
  for (const pqxx::row& row : rows) {
    Json v;
    v["at"] = timeOrNull(row[5]);
    v["change"] = row[0].c_str();
    v["old_status"] = textOrNull(row[1]);
    v["status"] = row[2].c_str();
    v["run"] = numberOrNull(row[3]);
    v["file"] = textOrNull(row[4]);
    out.push_back(std::move(v));
  }
  std::optional<Json> after = current;  // the content after the version being read
  for (std::size_t i = rows.size(); i-- > 0;) {
    const pqxx::row& row = rows[i];
    const bool same_content =
        !row[8].is_null() && row[7].as<std::string>() == row[8].as<std::string>();
    if (row[8].is_null() || same_content) {
      // A first version brings every field; a status change changes none.
      out[i]["fields_changed"] = Json::array();
    } else if (!row[6].is_null() && after) {
      const Json replaced = Json::parse(row[6].c_str());
      out[i]["fields_changed"] = changedFields(replaced, *after);
      after = replaced;
    } else {
      out[i]["fields_changed"] = nullptr;  // written before schema 006: unknown
      after.reset();
    }
  }
  return out;
}

Json movements(pqxx::transaction_base& tx, const std::string& partner, const std::string& ref,
               const std::string& destination) {
  Json out = Json::array();
  for (const pqxx::row& row : tx.exec_params(
           "SELECT id, kind, state, run_id, content_hash, attempts, last_http_status, last_error,"
           " errors::text, " +
               sqlEpoch("created_at") + ", " + sqlEpoch("updated_at") + ", " +
               sqlEpoch("settled_at") +
               " FROM outbox_movements WHERE partner = $1 AND source_ref = $2"
               " AND destination = $3 ORDER BY id DESC",
           partner, ref, destination)) {
    Json m;
    m["movement"] = row[0].as<long>();
    m["kind"] = row[1].c_str();
    m["state"] = row[2].c_str();
    m["run"] = numberOrNull(row[3]);
    m["content_hash"] = textOrNull(row[4]);
    m["attempts"] = row[5].as<long>();
    m["http_status"] = numberOrNull(row[6]);
    m["last_error"] = textOrNull(row[7]);
    m["errors"] = Json::parse(row[8].c_str());
    m["queued_at"] = timeOrNull(row[9]);
    m["updated_at"] = timeOrNull(row[10]);
    m["settled_at"] = timeOrNull(row[11]);
    out.push_back(std::move(m));
  }
  return out;
}

Json destinationState(pqxx::transaction_base& tx, const std::string& partner,
                      const std::string& ref, const std::string& destination) {
  Json d;
  d["destination"] = destination;
  const pqxx::result r = tx.exec_params(
      "SELECT service_id, accepted_hash, " + sqlEpoch("accepted_at") + ", " +
          sqlEpoch("closed_at") +
          ", publishing_status, publishing_error_code, publishing_error_label, " +
          sqlEpoch("publishing_checked_at") +
          ", array_to_string(not_eligible_reasons, ','), last_error, " + sqlEpoch("last_error_at") +
          ", accepted_body FROM destination_offers"
          " WHERE partner = $1 AND source_ref = $2 AND destination = $3",
      partner, ref, destination);
  const char* keys[] = {"service_id",
                        "accepted_hash",
                        "accepted_at",
                        "closed_at",
                        "publishing_status",
                        "publishing_error_code",
                        "publishing_error_label",
                        "publishing_checked_at",
                        "not_eligible_reasons",
                        "last_error",
                        "last_error_at",
                        "accepted_body"};
  for (int i = 0; i < 12; ++i) {
    if (r.empty()) {
      d[keys[i]] = nullptr;
    } else if (i == 2 || i == 3 || i == 7 || i == 10) {
      d[keys[i]] = timeOrNull(r[0][i]);
    } else {
      d[keys[i]] = textOrNull(r[0][i]);
    }
  }
  d["movements"] = movements(tx, partner, ref, destination);
  return d;
}

struct OfferOptions {
  std::optional<std::string> config_path;
  std::string partner, ref;
  bool json = false;
};

std::string show(const Json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

void printStory(const Json& story) {
  std::printf(
      "%s %s: %s (first seen %s, last changed %s)\n", story["partner"].get<std::string>().c_str(),
      story["source_ref"].get<std::string>().c_str(), story["status"].get<std::string>().c_str(),
      show(story["first_seen"]).c_str(), show(story["last_changed"]).c_str());
  std::printf("%s\n\nversions\n", story["offer"].dump(2).c_str());
  std::vector<std::vector<std::string>> rows;
  for (const Json& v : story["versions"]) {
    std::string fields = "?";
    if (v["fields_changed"].is_array()) {
      fields.clear();
      for (const Json& f : v["fields_changed"]) fields += (fields.empty() ? "" : ",") + show(f);
    }
    rows.push_back({show(v["at"]), show(v["change"]), show(v["status"]), show(v["run"]),
                    show(v["file"]), fields.empty() ? "-" : fields});
  }
  printTable({"AT", "CHANGE", "STATUS", "RUN", "FILE", "FIELDS_CHANGED"}, rows);
  for (const Json& d : story["destinations"]) {
    std::printf(
        "\n%s: service_id=%s publishing=%s%s not_eligible=%s accepted_at=%s closed_at=%s"
        " last_error=%s\n",
        show(d["destination"]).c_str(), show(d["service_id"]).c_str(),
        show(d["publishing_status"]).c_str(),
        d["publishing_error_code"].is_null() ? ""
                                             : (" (" + show(d["publishing_error_code"]) + ": " +
                                                show(d["publishing_error_label"]) + ")")
                                                   .c_str(),
        show(d["not_eligible_reasons"]).c_str(), show(d["accepted_at"]).c_str(),
        show(d["closed_at"]).c_str(), show(d["last_error"]).c_str());
    rows.clear();
    for (const Json& m : d["movements"]) {
      rows.push_back({show(m["movement"]), show(m["kind"]), show(m["state"]), show(m["run"]),
                      show(m["queued_at"]), show(m["settled_at"]), show(m["attempts"]),
                      show(m["http_status"]), show(m["last_error"])});
    }
    printTable(
        {"MOVEMENT", "KIND", "STATE", "RUN", "QUEUED", "SETTLED", "ATTEMPTS", "HTTP", "LAST_ERROR"},
        rows);
  }
}

int runOffer(const OfferOptions& o, const connectors::Host& host) {
  StoreSession session = openStoreSession(o.config_path, host);
  if (!requireKnownPartner(session.config, o.partner)) return kExitUsage;
  pqxx::read_transaction tx(*session.connection);
  const auto story = offerStoryJson(tx, o.partner, o.ref);
  if (!story) {
    std::fprintf(stderr, "passerelle: no offer %s of partner %s in the store\n", o.ref.c_str(),
                 o.partner.c_str());
    return kExitFailure;
  }
  if (o.json) {
    std::printf("%s\n", story->dump().c_str());
  } else {
    printStory(*story);
  }
  return kExitOk;
}

}  // namespace

std::optional<nlohmann::ordered_json> offerStoryJson(pqxx::transaction_base& tx,
                                                     const std::string& partner,
                                                     const std::string& ref) {
  const pqxx::result r = tx.exec_params("SELECT json, status, " + sqlEpoch("first_seen") + ", " +
                                            sqlEpoch("last_changed") +
                                            " FROM offers WHERE partner = $1 AND source_ref = $2",
                                        partner, ref);
  if (r.empty()) return std::nullopt;
  Json story;
  story["partner"] = partner;
  story["source_ref"] = ref;
  story["status"] = r[0][1].c_str();
  story["first_seen"] = timeOrNull(r[0][2]);
  story["last_changed"] = timeOrNull(r[0][3]);
  story["offer"] = Json::parse(r[0][0].c_str());
  story["versions"] = versions(tx, partner, ref, story["offer"]);
  story["destinations"] = Json::array();
  for (const std::string& destination : destinationNames())
    story["destinations"].push_back(destinationState(tx, partner, ref, destination));
  return story;
}

void addOfferCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host) {
  auto options = std::make_shared<OfferOptions>();
  CLI::App* command = app.add_subcommand(
      "offer", "One offer's story: content, versions, movements and answers per destination");
  command->add_option("--config", options->config_path, "Configuration file");
  command->add_option("PARTNER", options->partner, "The partner")->required();
  command->add_option("REF", options->ref, "The offer's source_ref")->required();
  command->add_flag("--json", options->json, "One JSON object");
  command->callback([options, &status, &host] {
    status.code = runGuarded("offer", {{"partner", options->partner}, {"ref", options->ref}},
                             [&] { return runOffer(*options, host); });
  });
}

}  // namespace passerelle::daemon
