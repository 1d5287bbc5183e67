// What the reporter reads back on their phone: one SMS, plain words.
#include "smish/smish.h"

namespace wardline::smish {
namespace {

// The most telling category, as a nurse would say it.
std::string what_it_is(const Verdict& v) {
  static const std::pair<const char*, const char*> names[] = {
      {"lookalike_domain", "a fake copy of one of our sites"},
      {"credential_harvesting", "an attempt to steal your password"},
      {"mfa_code_theft", "an attempt to steal your sign-in code"},
      {"payroll_fraud", "payroll fraud"},
      {"executive_impersonation", "someone pretending to be one of our leaders"},
      {"gift_cards", "a gift-card scam"},
      {"brand_impersonation", "a fake message pretending to be a company you know"},
      {"it_helpdesk", "a fake IT help desk message"},
      {"hr_benefits", "a fake HR or benefits message"},
      {"delivery", "a fake delivery notice"},
      {"toll_and_fine", "a fake toll or fine notice"},
      {"bank_alert", "a fake bank alert"},
      {"callback_scam", "a fake fraud alert meant to get you on the phone with a scammer"},
  };
  for (const auto& [category, name] : names)
    for (const auto& c : v.categories)
      if (c == category) return name;
  return "a phishing message";
}

}  // namespace

std::string reporter_reply(const Report& r, const std::optional<StaffMember>& staff) {
  std::string thanks = "Thanks";
  if (staff && !staff->name.empty()) thanks += ", " + staff->name.substr(0, staff->name.find(' '));
  const Verdict& v = r.verdict;
  if (r.duplicate) return thanks + ". You reported this message already; the security team has it.";
  if (!v.simulation.empty())
    return thanks + " - well spotted! This was an authorised phishing exercise (" + v.simulation + "). No action needed.";
  if (v.verdict == "malicious")
    return thanks + ". This is " + what_it_is(v) + ". Do not tap its link or reply; delete it. The security team has it.";
  if (v.verdict == "suspicious")
    return thanks + ". This message looks suspicious: do not tap its link or reply. The security team will review it.";
  return thanks + ". We found nothing malicious in it; the security team will still take a look.";
}

}  // namespace wardline::smish
