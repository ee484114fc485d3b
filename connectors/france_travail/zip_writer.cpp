#include "connectors/france_travail/zip_writer.h"

#include <zlib.h>

#include <cstdint>
#include <limits>

namespace passerelle::connectors {
namespace {

void put16(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void put32(std::string& out, std::uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}

// Raw deflate (no zlib header: windowBits -15), as the zip format wants.
std::optional<std::string> deflateRaw(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::nullopt;
  }
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const auto written = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return std::nullopt;
  out.resize(written);
  return out;
}

struct DosTime {
  std::uint32_t time, date;
};
DosTime dosTime(const formats::CivilDateTime& t) {
  const int year = t.date.year < 1980 ? 1980 : t.date.year;
  return {static_cast<std::uint32_t>((t.hour << 11) | (t.minute << 5) | (t.second / 2)),
          static_cast<std::uint32_t>(((year - 1980) << 9) | (t.date.month << 5) | t.date.day)};
}

// The fields local and central headers share, from "version needed" to the
// name length.
void putCommon(std::string& out, DosTime when, std::uint32_t crc, std::uint32_t compressed,
               std::uint32_t size, std::uint32_t name_length) {
  put16(out, 20);      // version needed: 2.0 (deflate)
  put16(out, 0x0800);  // flags: bit 11 = name is UTF-8
  put16(out, 8);       // method: deflate
  put16(out, when.time);
  put16(out, when.date);
  put32(out, crc);
  put32(out, compressed);
  put32(out, size);
  put16(out, name_length);
}

}  // namespace

std::optional<std::string> zipSingleFile(std::string_view entry_name, std::string_view data,
                                         const formats::CivilDateTime& modified) {
  constexpr std::size_t kMax = std::numeric_limits<std::uint32_t>::max() - 1024;
  if (data.size() > kMax || entry_name.size() > 0xFFFF) return std::nullopt;
  auto compressed = deflateRaw(data);
  if (!compressed || compressed->size() > kMax) return std::nullopt;
  const auto crc = static_cast<std::uint32_t>(crc32(crc32(0L, Z_NULL, 0),
                                                    reinterpret_cast<const Bytef*>(data.data()),
                                                    static_cast<uInt>(data.size())));
  const DosTime when = dosTime(modified);
  const auto csize = static_cast<std::uint32_t>(compressed->size());
  const auto usize = static_cast<std::uint32_t>(data.size());
  const auto nlen = static_cast<std::uint32_t>(entry_name.size());

  std::string out;
  out.reserve(compressed->size() + 2 * entry_name.size() + 128);
  put32(out, 0x04034b50);  // local file header
  putCommon(out, when, crc, csize, usize, nlen);
  put16(out, 0);  // extra length
  out.append(entry_name);
  out.append(*compressed);

  const auto central_offset = static_cast<std::uint32_t>(out.size());
  put32(out, 0x02014b50);  // central directory header
  put16(out, 0x0314);      // made by: Unix, spec 2.0
  putCommon(out, when, crc, csize, usize, nlen);
  put16(out, 0);               // extra length
  put16(out, 0);               // comment length
  put16(out, 0);               // disk number
  put16(out, 0);               // internal attributes
  put32(out, 0100644u << 16);  // external attributes: a regular file, rw-r--r--
  put32(out, 0);               // offset of the local header
  out.append(entry_name);
  const auto central_size = static_cast<std::uint32_t>(out.size()) - central_offset;

  put32(out, 0x06054b50);  // end of central directory
  put16(out, 0);
  put16(out, 0);
  put16(out, 1);
  put16(out, 1);
  put32(out, central_size);
  put32(out, central_offset);
  put16(out, 0);  // comment length
  return out;
}

}  // namespace passerelle::connectors
