// SPDX-License-Identifier: BSD-2-Clause
// text_arena.cpp: the block allocation behind TextArena.
#include "text_arena.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>

namespace rewrite::detail {
namespace {

// Blocks start small (a table of ten rules keeps one page) and double up to 1 MiB, which malloc maps
// on its own, so a replaced table's text goes back to the system when it is freed.
constexpr std::size_t kFirstBlock = 4096;
constexpr std::size_t kLargestBlock = std::size_t{1} << 20;

}  // namespace

char* TextArena::allocate(std::size_t bytes, std::size_t align) {
  const std::size_t pad = (align - reinterpret_cast<std::uintptr_t>(next_) % align) % align;
  if (next_ == nullptr || pad + bytes > left_) {
    const std::size_t grown = blocks_.empty() ? kFirstBlock : std::min(2 * capacity_, kLargestBlock);
    const std::size_t size = std::max(grown, bytes);
    blocks_.emplace_back(new char[size]);  // not zeroed: pages are touched only as they fill
    next_ = blocks_.back().get();
    left_ = size;
    capacity_ += size;
    return allocate(bytes, align);
  }
  char* at = next_ + pad;
  next_ = at + bytes;
  left_ -= pad + bytes;
  return at;
}

std::string_view TextArena::store(std::string_view text) {
  if (text.empty()) return {};
  char* at = allocate(text.size(), 1);
  std::memcpy(at, text.data(), text.size());
  return {at, text.size()};
}

const std::string_view* TextArena::store(const std::string_view* views, std::size_t count) {
  if (count == 0) return nullptr;
  char* at = allocate(count * sizeof(std::string_view), alignof(std::string_view));
  return std::uninitialized_copy(views, views + count, reinterpret_cast<std::string_view*>(at)) - count;
}

}  // namespace rewrite::detail
