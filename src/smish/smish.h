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
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/phone.h"
#include "core/public_suffix.h"
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
  // The lure works through a link ("sign in at ..."): it counts for nothing
  // when every link in the message is on our own domains.
  bool through_link = false;
};

// Wording of legitimate automated notices (a one-time code being delivered,
// "your password was changed"). Without a lure or a suspicious link, such a
// message is not flagged on the classifier's word alone.
struct Notice {
  std::string name;
  std::vector<std::string> phrases;
};

struct Brand {
  std::string name;
  std::vector<std::string> domains;   // legitimate registrable domains
  std::vector<std::string> keywords;  // labels that name the brand, e.g. "mychart"
};

// One row of the staff directory (CSV: name, phone, department, role; id
// and email optional).
struct StaffMember {
  std::string id, name, phone, department, role, email;  // phone in E.164
};

// An authorised phishing simulation (awareness campaign). A message is
// recognised as one when every link in it is on the simulation's domains or
// URL patterns, or, for a message without links, when its sender is one of
// the simulation's senders: a spoofed sender alone never whitewashes a link.
struct Simulation {
  std::string name;
  std::vector<std::string> senders;       // E.164 numbers or sender IDs (case-insensitive)
  std::vector<std::string> domains;       // registrable domains the simulation links to
  std::vector<std::string> url_patterns;  // '*' matches any run of characters
};

struct Organization {
  std::string name;
  std::vector<std::string> domains;
  std::vector<std::string> apps;
  std::vector<std::string> vips;
  std::string country = "US";  // region for phone numbers written without a country code
  std::vector<StaffMember> staff;
  std::vector<Simulation> simulations;

  const StaffMember* staff_by_phone(const std::string& e164) const;
  // The simulation this message belongs to, or null.
  const Simulation* simulation_of(std::string_view sender, const std::vector<std::string>& urls) const;
};

// How the signals add up to a 0-100 score and a verdict (rules/verdict.yaml).
struct VerdictWeights {
  double model_weight = 0.7;  // share of the classifier's 100 * (P(smishing) + spam_share * P(spam))
  double spam_share = 0.6;
  // How the model's probabilities read: spam or smishing when P(ham) is below
  // unwanted_below, and then smishing when P(smishing) >= smishing_to_spam *
  // P(spam). Chosen by cross-validation on the training data (docs/smishing-model.md).
  double unwanted_below = 0.5;
  double smishing_to_spam = 0.6;
  int lookalike_domain = 45;  // points per link of each kind
  int brand_impersonation = 35;
  int ip_link = 25;
  int link_shortener = 12;
  int any_link = 5;           // once, when the message has a link at all
  int mixed_script = 30;      // a link whose name mixes alphabets (when it imitates nothing we know)
  int vip_claim = 30;         // a VIP's name with an impersonation pretext
  int lure_cap = 50;          // lure points count up to this
  int own_links_only = -25;   // every link is on our own domains or a brand's real site
  int suspicious_at = 35;     // score from which a message is suspicious
  int malicious_smishing_at = 55;  // ...malicious when it reads as smishing
  int malicious_at = 75;           // ...malicious whatever it reads as
  int smishing_when_ham_at = 70;   // a flagged message the model calls ham: smishing from here, spam below
  int strong_link = 35;            // link points that make a message smishing whatever the model says
  int strong_lure = 40;            // lure points that do the same
  int strong_lure_with_link = 15;  // lure points that do the same in a message with a link
};

struct Rules {
  VerdictWeights weights;
  std::vector<LureRule> lures;
  std::vector<Notice> notices;
  std::vector<std::string> first_names;  // lower-case; campaign templates replace them with #NAME
  std::vector<Brand> brands;
  std::vector<std::string> shorteners;
};

