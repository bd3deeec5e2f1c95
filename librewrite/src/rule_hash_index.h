// SPDX-License-Identifier: BSD-2-Clause
// rule_hash_index.h (private): a flat open-addressing hash index from a 64-bit key hash to a 32-bit value
// (a rule number). It keeps no keys: a slot is {the hash's upper 32 bits, value}, 8 bytes, and the caller
// confirms a candidate against its own copy of the key, which happens only when the stored bits match.
// A miss is then one memory access, a hit one plus the caller's key check.
//
// Capacity is a power of two, at most half full; probing is linear. The home slot comes from the top
// bits of the hash, which the stored 32 bits contain, so the index can grow without the keys.
// A large table is filled faster in batches (insert_batch): a batch is put in slot order first, so that
// its writes run through the slots once instead of jumping at random, each page and cache line of the
// slots visited once per batch rather than once per entry.
// Thread safety: const member functions may run concurrently; nothing may run concurrently with insert
// or insert_batch.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rewrite::detail {

class HashIndex {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;  // "no value"; never stored

  // Makes room for count entries in all without growing again. Requires: the index is empty.
  void reserve(std::size_t count) { resize(bits_for(count)); }

  // Starts loading the slot where hash is looked for into the cache, so that misses overlap.
  void prefetch(std::uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(tag_of(hash))]);
  }

  // Returns the value stored under hash whose key same_key(value) confirms, or kNone.
  template <class SameKey>
  std::uint32_t find(std::uint64_t hash, SameKey same_key) const {
    if (slots_.empty()) return kNone;
    const std::uint32_t tag = tag_of(hash);
    for (std::size_t at = home(tag);; at = (at + 1) & mask_) {
      const Slot& slot = slots_[at];
      if (slot.value == kNone) return kNone;
      if (slot.tag == tag && same_key(slot.value)) return slot.value;
    }
  }

  // Stores value under hash unless a value whose key same_key(value) confirms is already there.
  // Returns kNone when value was stored, otherwise the value already there. Requires: value != kNone.
  template <class SameKey>
  std::uint32_t insert(std::uint64_t hash, std::uint32_t value, SameKey same_key) {
    if (2 * (size_ + 1) > slots_.size()) resize(slots_.empty() ? 3 : bits_ + 1);
    return place(tag_of(hash), value, same_key);
  }

  // A value waiting for insert_batch, with the part of its key's hash that a slot keeps.
  struct Pending {
    std::uint32_t tag;
    std::uint32_t value;
  };

  // Returns the Pending entry for value under hash.
  static Pending pending(std::uint64_t hash, std::uint32_t value) { return Pending{tag_of(hash), value}; }

  // Stores the values of batch as insert would one after another in their order: of values with the
  // same key (same_key(stored, value)), the one stored first, or first in batch, stays, and
  // duplicate(stored, value) is called for each other one, in slot order. sorted is room the batch is put
  // in slot order in; keep it from batch to batch. Grows the slots first when they are too few (reserve
  // them for all batches beforehand: growing moves every entry).
  template <class SameKey, class Duplicate>
  void insert_batch(const std::vector<Pending>& batch, std::vector<Pending>& sorted, SameKey same_key,
                    Duplicate duplicate) {
    if (2 * (size_ + batch.size()) > slots_.size()) resize(bits_for(size_ + batch.size()));
    // A stable counting sort on the top bits of the tag (at most 2^12 buckets, so that their counts
    // stay in the first-level cache): values with one key share their tag, so they keep batch order.
    const int bucket_bits = std::min(bits_, 12);
    const int shift = 32 - bucket_bits;
    std::size_t starts[(1 << 12) + 1] = {};
    for (const Pending& entry : batch) ++starts[(entry.tag >> shift) + 1];
    for (std::size_t b = 1; b <= (std::size_t{1} << bucket_bits); ++b) starts[b] += starts[b - 1];
    sorted.resize(batch.size());
    for (const Pending& entry : batch) sorted[starts[entry.tag >> shift]++] = entry;
    for (const Pending& entry : sorted) {
      const std::uint32_t stored =
          place(entry.tag, entry.value, [&](std::uint32_t other) { return same_key(other, entry.value); });
      if (stored != kNone) duplicate(stored, entry.value);
    }
  }

  // Returns the number of values stored.
  std::size_t size() const { return size_; }

  // Returns the number of slots (a power of two, at least twice size()), 0 before the first insert.
  std::size_t capacity() const { return slots_.size(); }

 private:
  struct Slot {
    std::uint32_t tag;    // upper 32 bits of the key's hash
    std::uint32_t value;  // kNone: empty
  };

  // Returns the bits of a slot number for count values to fill at most half of the slots.
  static int bits_for(std::size_t count) {
    int bits = 3;
    while ((std::size_t{1} << bits) < 2 * count) ++bits;
    return bits;
  }

  // Stores value under tag unless a value whose key same_key(value) confirms is already there; returns
  // kNone when stored, otherwise that value. Requires: a free slot.
  template <class SameKey>
  std::uint32_t place(std::uint32_t tag, std::uint32_t value, SameKey same_key) {
    std::size_t at = home(tag);
    for (;; at = (at + 1) & mask_) {
      const Slot& slot = slots_[at];
      if (slot.value == kNone) break;
      if (slot.tag == tag && same_key(slot.value)) return slot.value;
    }
    slots_[at] = Slot{tag, value};
    ++size_;
    return kNone;
  }

  // Returns the bits of hash a slot keeps.
  static std::uint32_t tag_of(std::uint64_t hash) { return static_cast<std::uint32_t>(hash >> 32); }

  // Returns the home slot of tag: its top bits_ bits.
  std::size_t home(std::uint32_t tag) const { return static_cast<std::size_t>(tag >> (32 - bits_)); }

  // Rebuilds the slots with 2^bits of them, re-placing every entry from its tag. Requires: 3 <= bits <= 32.
  void resize(int bits) {
    std::vector<Slot> old(std::size_t{1} << bits, Slot{0, kNone});
    old.swap(slots_);
    bits_ = bits;
    mask_ = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.value == kNone) continue;
      std::size_t at = home(slot.tag);
      while (slots_[at].value != kNone) at = (at + 1) & mask_;
      slots_[at] = slot;
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  int bits_ = 0;
  std::size_t size_ = 0;
};

}  // namespace rewrite::detail
