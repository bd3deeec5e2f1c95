// SPDX-License-Identifier: BSD-2-Clause
// test_rule_store.cpp: reloading rules is all or nothing, and tables already handed out stay valid.
#include <catch2/catch.hpp>

#include "milter_test_support.h"
#include "rule_store.h"

namespace rewrite::milter {
namespace {

TEST_CASE("reload swaps in a good table and keeps the old one on error", "[rule_store]") {
  test::TempFile file("rules", "fourthcoffee.com contoso.com\n");
  RuleStore store(file.path());
  CHECK(store.current() == nullptr);
  REQUIRE(store.reload().empty());
  const auto first = store.current();
  REQUIRE(first != nullptr);
  CHECK(first->lookup("joe@fourthcoffee.com", Direction::outbound).address == "joe@contoso.com");

  SECTION("a broken file keeps the old rules and reports every error with its line") {
    file.write("fourthcoffee.com contoso.com\n*bad.example.com contoso.com\nsales.*.com contoso.com\n");
    const std::vector<ConfigError> errors = store.reload();
    REQUIRE(errors.size() >= 2);
    CHECK(errors[0].file == file.path());
    CHECK(errors[0].line == 2);
    CHECK(errors[1].line == 3);
    CHECK(store.current() == first);
  }
  SECTION("a missing file keeps the old rules") {
    std::filesystem::remove(file.path());
    CHECK_FALSE(store.reload().empty());
    CHECK(store.current() == first);
  }
  SECTION("a rules file replaced by an empty directory keeps the old rules and says why") {
    std::filesystem::remove(file.path());
    std::filesystem::create_directory(file.path());
    const std::vector<ConfigError> errors = store.reload();
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].to_string() == file.path() + ": rules directory holds no file ending in .rules or .csv");
    CHECK(store.current() == first);
    std::filesystem::remove(file.path());
  }
  SECTION("a good file replaces the table; the old table stays usable by its holders") {
    file.write("fourthcoffee.com example.com\n");
    REQUIRE(store.reload().empty());
    CHECK(store.current() != first);
    CHECK(store.current()->lookup("joe@fourthcoffee.com", Direction::outbound).address == "joe@example.com");
    CHECK(first->lookup("joe@fourthcoffee.com", Direction::outbound).address == "joe@contoso.com");
  }
}

TEST_CASE("a reload releases the table it replaced unless a holder keeps it", "[rule_store]") {
  test::TempFile file("rules", "fourthcoffee.com contoso.com\n");
  RuleStore store(file.path());
  REQUIRE(store.reload().empty());
  std::weak_ptr<const RuleTable> first = store.current();
  REQUIRE_FALSE(first.expired());
  std::shared_ptr<const RuleTable> held = store.current();
  file.write("fourthcoffee.com example.com\n");
  REQUIRE(store.reload().empty());
  CHECK_FALSE(first.expired());  // a session holding the old table keeps it
  std::weak_ptr<const RuleTable> second = store.current();
  held.reset();
  CHECK(first.expired());
  REQUIRE(store.reload().empty());
  CHECK(second.expired());  // nothing held it: gone with the reload, not kept beside the new one
  CHECK(store.current()->lookup("joe@fourthcoffee.com", Direction::outbound).address == "joe@example.com");
}

TEST_CASE("a failing loader without errors still reports a failure", "[rule_store]") {
  RuleStore store("/nowhere", [](const std::string&) { return LoadResult{}; });
  const auto errors = store.reload();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].to_string() == "/nowhere: rules did not load");
}

}  // namespace
}  // namespace rewrite::milter