// Loads every rules/*.yaml in `dir`; errors name the file, line and reason.
Result<Rules> load_rules(const std::string& dir);
// The profile YAML; a `directory:` CSV next to it is loaded too.
Result<Organization> load_organization(const std::string& path);
Result<std::vector<StaffMember>> load_staff_directory(const std::string& csv_path, const std::string& country);

using wardline::registrable_domain;
using wardline::to_e164;

// --- classifier ----------------------------------------------------------
struct ClassScores {
  double ham = 1, spam = 0, smishing = 0;
};

class Classifier {
 public:
  static Result<std::unique_ptr<Classifier>> load(const std::string& model_path);
  ~Classifier();
  ClassScores predict(const std::string& tokens) const;
  // fastText's own predictLine, which predict() must agree with (tests).
  ClassScores predict_reference(const std::string& tokens) const;
  bool fast_inference() const;  // false for quantized models: predict() is then the reference

 private:
  Classifier();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct LabeledText {
  std::string id, label, text, sender;
  int64_t time = 0;  // optional `time` column: Unix seconds
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
  std::string simulation;         // name of the authorised phishing simulation it belongs to
};

class PhraseSet;
class Analyzer {
 public:
  Analyzer(Rules rules, Organization org, std::shared_ptr<const Classifier> model);
  Verdict analyze(std::string_view text, std::string_view sender = {}) const;
  const Organization& organization() const { return org_; }
  const Rules& rules() const { return rules_; }

