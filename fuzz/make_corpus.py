#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""make_corpus.py: writes the checked-in seed corpus of hostile inputs in fuzz/corpus/TARGET/. Run it
again after changing it; the fuzzers themselves only ever add inputs to build-fuzz/corpus/."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

SEED_RULES = (
    "# seed rules\n"
    "*.contoso.com             contoso.com  except=legal.contoso.com name=flatten\n"
    "japan.sales.contoso.com   contoso.jp\n"
    "fourthcoffee.com          contoso.com\n"
    "someone@fourthcoffee.com  someone@contoso.com  outbound-only\n"
    "support@contoso.com       support@wingtiptoys.com\n"
    "contoso.edu               live.contoso.edu\n"
)

NATIVE = {
    "seed": SEED_RULES,
    "crlf_bom": "\ufeff" + SEED_RULES.replace("\n", "\r\n"),
    "bad_wildcards": "*contoso.com a.com\nsales.*.com b.com\na*@x.com c@d.com\n*.*.x.com y.com\n*. z.com\n*.a.com *.b.com\n",
    "bidirectional_wildcard": "*.contoso.com contoso.com bidirectional\nsales.contoso.com contoso.com bidirectional\n",
    "duplicates": "a@x.com b@y.com\nA@X.COM. c@y.com\nx.com y.com\nX.com. z.com\n*.x.com y.com\n*.X.COM z.com\nq@x.com b@y.com\n",
    "options": "*.c.com c.com except=a.c.com,b.c.com;d.c.com except=e.c.com name= name=x outbound-only bidirectional\n"
               "a@b.com c@d.com outbound-only outbound-only name=\n*.c.com c.com except=other.com\n*.c.com c.com except=\n",
    "comments": "# only\n   # indented\na@b.com c@d.com # trailing\na#b@c.com d@e.com\n#a@b.com x@y.com\n\t\t\n",
    "nul_bytes": "a@b.com\0 c@d.com\n\0\0\0\nx.com\0y.com z.com\n",
    "eight_bit": "j\u00fcrgen@m\u00fcller.de juergen@example.com\n*.b\u00fccher.example b.example\nx@y.com \u00e9@z.com\n",
    "invalid_utf8": b"\xff\xfe@\xc3\x28.com a@b.com\n\xed\xa0\x80.com x.com\n*.\x80\x80.com y.com\n",
    "long_labels": ("a" * 64) + ".com b.com\n" + ".".join(["x"] * 127) + " y.com\n" + ("b" * 300) + ".com c.com\n"
                   "*." + ".".join(["l%d" % i for i in range(120)]) + " d.com\n",
    "addresses_odd": "\"quoted@local\"@x.com y@z.com\n@x.com y@z.com\nx@ y@z.com\nx@@y.com a@b.com\n<a@b.com> c@d.com\n"
                     "a@[127.0.0.1] b@c.com\na@b..com c@d.com\na@-b.com c@d.com\na@b.com c@d.com.\n",
    "only_one_field": "a@b.com\nx.com\n*.y.com\n",
    "many_rules": "".join("user%d@org%d.example.com ext%d@partner.example.net\n" % (i, i // 50, i) for i in range(3000))
                  + "".join("*.w%d.example.com example.com except=legal.w%d.example.com\n" % (i, i) for i in range(1000)),
    "same_external": "a@x.com shared@y.com\nb@x.com shared@y.com\nc@x.com shared@y.com outbound-only\n",
}

CSV_HEADER = "Name,InternalAddress,ExternalAddress,ExceptionList,OutboundOnly\n"
CSV = {
    "seed": CSV_HEADER + "flatten,*.contoso.com,contoso.com,legal.contoso.com,True\n"
            "japan,japan.sales.contoso.com,contoso.jp,,True\n"
            "support,support@contoso.com,support@wingtiptoys.com,,False\n",
    "quoted": '"Name","InternalAddress","ExternalAddress","ExceptionList","OutboundOnly"\n'
              '"a ""quoted"" name",*.contoso.com,contoso.com,"a.contoso.com,b.contoso.com;c.contoso.com",True\n'
              '"x",y@z.com,"w@v.com","",""\n',
    "unbalanced": CSV_HEADER + '"open,*.c.com,c.com,,True\nx,"a@b.com"junk,c@d.com,,False\n"a"",b,c,d,e\n,,,,\n',
    "wrong_counts": CSV_HEADER + "a,b\na,b,c,d,e,f\n,,,,,,,,,,,,,,,,,,\nx,a.com,b.com,,maybe\n",
    "bom_crlf": "\ufeff" + (CSV_HEADER + "n,a.com,b.com,,TRUE\r\nm,q@a.com,r@b.com,,no\r\n").replace("\n", "\r\n"),
    "no_header": "n,a.com,b.com,,True\n",
    "nul": CSV_HEADER + "n,a.com\0,b.com,,True\n\0,\0,\0,\0,\0\n",
    "eight_bit": CSV_HEADER + "n\u00e9,\u00e9@a.com,b@c.com,,False\nx,*.b\u00fccher.de,b.de,\xff,True\n",
}


def addresses(count, internal_every=4):
    """Returns a To value of count addresses, every internal_every-th one internal."""
    parts = []
    for i in range(count):
        if i % internal_every == 0:
            parts.append('"Staff %d" <staff%d@research.contoso.com>' % (i, i))
        else:
            parts.append("p%d@example.net" % i)
    return " " + ",\n ".join(parts)


HEADER = {
    "from": ' "Masato Kobayashi" <masato@japan.sales.contoso.com>',
    "plain": " masato@japan.sales.contoso.com",
    "trailing_dot": " <masato@JAPAN.Sales.Contoso.COM.>",
    "support": " Support <support@contoso.com>, support@wingtiptoys.com",
    "group": " Team: a@sales.contoso.com, \"B\" <b@x.com>;, undisclosed-recipients:;",
    "nested_groups": " A: B: C: d@sales.contoso.com;;;" + ", g%d: x@contoso.com;" * 20,
    "comments": " a@sales.contoso.com (Alice (the (real) one)), (lead) b@contoso.com (c@d.com)",
    "deep_comments": " " + "(" * 5000 + "x" + ")" * 5000 + " a@sales.contoso.com",
    "unbalanced_quote": ' "Alice <a@sales.contoso.com>',
    "unbalanced_comment": " a@sales.contoso.com (open",
    "unbalanced_bracket": " Alice <a@sales.contoso.com, b@contoso.com",
    "extra_close": " Alice a@sales.contoso.com>) ]",
    "two_brackets": " A <x@sales.contoso.com> <y@sales.contoso.com>",
    "route": " <@relay.example:a@sales.contoso.com>",
    "quoted_local": ' "a@b c"@sales.contoso.com, "x\\"y"@contoso.com',
    "domain_literal": " a@[192.0.2.1], b@[IPv6:2001:db8::1], c@sales.contoso.com",
    "encoded_words": " =?UTF-8?B?TWFzYXRvIOWwj+ael+OAgA==?= <masato@japan.sales.contoso.com>, "
                     "=?ISO-8859-1?Q?J=FCrgen?= <j@sales.contoso.com>",
    "bad_encoded_words": " =?UTF-8?B?####?= <a@sales.contoso.com>, =?x?Q?=ZZ?= <b@contoso.com>, =?UTF-8?Q?",
    "encoded_address": " =?UTF-8?Q?a=40sales.contoso.com?=",
    "eight_bit": " J\u00fcrgen M\u00fcller <juergen@sales.contoso.com>, \u00e9l\u00e8ve@sales.contoso.com",
    "invalid_utf8": b" \xff\xfe <a@sales.contoso.com>, \xc3\x28@sales.contoso.com, b@\xed\xa0\x80.contoso.com",
    "idn": " a@xn--bcher-kva.contoso.com, b@b\u00fccher.contoso.com",
    "nul": " a@sales.contoso.com\0, b@contoso.com",
    "bare_cr": " a@sales.contoso.com,\r b@contoso.com",
    "not_folding": " a@sales.contoso.com,\nInjected: x",
    "folded_crlf": " a@sales.contoso.com,\r\n\tb@contoso.com,\r\n c@x.com",
    "blank": " \t\n ",
    "no_at": " undisclosed recipients, x, (y)",
    "thousands": addresses(5000),
    "to20": addresses(20),
    "one_megabyte": addresses(40000, internal_every=2)[:1 << 20],
    "long_line_grows": " " + ",".join(["support@contoso.com"] * 60),
    "long_line_no_fold": " " + "support@contoso.com" + "x" * 1200,
    "long_name": ' "' + "N" * 2000 + '" <support@contoso.com>',
    "semicolons": " a@sales.contoso.com; b@contoso.com",
    "at_only": " @, @@, a@, @b, <>, <@>",
}

HEADER_RULES = {
    "seed": SEED_RULES + "\n%%\n" + HEADER["from"],
    "grow": "support@contoso.com " + "s@" + "x" * 60 + "." + "y" * 60 + ".example.com\n%%\n" + HEADER["long_line_grows"],
    "csv": CSV["seed"] + "\n%%\n" + HEADER["support"],
    "idn_rule": "*.xn--bcher-kva.example example.com\n%%\n a@b\u00fccher.example, b@xn--bcher-kva.example",
    "no_split": "a@b.com c@d.com a@b.com",
}


def message(headers, body="Hello.\n", newline="\n"):
    """Returns a message with the given header lines and body."""
    return (newline.join(headers) + newline + newline + body).replace("\n", newline) if newline != "\n" else \
        "\n".join(headers) + "\n\n" + body


MESSAGE = {
    "simple": message(["From: Masato <masato@japan.sales.contoso.com>", "To: support@wingtiptoys.com",
                       "Subject: hi", "Message-ID: <1@japan.sales.contoso.com>"]),
    "crlf": message(["From: a@sales.contoso.com", "Cc: b@contoso.com,", "\tc@contoso.com", "Subject: x"], newline="\r\n"),
    "mbox": "From masato@japan.sales.contoso.com Mon Jan  1 00:00:00 2024\n"
            + message(["From: a@sales.contoso.com", "To: b@x.com"]),
    "dkim": message(["DKIM-Signature: v=1; a=rsa-sha256; d=contoso.com; s=s; h=from:to; bh=x; b=y",
                     "From: a@sales.contoso.com", "To: b@x.com", "Reply-To: c@sales.contoso.com"]),
    "no_body": "From: a@sales.contoso.com\nTo: b@x.com",
    "no_separator_garbage": "From: a@sales.contoso.com\nthis is not a header\nTo: b@sales.contoso.com\n\n",
    "space_before_colon": message(["From : a@sales.contoso.com", "To\t: b@contoso.com", ": empty name", "X:"]),
    "continuation_first": " continued\nFrom: a@sales.contoso.com\n\nbody\n",
    "mime_parts": message(["From: a@sales.contoso.com", "MIME-Version: 1.0",
                           'Content-Type: multipart/mixed; boundary="b"'],
                          "--b\nFrom: inner@sales.contoso.com\n\ntext\n--b\nContent-Type: message/rfc822\n\n"
                          "From: embedded@sales.contoso.com\n\nx\n--b--\n"),
    "repeated_fields": message(["From: a@sales.contoso.com"] * 3 + ["Resent-From: r@sales.contoso.com",
                                "Resent-Sender: s@contoso.com", "Disposition-Notification-To: d@sales.contoso.com"]),
    "nul_and_8bit": b"From: a@sales.contoso.com\0\nSubject: \xff\xfe\nTo: J\xc3\xbcrgen <j@sales.contoso.com>\n\n\0body",
    "bare_cr": "From: a@sales.contoso.com\rTo: b@contoso.com\r\rbody",
    "mixed_newlines": "From: a@sales.contoso.com\r\nTo: b@contoso.com,\n c@sales.contoso.com\r\n\nbody\r\n",
    "long_header": "To: " + addresses(3000).strip() + "\nFrom: a@sales.contoso.com\n\nx\n",
    "long_line_grow": "To: " + ",".join(["support@contoso.com"] * 60) + "\nFrom: a@x.com\n\n",
    "empty": "",
    "only_newlines": "\n\n\n",
}


def write(target, cases):
    """Writes one file per case into fuzz/corpus/target/ (other files there, such as minimised crash
    reproducers, are kept)."""
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    for name, content in cases.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogateescape")
        with open(os.path.join(directory, name), "wb") as handle:
            handle.write(data)


def main():
    write("rules_native", NATIVE)
    write("rules_csv", CSV)
    write("header_value", HEADER)
    write("header_rules", HEADER_RULES)
    write("message_file", MESSAGE)


if __name__ == "__main__":
    main()
