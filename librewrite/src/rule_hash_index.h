// SPDX-License-Identifier: BSD-2-Clause
// rule_hash_index.h (private): a flat open-addressing hash index from a 64-bit key hash to a 32-bit value
// (a rule number). It keeps no keys: a slot is {the hash's upper 32 bits, value}, 8 bytes, and the caller
// confirms a candidate against its own copy of the key, which happens only when the stored bits match.
// A miss is then one memory access, a hit one plus the caller's key check.
//
// Capacity is a power of two, at most half full; probing is linear. The home slot comes from the top
// bits of the hash, which the stored 32 bits contain, so the index can grow without the keys.
// Thread safety: const member functions may run concurrently; nothing may run concurrently with insert.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rewrite::detail {

class HashIndex {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;  // "no value"; never stored

  // Makes room for count entries in all without growing again. Requires: the index is empty.
  void reserve(std::size_t count) {
    int bits = 3;
    while ((std::size_t{1} << bits) < 2 * count) ++bits;
    resize(bits);
  }

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
    const std::uint32_t tag = tag_of(hash);
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

  // Returns the number of values stored.
  std::size_t size() const { return size_; }

  // Returns the number of slots (a power of two, at least twice size()), 0 before the first insert.
  std::size_t capacity() const { return slots_.size(); }

 private:
  struct Slot {
    std::uint32_t tag;    // upper 32 bits of the key's hash
    std::uint32_t value;  // kNone: empty
  };

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