 private:
  Rules rules_;
  Organization org_;
  std::shared_ptr<const Classifier> model_;
  // Lure, notice and VIP-name phrases (smish/phrases.h), each set found in
  // one pass over the message's words.
  std::shared_ptr<const PhraseSet> lure_phrases_, notice_phrases_, vip_phrases_;
  // UTS #39 skeletons of our domain names and of each brand's keywords.
  std::vector<std::string> own_name_skeletons_;
  std::vector<std::vector<std::string>> brand_keyword_skeletons_;
};

// "https://evil.example/x" -> "hxxps://evil[.]example/x"
std::string defang(std::string_view url);
// The message with every link in it (bare domains too) defanged, for display.
std::string defang_text(std::string_view text);

// --- campaigns -------------------------------------------------------------
// A message reduced to what its sender wrote once for everyone: links become
// #URL, e-mail addresses #EMAIL, numbers and codes #NUM, staff and common
// first names #NAME; NFKC, invisible characters, defanging, case,
// punctuation and padding folded; non-ASCII words as confusable skeletons.
std::string message_template(std::string_view text, const std::vector<std::string>& names);

// Tunables of campaign clustering (config: smish.campaigns).
struct ClusterParams {
  int minhash_hashes = 64;        // MinHash signature length
  int lsh_bands = 16;             // bands of minhash_hashes / lsh_bands rows each
  double min_similarity = 0.5;    // estimated Jaccard similarity needed to join a candidate
  int shingle_words = 2;          // shingles are runs of this many template words
  int64_t sender_window_seconds = 7 * 86400;  // the same phone sender links reports this close in time
};

struct ClusterMessage {
  std::string text;
  std::string sender;  // optional
  int64_t time = 0;    // Unix seconds; 0 when unknown
};

// Online campaign clustering: MinHash/LSH over template shingles finds
// near-identical lures; shared indicators (registrable link domain, shortened
// URL, phone sender within the window) link the rest; a union-find keeps the
// campaigns. Each add() costs O(1) expected; the same input order gives the
// same campaigns.
class CampaignClusterer {
 public:
  // `org` and `rules` say which domains are ours or a brand's own (never an
  // indicator), which are shorteners, and which names to replace.
  CampaignClusterer(ClusterParams params, const Organization& org, const Rules& rules);
  ~CampaignClusterer();
  // Returns the message's index (0, 1, ...). `joined`, if given, receives
  // the campaigns this message belongs to, as they were before it brought
  // them together (usually one; none for a new campaign).
  size_t add(const ClusterMessage& m, std::vector<size_t>* joined = nullptr);
  // The campaign of message `index`: the index of its earliest message.
  size_t campaign_of(size_t index);
  size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// --- intake webhooks ------------------------------------------------------
// A message delivered by a provider's webhook.
struct InboundMessage {
  std::string provider;      // twilio | whatsapp
  std::string message_id;    // the provider's id; a replayed delivery carries the same one
  std::string from;          // as the provider sends it
  std::string body;
  std::string profile_name;  // WhatsApp display name, if any
  int64_t timestamp = 0;     // provider's send time (unix seconds); 0 when not sent
};

using FormParams = std::vector<std::pair<std::string, std::string>>;
// application/x-www-form-urlencoded, in order; a bad %-escape is an error.
Result<FormParams> parse_form(std::string_view body);

// Twilio's X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL followed by
// each parameter's name and value, sorted by name, then value)).
std::string twilio_signature(std::string_view auth_token, std::string_view url, const FormParams& params);
// Checks `signature` against the URL as given, without its port, and with the
// scheme's default port (Twilio and proxies disagree about ports). A URL with
// a bodySHA256 query parameter signs the URL alone and the raw body must hash to it.
bool twilio_signature_valid(std::string_view auth_token, std::string_view url, const FormParams& params,
                            std::string_view raw_body, std::string_view signature);
// The inbound SMS in a Twilio messaging webhook (MessageSid, From, Body).
Result<InboundMessage> twilio_message(const FormParams& params);

// Meta's X-Hub-Signature-256: "sha256=" + hex(HMAC-SHA256(app secret, raw body bytes)).
bool hub_signature_valid(std::string_view app_secret, std::string_view raw_body, std::string_view header);

struct WhatsAppDelivery {
  std::vector<InboundMessage> messages;  // text messages, and captions of media
  int skipped = 0;                       // statuses, reactions, media without text...
};
// A WhatsApp Cloud API webhook payload (object "whatsapp_business_account").
Result<WhatsAppDelivery> whatsapp_messages(std::string_view body);

// --- reports -------------------------------------------------------------
struct NewReport {
  std::string reporter;     // the authenticated user
  std::string channel;      // sms | imessage | whatsapp | rcs | other
  std::string sender;       // as shown on the phone (number or sender ID)
  std::string body;
  std::string received_at;  // RFC 3339; empty: now
  std::string source_id;    // webhook deliveries: "provider:message id", so a replay is one report
  std::string department;   // from the staff directory, when the reporter is in it
  std::string staff_role;
};

struct Report {
  std::string id;
  std::string reporter, channel, sender, body, received_at;
  std::string department, staff_role;
  int64_t created_at = 0;
  Verdict verdict;
  bool duplicate = false;  // the same reporter sent the same message before, or a webhook delivery was replayed
  // An analyst's verdict on this one report: "false_positive", "smishing", or
  // empty. It overrides the campaign's status as a training label.
  std::string analyst_label{};
  std::string labelled_by{};
};

struct ReportPage {
  std::vector<Report> reports;  // newest first
  std::string next_cursor;
};

// A report that arrived through a webhook, with the reporter it was
// attributed to.
struct InboundReport {
  Report report;
  std::optional<StaffMember> staff;  // the directory entry of the sending phone, if any
};

// Staff recently targeted by credential theft: someone who reported, within
// `window`, a smishing message whose lures include credential harvesting or
// MFA-code theft. The access decision point makes it a risk signal
// (smish_targeted). A user (the identity provider's UPN) is matched to the
// reporters it may have been filed as: the UPN itself, its local part (a
// Wardline user name), and the staff directory entries with that e-mail.
// Answers are cached a minute per user, so decisions stay fast.
class TargetedStaff {
 public:
  TargetedStaff(store::Store& store, std::vector<StaffMember> staff, int64_t window_seconds = 14 * 86400);
  bool targeted(const std::string& user, int64_t at);

