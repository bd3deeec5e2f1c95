// SPDX-License-Identifier: BSD-2-Clause
// test_message_file.cpp: splitting message files into header fields and body, and reassembling them
// with edits applied, byte-exact for every untouched byte.
#include <catch2/catch.hpp>

#include "rewrite/offline/message_file.h"

using rewrite::HeaderEdit;
using rewrite::MessageFile;
using rewrite::parse_message;

namespace {

// Returns a header edit for the index-th field called name.
HeaderEdit edit(const std::string& name, int index, const std::string& value) {
  HeaderEdit e;
  e.name = name;
  e.index = index;
  e.value = value;
  return e;
}

}  // namespace

TEST_CASE("message_file: LF message splits into fields, separator and body") {
  const std::string text =
      "From: Chris <chris@sales.contoso.com>\n"
      "To: a@example.net\n"
      "Subject:no space\n"
      "\n"
      "Body line 1\n"
      "\n"
      "From: not a header, body\n";
  const MessageFile m = parse_message(text);
  REQUIRE(m.fields.size() == 3);
  CHECK(m.fields[0].name == "From");
  CHECK(m.fields[0].value == " Chris <chris@sales.contoso.com>");
  CHECK(m.fields[0].raw == "From: Chris <chris@sales.contoso.com>\n");
  CHECK(m.fields[0].line == 1);
  CHECK(m.fields[1].name == "To");
  CHECK(m.fields[1].line == 2);
  CHECK(m.fields[2].value == "no space");
  CHECK(m.separator == "\n");
  CHECK(m.body == "Body line 1\n\nFrom: not a header, body\n");
  CHECK(m.newline == "\n");
  CHECK(m.to_string() == text);
  const auto fields = m.header_fields();
  REQUIRE(fields.size() == 3);
  CHECK(fields[1].name == "To");
  CHECK(fields[1].value == " a@example.net");
}

TEST_CASE("message_file: folded fields keep their folding, joined with LF like the milter sees them") {
  const std::string text =
      "To: a@example.net,\n"
      "\tb@example.net,\n"
      "  c@example.net\n"
      "Cc: d@example.net\n"
      "\n";
  const MessageFile m = parse_message(text);
  REQUIRE(m.fields.size() == 2);
  CHECK(m.fields[0].value == " a@example.net,\n\tb@example.net,\n  c@example.net");
  CHECK(m.fields[0].line == 1);
  CHECK(m.fields[0].line_count == 3);
  CHECK(m.fields[1].line == 4);
  CHECK(m.fields[1].line_count == 1);
  CHECK(m.body.empty());
  CHECK(m.to_string() == text);
}

TEST_CASE("message_file: CRLF message drops CR from values and keeps CRLF in edits") {
  const std::string text =
      "Received: from x\r\n"
      "\tby y\r\n"
      "From: chris@sales.contoso.com\r\n"
      "\r\n"
      "body\r\n";
  const MessageFile m = parse_message(text);
  REQUIRE(m.fields.size() == 2);
  CHECK(m.newline == "\r\n");
  CHECK(m.fields[0].value == " from x\n\tby y");
  CHECK(m.fields[1].value == " chris@sales.contoso.com");
  CHECK(m.fields[1].ending == "\r\n");
  CHECK(m.separator == "\r\n");
  CHECK(m.body == "body\r\n");
  CHECK(m.to_string() == text);

  const std::string out =
      rewrite::apply_header_edits(m, {edit("from", 1, " chris@contoso.com,\n\tsecond@contoso.com")});
  CHECK(out ==
        "Received: from x\r\n"
        "\tby y\r\n"
        "From: chris@contoso.com,\r\n"
        "\tsecond@contoso.com\r\n"
        "\r\n"
        "body\r\n");
}

