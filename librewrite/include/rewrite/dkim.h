// SPDX-License-Identifier: BSD-2-Clause
// dkim.h: which header fields existing DKIM signatures cover (their h= tag), so that rewriting can leave
// signed fields alone. Thread safety: pure functions.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace rewrite {

// Returns the lower-cased field names listed in the h= tag of each DKIM-Signature value. A value without
// a readable h= tag contributes nothing (such a signature is invalid anyway).
std::set<std::string> dkim_covered_fields(const std::vector<std::string>& signature_values);

}  // namespace rewrite