 private:
  struct Cached {
    bool targeted = false;
    int64_t checked_at = 0;
  };
  std::vector<std::string> reporters_of(const std::string& user) const;
  store::Store& store_;
  std::vector<StaffMember> staff_;
  int64_t window_;
  std::mutex mu_;
  std::unordered_map<std::string, Cached> cache_;
};

// Reported messages: analysed, stored with body and sender encrypted, one
// report per reporter and message, at most `per_hour` new reports per
// reporter per hour.
class ReportBook {
 public:
  ReportBook(store::Store& store, std::shared_ptr<const Keyring> keyring, std::shared_ptr<const Analyzer> analyzer,
             int per_hour = 30);
  // The new row reaches the disk with the caller's smish.report audit record
  // (store::Commit::with_next_durable): one fsync per report, not two.
  Result<Report> submit(const NewReport& r);
  // A message forwarded to a webhook: the sending phone is looked up in the
  // staff directory ("staff:ID"; unknown numbers become "phone:" and a keyed
  // fingerprint, never the number in clear), the provider's message id makes
  // a replayed delivery the same report.
  Result<InboundReport> submit_inbound(const InboundMessage& m, const std::string& channel);
  Status remove(const std::string& id);  // undo a report whose audit record failed
  // Sets (or, with an empty label, clears) an analyst's label on a report;
  // returns the previous label, for the audit record.
  Result<std::string> set_label(const std::string& id, const std::string& label, const std::string& actor);
  // Newest first; `campaign_id` set: only that campaign's reports.
  Result<ReportPage> list(const std::string& cursor, int limit, const std::string& campaign_id = {});

  // Rules, organisation and model in use; replaced whole on a reload.
  std::shared_ptr<const Analyzer> analyzer() const;
  void replace_analyzer(std::shared_ptr<const Analyzer> analyzer);

 private:
  store::Store& store_;
  std::shared_ptr<const Keyring> keyring_;
  mutable std::mutex analyzer_mu_;
  std::shared_ptr<const Analyzer> analyzer_;
  int per_hour_;
};

// A report's stored analysis (JSON) read back; empty fields when it cannot be read.
Verdict verdict_from(const std::string& analysis_json);

// The short answer a reporter gets by SMS: thanks, what it is, what to do.
std::string reporter_reply(const Report& r, const std::optional<StaffMember>& staff);

// Analyst feedback for training: the messages of campaigns marked
// false_positive (label ham) and confirmed (label smishing).
Result<std::vector<LabeledText>> analyst_labels(store::Store& store, const Keyring& keyring);

// --- campaigns over stored reports ----------------------------------------
// A campaign as analysts see it.
struct Campaign {
  std::string id;
  std::string status;  // new | investigating | confirmed | false_positive | closed
  int64_t first_seen = 0, last_seen = 0;
  int reports = 0;
  std::vector<std::string> reporters, departments, roles, channels, senders, categories, domains, urls;
  std::string highest_verdict;  // malicious | suspicious | benign
  int highest_score = 0;
};

struct CampaignEntry {  // one line of a campaign's timeline
  int64_t at = 0;
  std::string actor, kind, text;  // kind: created | status | note | merge | split
};

struct CampaignDetail {
  Campaign campaign;
  std::vector<std::string> report_ids;
  std::vector<CampaignEntry> timeline;
};

struct CampaignPage {
  std::vector<Campaign> campaigns;  // most recently seen first
  std::string next_cursor;
};

// Staff notices the SMS gateway did not take, tried again later: each
// entry names a campaign and a staff member (by directory key, so no phone
// number is stored), and waits twice as long after each failed attempt.
struct PendingNotice {
  std::string id, campaign_id, staff_key, last_error;
  int attempts = 0;
};
// The directory key a campaign's reports name a staff member by ("staff:KEY").
std::string staff_key(const StaffMember& m);

class NoticeQueue {
 public:
  static constexpr int kMaxAttempts = 6;          // the first send and five retries
  static constexpr int64_t kFirstRetrySeconds = 60;  // then 2, 4, 8, 16 minutes
  explicit NoticeQueue(store::Store& store) : store_(store) {}
  // After a failed first attempt.
  Status add(const std::string& campaign_id, const std::vector<std::string>& staff_keys, const std::string& error, int64_t now);
  Result<std::vector<PendingNotice>> due(int64_t now, int limit = 100);
  Status remove(const std::string& id);
  // Another failed attempt: rescheduled, or (the last one) removed; returns
  // whether it was given up.
  Result<bool> failed_again(const PendingNotice& n, const std::string& error, int64_t now);

