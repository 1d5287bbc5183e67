// Smishing analysis: what a reported message is, and why.
//
// A message goes through normalisation (invisible characters, defanged
// links), extraction (URLs, domains, phone numbers), lure rules from
// rules/*.yaml, the organisation profile (look-alikes of our own domains and
// of catalogued brands), and a fastText classifier; the verdict combines
// them into a class, a 0-100 score and reasons a nurse understands.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"

namespace wardline {
class Keyring;
namespace store { class Store; }
}  // namespace wardline

namespace wardline::smish {

// --- text --------------------------------------------------------------
// Removes zero-width, bidi and other invisible format characters, turns
// defanged links back into links (hxxp, [.], (dot), [:]), folds whitespace.
std::string normalize(std::string_view text);
// Lower-case tokens for the classifier: words, punctuation runs, and for
// each link a __url__ token plus its host's labels.
std::string model_tokens(std::string_view normalized);

// --- extraction --------------------------------------------------------
struct Extracted {
  std::vector<std::string> urls;     // as found (scheme added when missing)
  std::vector<std::string> domains;  // lower-case host names of the links and bare domains
  std::vector<std::string> phones;   // digit strings of 5+ digits (short codes included)
  std::vector<std::string> emails;
};
Extracted extract(std::string_view normalized);

// --- rules and organisation ---------------------------------------------
struct LureRule {
  std::string category;
  std::string reason;
  int weight = 6;                    // share of the 0-100 score
  std::vector<std::string> phrases;  // lower-case; matched on word boundaries
};

struct Brand {
  std::string name;
  std::vector<std::string> domains;   // legitimate registrable domains
  std::vector<std::string> keywords;  // labels that name the brand, e.g. "mychart"
};

struct Organization {
  std::string name;
  std::vector<std::string> domains;
  std::vector<std::string> apps;
  std::vector<std::string> vips;
};

struct Rules {
  std::vector<LureRule> lures;
  std::vector<Brand> brands;
  std::vector<std::string> shorteners;
};

// Loads every rules/*.yaml in `dir`; errors name the file, line and reason.
Result<Rules> load_rules(const std::string& dir);
Result<Organization> load_organization(const std::string& path);

// --- classifier ----------------------------------------------------------
struct ClassScores {
  double ham = 1, spam = 0, smishing = 0;
};

class Classifier {
 public:
  static Result<std::unique_ptr<Classifier>> load(const std::string& model_path);
  ~Classifier();
  ClassScores predict(const std::string& tokens) const;

 private:
  Classifier();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct LabeledText {
  std::string id, label, text, sender;
};
// TSV with a header naming at least `label` and `text` (others ignored).
Result<std::vector<LabeledText>> read_labeled_tsv(const std::string& path, bool need_label);
// Trains a supervised fastText model (fixed seed, one thread: reproducible).
Status train_model(const std::vector<LabeledText>& data, const std::string& out_path);

// --- verdict -------------------------------------------------------------
struct Verdict {
  std::string verdict;  // malicious | suspicious | benign
  std::string cls;      // smishing | spam | ham
  int score = 0;        // 0-100
  std::vector<std::string> categories;
  std::vector<std::string> reasons;
  std::vector<std::string> urls;  // defanged
};

class Analyzer {
 public:
  Analyzer(Rules rules, Organization org, std::shared_ptr<const Classifier> model);
  Verdict analyze(std::string_view text, std::string_view sender = {}) const;

 private:
  struct PhraseRef {
    size_t rule;
    size_t phrase;
  };
  Rules rules_;
  Organization org_;
  std::shared_ptr<const Classifier> model_;
  // Lure phrases indexed by their first word: one pass over the message
  // finds every candidate instead of one search per phrase.
  std::unordered_map<std::string, std::vector<PhraseRef>> by_first_word_;
};

// "https://evil.example/x" -> "hxxps://evil[.]example/x"
std::string defang(std::string_view url);
// The message with every link in it (bare domains too) defanged, for display.
std::string defang_text(std::string_view text);

// --- reports -------------------------------------------------------------
struct NewReport {
  std::string reporter;     // the authenticated user
  std::string channel;      // sms | imessage | whatsapp | rcs | other
  std::string sender;       // as shown on the phone (number or sender ID)
  std::string body;
  std::string received_at;  // RFC 3339; empty: now
};

struct Report {
  std::string id;
  std::string reporter, channel, sender, body, received_at;
  int64_t created_at = 0;
  Verdict verdict;
  bool duplicate = false;  // the same reporter sent the same message before
};

struct ReportPage {
  std::vector<Report> reports;  // newest first
  std::string next_cursor;
};

// Reported messages: analysed, stored with body and sender encrypted, one
// report per reporter and message, at most `per_hour` new reports per
// reporter per hour.
class ReportBook {
 public:
  ReportBook(store::Store& store, std::shared_ptr<const Keyring> keyring, std::shared_ptr<const Analyzer> analyzer,
             int per_hour = 30);
  Result<Report> submit(const NewReport& r);
  Status remove(const std::string& id);  // undo a report whose audit record failed
  Result<ReportPage> list(const std::string& cursor, int limit);

 private:
  store::Store& store_;
  std::shared_ptr<const Keyring> keyring_;
  std::shared_ptr<const Analyzer> analyzer_;
  int per_hour_;
};

}  // namespace wardline::smish