TEST_CASE("message_file: a header without body or separator") {
  const MessageFile m = parse_message("From: a@b.example\nTo: c@d.example\n");
  REQUIRE(m.fields.size() == 2);
  CHECK(m.separator.empty());
  CHECK(m.body.empty());

  const MessageFile no_newline = parse_message("From: a@b.example");
  REQUIRE(no_newline.fields.size() == 1);
  CHECK(no_newline.fields[0].ending.empty());
  CHECK(no_newline.fields[0].value == " a@b.example");
  CHECK(rewrite::apply_header_edits(no_newline, {edit("From", 1, " x@y.example")}) ==
        "From: x@y.example");
  // Folding a field at end of file uses the message's default line ending.
  CHECK(rewrite::apply_header_edits(no_newline, {edit("From", 1, " x@y.example,\n\tz@y.example")}) ==
        "From: x@y.example,\n\tz@y.example");
}

TEST_CASE("message_file: the first line that is not a field starts the body, like Postfix") {
  const std::string text = "From: a@b.example\nthis is not a header\nTo: c@d.example\n";
  const MessageFile m = parse_message(text);
  REQUIRE(m.fields.size() == 1);
  CHECK(m.separator.empty());
  CHECK(m.body == "this is not a header\nTo: c@d.example\n");
  CHECK(m.to_string() == text);

  const MessageFile leading_space = parse_message(" folded first\nFrom: a@b.example\n");
  CHECK(leading_space.fields.empty());
  CHECK(leading_space.body == " folded first\nFrom: a@b.example\n");

  const MessageFile empty = parse_message("");
  CHECK(empty.fields.empty());
  CHECK(empty.body.empty());
  CHECK(empty.to_string().empty());
}

TEST_CASE("message_file: obsolete white space before the colon and an mbox From_ line") {
  const std::string text =
      "From chris@sales.contoso.com Mon Jan  1 00:00:00 2024\n"
      "From : chris@sales.contoso.com\n"
      "Subject\t: hi\n"
      "\n"
      "x\n";
  const MessageFile m = parse_message(text);
  CHECK(m.preamble == "From chris@sales.contoso.com Mon Jan  1 00:00:00 2024\n");
  REQUIRE(m.fields.size() == 2);
  CHECK(m.fields[0].name == "From");
  CHECK(m.fields[0].value == " chris@sales.contoso.com");
  CHECK(m.fields[0].line == 2);
  CHECK(m.fields[1].name == "Subject");
  CHECK(m.fields[1].value == " hi");
  CHECK(m.to_string() == text);
  // The bytes before the colon are kept when the field is rewritten.
  CHECK(rewrite::apply_header_edits(m, {edit("FROM", 1, " chris@contoso.com")}) ==
        "From chris@sales.contoso.com Mon Jan  1 00:00:00 2024\n"
        "From : chris@contoso.com\n"
        "Subject\t: hi\n"
        "\n"
        "x\n");

  // "From :" is a field, not an mbox line, even as the first line.
  const MessageFile field_first = parse_message("From : a@b.example\n\n");
  CHECK(field_first.preamble.empty());
  REQUIRE(field_first.fields.size() == 1);
}

TEST_CASE("message_file: edits address the index-th field of a name in any case") {
  const std::string text =
      "To: first@x.example\n"
      "Cc: cc@x.example\n"
      "to: second@x.example\n"
      "\n"
      "To: in the body@x.example\n";
  const MessageFile m = parse_message(text);
  CHECK(rewrite::find_field(m, "TO", 1) == 0);
  CHECK(rewrite::find_field(m, "To", 2) == 2);
  CHECK(rewrite::find_field(m, "To", 3) == m.fields.size());
  CHECK(rewrite::find_field(m, "Bcc", 1) == m.fields.size());

  const std::string out = rewrite::apply_header_edits(
      m, {edit("To", 2, " changed@x.example"), edit("Reply-To", 1, " ignored@x.example")});
  CHECK(out ==
        "To: first@x.example\n"
        "Cc: cc@x.example\n"
        "to: changed@x.example\n"
        "\n"
        "To: in the body@x.example\n");
  CHECK(rewrite::apply_header_edits(m, {}) == text);
}

