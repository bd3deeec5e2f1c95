// SPDX-License-Identifier: BSD-2-Clause
// mta_actions.h: the edits the session asks of the MTA at end of message. The libmilter glue implements
// it with smfi_chgfrom, smfi_delrcpt, smfi_addrcpt_par, smfi_chgheader and smfi_insheader; tests implement it with a fake
// MTA that records the calls. Every function returns false when the MTA refused or the call failed.
#pragma once

#include <string>

namespace rewrite::milter {

class MtaActions {
 public:
  virtual ~MtaActions() = default;
  // Replaces the envelope sender; address is "<addr-spec>", esmtp_args "" for none.
  virtual bool change_sender(const std::string& address, const std::string& esmtp_args) = 0;
  // Removes a recipient, given exactly as the MTA passed it at RCPT.
  virtual bool delete_recipient(const std::string& address) = 0;
  // Adds a recipient ("<addr-spec>") with ESMTP arguments ("" for none).
  virtual bool add_recipient(const std::string& address, const std::string& esmtp_args) = 0;
  // Replaces the index-th (1-based) field called name with value.
  virtual bool change_header(const std::string& name, int index, const std::string& value) = 0;
  // Appends a header field at the end of the header (only negotiated when the shared space is on).
  virtual bool add_header(const std::string& name, const std::string& value) = 0;
};

}  // namespace rewrite::milter
