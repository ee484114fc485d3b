#include "formats/dialect.h"

#include <array>

namespace passerelle::formats {

std::string_view fieldPath(FieldId id) {
  static constexpr std::array<std::string_view, kFieldCount> kPaths = {
      "movement",
      "source_ref",
      "employer.siret",
      "employer.name",
      "employer.naf",
      "title",
      "description",
      "rome_codes",
      "contract.type",
      "contract.start",
      "contract.duration_months",
      "positions",
      "diploma.level",
      "diploma.title",
      "diploma.rncp",
      "workplace.address",
      "workplace.postal_code",
      "workplace.city",
      "workplace.insee",
      "contact.name",
      "contact.email",
      "contact.phone",
      "publication.expires",
      "share_with_france_travail",
      "source_updated_at",
  };
  return kPaths[static_cast<std::size_t>(id)];
}

std::optional<FieldId> fieldOfPath(std::string_view path) {
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    const auto id = static_cast<FieldId>(i);
    if (fieldPath(id) == path) return id;
  }
  return std::nullopt;
}

std::string columnsFeeding(const DialectSpec& spec, FieldId field) {
  std::string out;
  for (const ColumnSpec& c : spec.columns)
    if (c.field == field) out += (out.empty() ? "" : ", ") + c.header;
  return out;
}

RecordRole Dialect::classify(std::string_view, const RecordContext& ctx) const {
  return ctx.header_seen ? RecordRole::kData : RecordRole::kHeader;
}

std::optional<FileIssue> Dialect::checkEnvelope(const std::vector<std::string>&, long,
                                                const ReadOptions&) const {
  return std::nullopt;
}

std::optional<FileIssue> Dialect::checkEnd(const std::vector<std::string>*, long, long) const {
  return std::nullopt;
}

std::string_view Dialect::transformField(FieldId, std::string_view value, std::string&) const {
  return value;
}

}  // namespace passerelle::formats