 private:
  store::Store& store_;
};

// The notice sent to targeted staff: {category}, {reports} and {staff}
// filled in from the campaign. Refused if the text would carry a link: a
// warning must never be one tap from the lure.
Result<std::string> staff_notice(const std::string& tmpl, const Campaign& c);

// Campaigns a report brought together: `from` was merged into `into`
// because report `report_id` belongs to both.
struct AutoMerge {
  std::string into, from, report_id;
};
// A campaign that gained reports: it had `before`; `campaign` is as it now stands.
struct CampaignGrowth {
  Campaign campaign;
  int before = 0;
};
// What placing reports did besides filing them, for the audit log and alerts.
struct Placements {
  std::vector<AutoMerge> merges;
  std::vector<CampaignGrowth> grown;
  std::vector<std::string> skipped;  // "report ID: why", left without a campaign and tried again next time
};
// What assign() did: the report's campaign, and every placement on the way.
struct Assignment {
  Campaign campaign;
  Placements placements;
};

// Campaigns over the stored reports: each new report joins one at once
// (CampaignClusterer); analysts change status, add notes, merge and split.
// Only campaigns still in status "new" are merged automatically. Placements
// are numbered in the store, so that every daemon on one database replays
// the same clusters before it places a report.
class CampaignBook {
 public:
  CampaignBook(store::Store& store, std::shared_ptr<const Keyring> keyring, ClusterParams params,
               std::shared_ptr<const Analyzer> analyzer);
  ~CampaignBook();
  // Replays every placement in the order it was made; reports without a
  // campaign (filed through the CLI, or while campaigns failed) get one.
  Result<Placements> rebuild();
  // Catches up with placements made elsewhere, then puts this report, and
  // every other one filed over a minute ago still without a campaign, into
  // one (a younger report may still be withdrawn, its audit record failing).
  // A report that belongs to several campaigns still "new" merges them into
  // the earliest. Returns this report's campaign as it now stands.
  Result<Assignment> assign(const Report& r);
  Result<CampaignPage> list(const std::string& status, const std::string& cursor, int limit);
  Result<CampaignDetail> get(const std::string& id);
  // Each returns what changed, for the audit record.
  // Returns the previous status.
  Result<std::string> set_status(const std::string& id, const std::string& status, const std::string& actor,
                                 const std::string& note);
  Status add_note(const std::string& id, const std::string& actor, const std::string& text);
  // Read-only checks, so that a merge or split is audited only when it can be done.
  Status check_merge(const std::string& into, const std::vector<std::string>& from);
  Status check_split(const std::string& from, const std::vector<std::string>& report_ids);
  Result<Campaign> merge(const std::string& into, const std::vector<std::string>& from, const std::string& actor);
  Result<Campaign> split(const std::string& from, const std::vector<std::string>& report_ids, const std::string& actor);
  // Staff in the directory who reported a message of this campaign.
  Result<std::vector<StaffMember>> targeted_staff(const std::string& id);
  // After a reload: the directory for targeted_staff() is the new one; the
  // clusterer keeps the names and domains it started with until rebuild().
  void replace_analyzer(std::shared_ptr<const Analyzer> analyzer);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wardline::smish
