// bench_tokenizer FILE [DELIMITER]: tokenizes FILE with passerelle's
// CsvTokenizer and with libcsv (the library the stack first named), and with
// a raw line splitter as a floor, printing MB/s for each. Used to justify the
// own tokenizer (bench/README.md): it must not be slower than libcsv.
#include <csv.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "formats/csv_tokenizer.h"
#include "formats/offer_file_reader.h"

namespace {

constexpr std::size_t kChunk = 1 << 20;

template <class F>
double timeIt(F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct LibcsvCounts {
  long fields = 0, records = 0;
};

void onField(void*, size_t, void* data) {
  ++static_cast<LibcsvCounts*>(data)->fields;
}
void onRecord(int, void* data) {
  ++static_cast<LibcsvCounts*>(data)->records;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_tokenizer FILE [DELIMITER]\n");
    return 64;
  }
  const std::string path = argv[1];
  const char delimiter = argc > 2 ? argv[2][0] : ';';
  std::vector<char> buffer(kChunk);
  double size_mb = 0;

  long ours_records = 0;
  double ours = timeIt([&] {
    passerelle::formats::FileByteSource src(path);
    passerelle::formats::CsvTokenizer tok(delimiter);
    auto on = [&](const passerelle::formats::CsvRecord&) { ++ours_records; };
    while (std::size_t n = src.read(buffer.data(), buffer.size())) {
      size_mb += n / 1e6;
      tok.feed(std::string_view(buffer.data(), n), on);
    }
    tok.finish(on);
  });

  LibcsvCounts counts;
  double libcsv = timeIt([&] {
    passerelle::formats::FileByteSource src(path);
    struct csv_parser p;
    csv_init(&p, CSV_APPEND_NULL);
    csv_set_delim(&p, static_cast<unsigned char>(delimiter));
    while (std::size_t n = src.read(buffer.data(), buffer.size()))
      csv_parse(&p, buffer.data(), n, onField, onRecord, &counts);
    csv_fini(&p, onField, onRecord, &counts);
    csv_free(&p);
  });

  long lines = 0;
  double raw = timeIt([&] {
    passerelle::formats::FileByteSource src(path);
    while (std::size_t n = src.read(buffer.data(), buffer.size())) {
      const char* p = buffer.data();
      const char* end = p + n;
      while ((p = static_cast<const char*>(std::memchr(p, '\n', end - p)))) {
        ++lines;
        ++p;
      }
    }
  });

  std::printf("file: %.1f MB\n", size_mb);
  std::printf("CsvTokenizer : %8.1f MB/s  (%ld records)\n", size_mb / ours, ours_records);
  std::printf("libcsv       : %8.1f MB/s  (%ld records)\n", size_mb / libcsv, counts.records);
  std::printf("memchr lines : %8.1f MB/s  (%ld lines)\n", size_mb / raw, lines);
  return 0;
}
