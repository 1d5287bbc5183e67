#include <algorithm>
#include <cctype>

#include "core/strings.h"
#include "smish/phrases.h"
#include "smish/smish.h"
#include "smish/tokens.h"
#include "smish/unicode.h"

namespace wardline::smish {
namespace {

// The words a host is made of: its labels and their hyphen-separated parts.
std::vector<std::string> host_words(const std::string& host) {
  std::vector<std::string> out;
  std::string word;
  for (char c : host + ".") {
    if (c == '.' || c == '-') {
      if (!word.empty()) out.push_back(word);
      word.clear();
    } else {
      word.push_back(c);
    }
  }
  return out;
}

bool has_category(const Verdict& v, const std::string& c) {
  return std::find(v.categories.begin(), v.categories.end(), c) != v.categories.end();
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace

Analyzer::Analyzer(Rules rules, Organization org, std::shared_ptr<const Classifier> model)
    : rules_(std::move(rules)), org_(std::move(org)), model_(std::move(model)) {
  for (const auto& d : org_.domains) own_name_skeletons_.push_back(skeleton(d.substr(0, d.find('.'))));
  for (const auto& b : rules_.brands) {
    brand_keyword_skeletons_.emplace_back();
    for (const auto& k : b.keywords) brand_keyword_skeletons_.back().push_back(skeleton(k));
  }
  auto lures = std::make_shared<PhraseSet>(), notices = std::make_shared<PhraseSet>(), vips = std::make_shared<PhraseSet>();
  for (size_t r = 0; r < rules_.lures.size(); ++r)
    for (const auto& phrase : rules_.lures[r].phrases) lures->add(phrase, r);
  for (size_t n = 0; n < rules_.notices.size(); ++n)
    for (const auto& phrase : rules_.notices[n].phrases) notices->add(phrase, n);
  for (size_t v = 0; v < org_.vips.size(); ++v) vips->add(org_.vips[v], v);
  lure_phrases_ = std::move(lures);
  notice_phrases_ = std::move(notices);
  vip_phrases_ = std::move(vips);
}

Verdict Analyzer::analyze(std::string_view text, std::string_view sender) const {
  Verdict v;
  const VerdictWeights& w = rules_.weights;
  std::string norm = normalize(text);
  Extracted ex = extract(norm);
  ClassScores p = model_ ? model_->predict(model_tokens(norm)) : ClassScores{};
  for (const auto& u : ex.urls) v.urls.push_back(defang(u));

  // Links. Our own sites and the real sites of catalogued brands are known;
  // every other link is looked at.
  auto known_site = [&](const std::string& host) {
    auto on = [&](const auto& d) { return on_domain(host, d); };
    return std::any_of(org_.domains.begin(), org_.domains.end(), on) ||
           std::any_of(rules_.brands.begin(), rules_.brands.end(),
                       [&](const Brand& b) { return std::any_of(b.domains.begin(), b.domains.end(), on); });
  };
  int link_points = 0;
  bool only_known_links = !ex.domains.empty();
  for (const auto& host : ex.domains) {
    std::string reg = registrable_domain(host);
    if (known_site(host)) continue;
    only_known_links = false;
    if (std::find(rules_.shorteners.begin(), rules_.shorteners.end(), reg) != rules_.shorteners.end() ||
        std::find(rules_.shorteners.begin(), rules_.shorteners.end(), host) != rules_.shorteners.end()) {
      add_unique(v.categories, "link_shortener");
      v.reasons.push_back("the link uses the shortener " + host + ", which hides where it really goes");
      link_points += w.link_shortener;
      continue;
    }
    Link parsed;
    if (parse_link(host, parsed) && parsed.is_ip) {
      add_unique(v.categories, "ip_link");
      v.reasons.push_back("the link points to a bare IP address (" + host + ") instead of a named site");
      link_points += w.ip_link;
      continue;
    }
    // Compared as UTS #39 skeletons, so look-alike letters (Cyrillic "і",
    // digit "1" for "l", fullwidth forms) match what they imitate.
    std::string shown = host_to_unicode(host);
    std::string named_as = shown == host ? host : host + " (" + shown + ")";
    std::string skel = skeleton(shown);
    std::string reg_skel = skeleton(host_to_unicode(reg));
    auto words = host_words(skel);
    bool imitates = false;
    for (size_t i = 0; i < org_.domains.size() && !imitates; ++i) {
      const std::string& own_name = own_name_skeletons_[i];
      std::string reg_name = reg_skel.substr(0, reg_skel.find('.'));
      bool used_inside = std::find(words.begin(), words.end(), own_name) != words.end() || skel.find(own_name) != std::string::npos;
      bool near = own_name.size() >= 5 && edit_distance(reg_name, own_name) <= 2;
      if (used_inside || near) {
        add_unique(v.categories, "lookalike_domain");
        v.reasons.push_back("the link goes to " + named_as + ", which imitates " + org_.domains[i] + " but is not ours");
        link_points += w.lookalike_domain;
        imitates = true;
      }
    }
    for (size_t b = 0; b < rules_.brands.size(); ++b) {
      const Brand& brand = rules_.brands[b];
      const auto& keywords = brand_keyword_skeletons_[b];
      bool named = std::any_of(keywords.begin(), keywords.end(), [&](const auto& k) {
        return std::find(words.begin(), words.end(), k) != words.end() || (k.size() >= 5 && skel.find(k) != std::string::npos);
      });
      if (named) {
        add_unique(v.categories, "brand_impersonation");
        v.reasons.push_back("the link goes to " + named_as + ", which uses the name " + brand.name + " but is not " +
                            brand.name + "'s site");
        link_points += w.brand_impersonation;
        imitates = true;
        break;
      }
    }
    if (auto scripts = scripts_in(shown); scripts.size() > 1) {
      add_unique(v.categories, "mixed_script");
      std::string list;
      for (size_t i = 0; i < scripts.size(); ++i) list += (i == 0 ? "" : i + 1 == scripts.size() ? " and " : ", ") + scripts[i];
      v.reasons.push_back("the address " + named_as + " mixes " + list + " letters, a trick to look like another site");
      if (!imitates) link_points += w.mixed_script;
    }
  }

  // A sender name (alphanumeric sender ID) that names a brand whose site the
  // links do not go to. Anyone can set a sender name.
  bool named_sender = !sender.empty() && sender.find('@') == std::string_view::npos &&
                      std::any_of(sender.begin(), sender.end(), [](char c) { return ascii_alpha(c); });
  if (named_sender && !has_category(v, "brand_impersonation")) {
    auto sender_words = host_words(skeleton(sender));
    for (size_t b = 0; b < rules_.brands.size(); ++b) {
      const auto& keywords = brand_keyword_skeletons_[b];
      bool named = std::any_of(keywords.begin(), keywords.end(), [&](const auto& k) {
        return std::find(sender_words.begin(), sender_words.end(), k) != sender_words.end();
      });
      if (!named) continue;
      const Brand& brand = rules_.brands[b];
      for (const auto& host : ex.domains) {
        bool ours = std::any_of(org_.domains.begin(), org_.domains.end(), [&](const auto& d) { return on_domain(host, d); });
        bool theirs = std::any_of(brand.domains.begin(), brand.domains.end(), [&](const auto& d) { return on_domain(host, d); });
        if (ours || theirs) continue;
        add_unique(v.categories, "brand_impersonation");
        v.reasons.push_back("it comes from the sender name '" + std::string(sender) + "', but its link goes to " + host +
                            ", which is not " + brand.name + "'s site");
        link_points += w.brand_impersonation;
        only_known_links = false;
        break;
      }
      break;
    }
  }

  // Lures. Those that work through a link or a number count only when the
  // message offers one that is not ours: "your package was delivered" with
  // nowhere to go is a notice, not a lure.
  const std::vector<Word> message_words = words_of(norm);
  bool elsewhere = link_points > 0 || !ex.phones.empty() ||
                   std::any_of(ex.domains.begin(), ex.domains.end(), [&](const auto& h) { return !known_site(h); });
  auto lure_matches = lure_phrases_->first_matches(message_words, rules_.lures.size());
  int lure_points = 0;
  for (size_t r = 0; r < rules_.lures.size(); ++r) {
    if (lure_matches[r].empty()) continue;
    const auto& rule = rules_.lures[r];
    if (rule.through_link && !elsewhere) continue;
    add_unique(v.categories, rule.category);
    v.reasons.push_back(rule.reason + " (\"" + lure_matches[r] + "\")");
    lure_points += rule.weight;
  }
  lure_points = std::min(lure_points, w.lure_cap);

  // Executive impersonation: a VIP's name in a message with a pretext, from
  // a number that is not the VIP's own in the staff directory.
  auto sender_phone = to_e164(sender, org_.country);
  const StaffMember* from_staff = sender_phone ? org_.staff_by_phone(*sender_phone) : nullptr;
  auto vips_named = vip_phrases_->first_matches(message_words, org_.vips.size());
  for (size_t i = 0; i < org_.vips.size(); ++i) {
    const std::string& vip = org_.vips[i];
    if (from_staff && from_staff->name == vip) continue;
    if (!vips_named[i].empty() && has_category(v, "executive_impersonation")) {
      v.reasons.push_back("it claims to come from " + vip + ", from a number we cannot confirm");
      lure_points += w.vip_claim;
    }
  }
  if (const Simulation* sim = org_.simulation_of(sender, ex.urls)) v.simulation = sim->name;

  // A message that sends no one anywhere but our own sites (or an automated
  // notice such as a code being delivered) and carries no lure is not
  // flagged on the classifier's word alone.
  auto notice_matches = notice_phrases_->first_matches(message_words, rules_.notices.size());
  bool quiet = lure_points == 0 && link_points == 0 &&
               (only_known_links || ex.urls.empty()) &&
               (only_known_links || std::any_of(notice_matches.begin(), notice_matches.end(), [](const auto& m) { return !m.empty(); }));
  double model_score = 100.0 * (p.smishing + w.spam_share * p.spam);
  int score = static_cast<int>(model_score * w.model_weight + link_points + lure_points + (ex.urls.empty() ? 0 : w.any_link));
  if (only_known_links && link_points == 0) score += w.own_links_only;
  score = std::clamp(score, 0, 100);
  v.score = score;

  v.cls = p.ham >= w.unwanted_below ? "ham" : p.smishing >= w.smishing_to_spam * p.spam ? "smishing" : "spam";
  bool strong_signal = link_points >= w.strong_link || lure_points >= w.strong_lure ||
                       (lure_points >= w.strong_lure_with_link && !ex.urls.empty());
  // Thresholds (rules/verdict.yaml): below suspicious_at benign unless the
  // model sees spam or smishing; smishing from malicious_smishing_at, or
  // anything from malicious_at, is malicious.
  if (quiet) {
    v.cls = "ham";
    score = std::min(score, w.suspicious_at - 1);
    v.score = score;
  }
  if (v.cls != "smishing" && score >= w.suspicious_at && strong_signal) v.cls = "smishing";
  if (v.cls == "smishing" && score >= w.malicious_smishing_at) v.verdict = "malicious";
  else if (score >= w.malicious_at) v.verdict = "malicious";
  else if (v.cls != "ham" || score >= w.suspicious_at) v.verdict = "suspicious";
  else v.verdict = "benign";
  if (v.cls == "ham" && v.verdict != "benign") v.cls = score >= w.smishing_when_ham_at ? "smishing" : "spam";
  if (v.verdict == "benign") {
    v.categories.clear();
    v.reasons.clear();
  }
  if (v.reasons.empty() && v.verdict != "benign")
    v.reasons.push_back("its wording resembles known " + v.cls + " messages");
  return v;
}

}  // namespace wardline::smish