TEST_CASE("message_file: 8-bit bytes and odd bytes in untouched parts survive") {
  std::string text = "Subject: caf\xc3\xa9\n";
  text += "X-Odd: a\rb\n";
  text += "From: a@b.example\n\n";
  text += std::string("\x00\xff body", 7);
  const MessageFile m = parse_message(text);
  REQUIRE(m.fields.size() == 3);
  CHECK(m.fields[1].value == " a\rb");
  CHECK(rewrite::apply_header_edits(m, {edit("From", 1, " c@d.example")}) ==
        "Subject: caf\xc3\xa9\nX-Odd: a\rb\nFrom: c@d.example\n\n" + std::string("\x00\xff body", 7));
}

TEST_CASE("message_file: render_field replaces only the value") {
  const MessageFile m = parse_message("Reply-To:  <a@b.example>\n\n");
  REQUIRE(m.fields.size() == 1);
  CHECK(rewrite::render_field(m, m.fields[0], "  <c@d.example>") == "Reply-To:  <c@d.example>\n");
}

TEST_CASE("message_file: a stray CR before a fold reads as a space and survives an edit") {
  const std::string text = "Cc: b@x.com,\r\r\n\tc@x.com\r\nSubject: s\r\n\r\nbody\r\n";
  const MessageFile message = parse_message(text);
  REQUIRE(message.fields.size() == 2);
  CHECK(message.fields[0].value == " b@x.com, \n\tc@x.com");
  CHECK(message.to_string() == text);
  const std::string edited = rewrite::apply_header_edits(message, {edit("Cc", 1, " b@y.com, \n\tc@x.com")});
  CHECK(edited == "Cc: b@y.com, \r\n\tc@x.com\r\nSubject: s\r\n\r\nbody\r\n");
  const MessageFile reread = parse_message(edited);
  REQUIRE(reread.fields.size() == 2);
  CHECK(reread.fields[0].value == " b@y.com, \n\tc@x.com");
}

TEST_CASE("message_file: with_field_appended puts the field after the last one, where the milter appends it") {
  SECTION("after the last field, before the separator, in the file's CRLF style") {
    const MessageFile message = parse_message("From: a@x\r\nTo: b@y\r\n\r\nbody\r\n");
    const MessageFile result = rewrite::with_field_appended(message, "X-Trace", " one");
    REQUIRE(result.fields.size() == 3);
    CHECK(result.fields[2].line == 3);
    CHECK(result.fields[2].value == " one");
    CHECK(rewrite::apply_header_edits(result, {}) == "From: a@x\r\nTo: b@y\r\nX-Trace: one\r\n\r\nbody\r\n");
  }
  SECTION("a folded last field: the new field starts after its last line") {
    const MessageFile message = parse_message("From: a@x\nTo: b@y,\n c@z\n\nbody\n");
    const MessageFile result = rewrite::with_field_appended(message, "X-Trace", " one");
    CHECK(result.fields[2].line == 4);
    CHECK(rewrite::apply_header_edits(result, {}) == "From: a@x\nTo: b@y,\n c@z\nX-Trace: one\n\nbody\n");
  }
  SECTION("a header that ends the file without a line ending gets one first") {
    const MessageFile message = parse_message("From: a@x");
    const MessageFile result = rewrite::with_field_appended(message, "X-Trace", " one");
    CHECK(rewrite::apply_header_edits(result, {}) == "From: a@x\nX-Trace: one\n");
    CHECK(message.to_string() == "From: a@x");
  }
  SECTION("no header fields: line 1, or line 2 after an mbox From_ line") {
    CHECK(rewrite::with_field_appended(parse_message("\nbody\n"), "X-Trace", " one").fields[0].line == 1);
    const MessageFile mbox = parse_message("From alice@x Mon Nov 23 10:00:00 2026\n\nbody\n");
    CHECK(rewrite::with_field_appended(mbox, "X-Trace", " one").fields[0].line == 2);
  }
}
