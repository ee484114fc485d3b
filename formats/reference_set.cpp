#include "formats/reference_set.h"

#include <functional>
#include <random>
#include <stdexcept>
#include <utility>

namespace passerelle::formats {

namespace {

std::uint64_t hashOf(std::string_view text) {
  return std::hash<std::string_view>{}(text);
}

std::uint64_t randomSeed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

ReferenceSet::ReferenceSet() : seed_(randomSeed()) {}

// Fibonacci hashing of the seeded hash: the top bits of the product depend
// on every bit of both, through the carries.
std::size_t ReferenceSet::home(std::uint64_t hash) const {
  return static_cast<std::size_t>(((hash ^ seed_) * 0x9E3779B97F4A7C15ULL) >> shift_);
}

std::size_t ReferenceSet::find(std::string_view text, std::uint64_t hash) const {
  const std::size_t mask = slots_.size() - 1;
  // Linear probing: with the load at most 1/2, a probe ends after about two
  // slots on average, and neighbours share a cache line.
  for (std::size_t i = home(hash);; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.length == kEmpty) return i;
    if (slot.hash == hash && slot.length == text.size() &&
        std::string_view(bytes_.data() + slot.offset, slot.length) == text)
      return i;
  }
}

bool ReferenceSet::contains(std::string_view text) const {
  if (slots_.empty()) return false;
  return slots_[find(text, hashOf(text))].length != kEmpty;
}

bool ReferenceSet::insert(std::string_view text) {
  if (2 * (size_ + 1) > slots_.size()) grow();
  const std::uint64_t hash = hashOf(text);
  Slot& slot = slots_[find(text, hash)];
  if (slot.length != kEmpty) return false;
  // Offsets and lengths are 32-bit: 4 GiB of references is far beyond any
  // file a reader accepts (records are bounded, CsvLimits), but say so.
  if (bytes_.size() + text.size() >= kEmpty || text.size() >= kEmpty)
    throw std::length_error("ReferenceSet: more than 4 GiB of references");
  slot = Slot{hash, static_cast<std::uint32_t>(bytes_.size()),
              static_cast<std::uint32_t>(text.size())};
  bytes_.append(text);
  ++size_;
  return true;
}

void ReferenceSet::grow() {
  std::vector<Slot> old = std::exchange(slots_, {});
  shift_ = old.empty() ? 64 - 10 : shift_ - 1;  // 1,024 slots, then twice as many
  slots_.assign(std::size_t{1} << (64 - shift_), Slot{0, 0, kEmpty});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.length == kEmpty) continue;
    std::size_t i = home(slot.hash);
    while (slots_[i].length != kEmpty) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

}  // namespace passerelle::formats
