// SPDX-License-Identifier: BSD-2-Clause
// text_arena.h (private): where a RuleTable keeps its rules' text. Strings, and the arrays of views an
// exception list is, are copied end to end into blocks that never move, so a Rule holds views (16 bytes
// each) instead of std::strings (32 bytes, and a heap block of its own past 15 characters). At 10M rules
// that is half the table's memory.
// Thread safety: filled by the one thread that loads a table; read-only once the table is built.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace rewrite::detail {

class TextArena {
 public:
  TextArena() = default;
  TextArena(TextArena&&) = default;
  TextArena& operator=(TextArena&&) = default;
  TextArena(const TextArena&) = delete;
  TextArena& operator=(const TextArena&) = delete;

  // Returns a view of a copy of text that lives as long as the arena (moves included).
  std::string_view store(std::string_view text);

  // Returns a copy of the views views[0..count) that lives as long as the arena (the characters they
  // view are not copied: store them first).
  const std::string_view* store(const std::string_view* views, std::size_t count);

 private:
  // Returns room for bytes bytes aligned to align (a power of two, at most alignof(std::max_align_t)).
  char* allocate(std::size_t bytes, std::size_t align);

  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;     // the free part of the last block
  std::size_t left_ = 0;     // its size
  std::size_t capacity_ = 0;  // the bytes of all blocks: the next block doubles it
};

}  // namespace rewrite::detail
