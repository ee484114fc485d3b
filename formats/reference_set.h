// ReferenceSet: an insert-only set of short strings (a file's source_refs),
// kept flat: the strings end to end in one buffer, and an open-addressing
// table of (hash, offset, length) slots.
//
// Why not std::unordered_set<std::string>: on a 100,000-offer file its
// inserts were 6% of `check`'s time on the reader's thread, the one part
// that stays sequential. Each insert allocated a node and touched two cache
// lines that were likely cold (the bucket, then the node); here an insert
// touches one slot, allocates nothing (the buffer and the table grow by
// doubling) and compares bytes only when the full 64-bit hashes are equal.
//
// Memory: the strings' bytes plus 16 bytes per slot, at most twice as many
// slots as strings after a growth (load factor kept at or under 1/2).
//
// A partner's file is input we do not control: references chosen so that
// their hashes share a slot would make every insert walk one long run
// (quadratic time). The slot is taken from the hash mixed with a seed drawn
// at construction, so which references collide cannot be known in advance.
//
// Thread safety: none; one owner (ReferenceClaims, on the reader's thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace passerelle::formats {

class ReferenceSet {
 public:
  ReferenceSet();
  // Adds `text`; false, changing nothing, when it was already there.
  bool insert(std::string_view text);
  bool contains(std::string_view text) const;
  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t offset = 0;  // in bytes_
    std::uint32_t length = 0;  // kEmpty: a free slot
  };
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;

  // The first slot to probe for `hash`.
  std::size_t home(std::uint64_t hash) const;
  // The slot holding `text`, or the free slot where it belongs.
  std::size_t find(std::string_view text, std::uint64_t hash) const;
  void grow();

  const std::uint64_t seed_;
  std::string bytes_;
  std::vector<Slot> slots_;  // 2^(64 - shift_) of them, or none
  unsigned shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace passerelle::formats
