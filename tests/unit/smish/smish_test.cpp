#include "smish/smish.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace wardline::smish {
namespace {

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

std::string source_dir() {
  const char* d = std::getenv("WARDLINE_SOURCE_DIR");
  return d ? d : ".";
}

TEST(Normalize, RemovesInvisibleCharactersAndRestoresDefangedLinks) {
  // zero-width space, soft hyphen, RTL override, BOM, no-break space
  EXPECT_EQ(normalize("pay\xe2\x80\x8broll up\xc2\xad""date \xe2\x80\xae\xef\xbb\xbfnow\xc2\xa0ok"), "payroll update now ok");
  EXPECT_EQ(normalize("go to hxxps://lakesidemed-epic[.]com/login"), "go to https://lakesidemed-epic.com/login");
  EXPECT_EQ(normalize("HXXP://evil(dot)example(.)com"), "http://evil.example.com");
  EXPECT_EQ(normalize("  many   spaces\t\tand\nlines  "), "many spaces and lines");
  // Invalid UTF-8 becomes U+FFFD; fullwidth letters and dots become ASCII (NFKC).
  EXPECT_EQ(normalize("bad utf8 \xff\xfe kept"), "bad utf8 \xef\xbf\xbd\xef\xbf\xbd kept");
  EXPECT_EQ(normalize("\xef\xbd\x85\xef\xbd\x90\xef\xbd\x89\xef\xbd\x83\xef\xbc\x8e\xef\xbd\x83\xef\xbd\x8f\xef\xbd\x8d"), "epic.com");
  EXPECT_EQ(normalize("\xf0\x9d\x90\x8f\xf0\x9d\x90\x9a\xf0\x9d\x90\xb2\xf0\x9d\x90\xab\xf0\x9d\x90\xa8\xf0\x9d\x90\xa5\xf0\x9d\x90\xa5"), "Payroll");
  std::string long_text(200000, 'a');
  EXPECT_EQ(normalize(long_text).size(), long_text.size());
}

TEST(Extract, FindsLinksDomainsPhonesAndEmails) {
  auto ex = extract(normalize("Verify at https://Login.Lakesidemed-Epic.com/x?a=1, or www.bit.ly/abc. Call +1 (617) 555-0142 "
                              "or mail it@helpdesk-support.net. Version 1.2.3 and e.g. are not links."));
  EXPECT_TRUE(has(ex.domains, "login.lakesidemed-epic.com"));
  EXPECT_TRUE(has(ex.domains, "www.bit.ly"));
  EXPECT_EQ(ex.urls.size(), 2u);
  EXPECT_TRUE(has(ex.phones, "16175550142"));
  EXPECT_TRUE(has(ex.emails, "it@helpdesk-support.net"));
  EXPECT_FALSE(has(ex.domains, "e.g"));
  auto bare = extract("claim at smsg.io/fCVbD now");
  EXPECT_TRUE(has(bare.domains, "smsg.io"));
  auto ip = extract("open http://192.168.4.20/epic now");
  EXPECT_TRUE(has(ip.domains, "192.168.4.20"));
  EXPECT_TRUE(extract("total 12.50 dollars, see Mr.Smith").domains.empty());
}

TEST(Tokens, LinksBecomeUrlTokensAndHostLabels) {
  EXPECT_EQ(model_tokens("WIN a Prize! visit http://Free-Gift.example.com/x now"),
            "win a prize ! visit __url__ free-gift example com now");
}

TEST(Tokens, NumbersAndAmountsAddTheirShape) {
  EXPECT_EQ(model_tokens("call 0871-230-0220 now"), "call 0871 - 230 - 0220 now __phone__");
  EXPECT_EQ(model_tokens("txt WIN to 87066"), "txt win to 87066 __shortcode__");
  EXPECT_EQ(model_tokens("won \xc2\xa3" "1000 cash"), "won \xc2\xa3" "1000 cash __money__");
  EXPECT_EQ(model_tokens("pay $6.85 toll"), "pay $ 6 . 85 toll __money__");
  // A code glued to letters, a year and a PIN are none of these.
  EXPECT_EQ(model_tokens("ref AB12345 in 2026, pin 1234"), "ref ab12345 in 2026 , pin 1234");
}

TEST(Defang, LinksAreShownDefanged) {
  EXPECT_EQ(defang("https://evil.example/x.html"), "hxxps://evil[.]example/x[.]html");
  // Bare domains and defanged input too; ordinary words and numbers stay as they are.
  EXPECT_EQ(defang_text("Pay at usps-fee.top/pay or hxxps://evil[.]com now, total 12.50"),
            "Pay at usps-fee[.]top/pay or hxxps://evil[.]com now, total 12.50");
}

class AnalyzerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto rules = load_rules(source_dir() + "/rules");
    ASSERT_TRUE(rules.ok()) << rules.error().message;
    auto org = load_organization(source_dir() + "/examples/organization.yaml");
    ASSERT_TRUE(org.ok()) << org.error().message;
    // No model: the rules, links and profile must carry these verdicts alone.
    analyzer_ = std::make_unique<Analyzer>(*rules, *org, nullptr);
  }
  std::unique_ptr<Analyzer> analyzer_;
};

TEST_F(AnalyzerTest, LookalikeOfOurDomainIsExplainedInPlainWords) {
  auto v = analyzer_->analyze("Your Epic session expired. Sign in to restore access: https://lakesidemed-epic.com/login");
  EXPECT_EQ(v.verdict, "malicious");
  EXPECT_TRUE(has(v.categories, "lookalike_domain"));
  EXPECT_TRUE(has(v.categories, "it_helpdesk"));
  EXPECT_TRUE(std::any_of(v.reasons.begin(), v.reasons.end(), [](const std::string& r) {
    return r.find("lakesidemed-epic.com, which imitates lakesidemed.org") != std::string::npos;
  }));
  EXPECT_EQ(v.urls, std::vector<std::string>{"hxxps://lakesidemed-epic[.]com/login"});
}

TEST_F(AnalyzerTest, OwnDomainAsALabelInsideAnotherDomainIsALookalike) {
  auto v = analyzer_->analyze("Badge renewal: hxxps://lakesidemed[.]org-badge[.]com/renew");
  EXPECT_TRUE(has(v.categories, "lookalike_domain"));
  EXPECT_NE(v.verdict, "benign");
}

TEST_F(AnalyzerTest, BrandNameOnAForeignDomain) {
  auto v = analyzer_->analyze("USPS: your parcel is held, pay the redelivery fee at usps-redelivery-fee.top/pay");
  EXPECT_TRUE(has(v.categories, "brand_impersonation"));
  EXPECT_TRUE(has(v.categories, "delivery"));
  EXPECT_NE(v.verdict, "benign");
}

TEST_F(AnalyzerTest, MfaCodeTheftAndExecutivePretexts) {
  auto mfa = analyzer_->analyze("This is IT. Reply with the code we just sent to your phone to keep your account.");
  EXPECT_TRUE(has(mfa.categories, "mfa_code_theft"));
  auto ceo = analyzer_->analyze("Hi, this is Jordan Ellis. Are you available? I need a quick favor, I'm in a meeting.");
  EXPECT_TRUE(has(ceo.categories, "executive_impersonation"));
  EXPECT_NE(ceo.verdict, "benign");
}

TEST_F(AnalyzerTest, LureWordingVariantsAreCaught) {
  // A gap, a plural and a new number: no exact phrase in lures.yaml reads like these.
  EXPECT_TRUE(has(analyzer_->analyze("IT Service Desk: reply with the 6-digit code we just sent you").categories, "mfa_code_theft"));
  EXPECT_TRUE(has(analyzer_->analyze("Lost my phone, can you send me the verification code you're about to get?").categories,
                  "mfa_code_theft"));
  EXPECT_TRUE(has(analyzer_->analyze("Dr. Patel asked me to reach you. She needs 4 Google Play cards, send photos of the codes")
                      .categories,
                  "gift_cards"));
  EXPECT_TRUE(has(analyzer_->analyze("IT here, reply with your username and password to keep access").categories,
                  "credential_request"));
  // A pretext plus a request for secrecy is flagged without a link or a model.
  auto pretext = analyzer_->analyze("Hi, this is Dana from HR. Are you at the hospital today? I need your help with something confidential.");
  EXPECT_TRUE(has(pretext.categories, "secrecy"));
  EXPECT_NE(pretext.verdict, "benign");
  EXPECT_EQ(analyzer_->analyze("Are you around? Can you cover my shift Saturday").verdict, "benign");
}

TEST_F(AnalyzerTest, LuresThatSendYouSomewhereNeedALinkOrANumber) {
  // "Your package was delivered" with nowhere to go is a notice...
  auto delivered = analyzer_->analyze("USPS: your package was delivered in or at the mailbox at 2:14 pm.");
  EXPECT_FALSE(has(delivered.categories, "delivery"));
  // ...the same lure with a foreign link or a number to call is not.
  EXPECT_TRUE(has(analyzer_->analyze("USPS: your package is held, see usps-hold.top").categories, "delivery"));
  EXPECT_TRUE(has(analyzer_->analyze("DEA notice: your DEA registration is suspended. Call 202-555-0143 to avoid arrest").categories,
                  "license_threat"));
  EXPECT_FALSE(has(analyzer_->analyze("Reminder: renew your DEA registration before it lapses in March").categories,
                   "license_threat"));
}

TEST_F(AnalyzerTest, SenderNameOfABrandWithALinkElsewhere) {
  auto v = analyzer_->analyze("Your package is waiting: https://track-pkg.top/a1", "USPS-Info");
  EXPECT_TRUE(has(v.categories, "brand_impersonation"));
  EXPECT_TRUE(std::any_of(v.reasons.begin(), v.reasons.end(), [](const std::string& r) {
    return r.find("sender name 'USPS-Info', but its link goes to track-pkg.top") != std::string::npos;
  }));
  EXPECT_NE(v.verdict, "benign");
  // The brand's own site, a number as sender, or no link: nothing to say.
  EXPECT_FALSE(has(analyzer_->analyze("Track it at https://tools.usps.com/go", "USPS").categories, "brand_impersonation"));
  EXPECT_FALSE(has(analyzer_->analyze("Your package is waiting: https://track-pkg.top/a1", "+14155550100").categories,
                   "brand_impersonation"));
  EXPECT_FALSE(has(analyzer_->analyze("Your package is on its way", "USPS").categories, "brand_impersonation"));
}

TEST_F(AnalyzerTest, OrdinaryMessagesAndOurOwnLinksStayBenign) {
  EXPECT_EQ(analyzer_->analyze("Running 10 minutes late, save me a seat at rounds").verdict, "benign");
  auto own = analyzer_->analyze("Reminder: the new parking map is at https://intranet.lakesidemed.org/parking");
  EXPECT_EQ(own.verdict, "benign");
  EXPECT_TRUE(own.reasons.empty());
}

TEST_F(AnalyzerTest, HomoglyphsPunycodeAndFullwidthLookAlikesAreCaught) {
  // Cyrillic "а" in place of the Latin one, as typed and as punycode.
  for (const char* text : {"Sign in: https://l\xd0\xb0kesidemed.org/login", "Sign in: https://xn--lkesidemed-zqi.org/login"}) {
    auto v = analyzer_->analyze(text);
    EXPECT_TRUE(has(v.categories, "lookalike_domain")) << text;
    EXPECT_TRUE(has(v.categories, "mixed_script")) << text;
    EXPECT_NE(v.verdict, "benign") << text;
  }
  auto punycode = analyzer_->analyze("Sign in: https://xn--lkesidemed-zqi.org/login");
  EXPECT_TRUE(std::any_of(punycode.reasons.begin(), punycode.reasons.end(), [](const std::string& r) {
    return r.find("xn--lkesidemed-zqi.org (l\xd0\xb0kesidemed.org), which imitates lakesidemed.org") != std::string::npos;
  }));
  // A digit for a letter, and fullwidth letters (NFKC).
  EXPECT_TRUE(has(analyzer_->analyze("sso at 1akesidemed.org/login").categories, "lookalike_domain"));
  EXPECT_TRUE(has(analyzer_->analyze("https://\xef\xbd\x8c\xef\xbd\x81\xef\xbd\x8b\xef\xbd\x85\xef\xbd\x93\xef\xbd\x89"
                                     "\xef\xbd\x84\xef\xbd\x85\xef\xbd\x8d\xef\xbd\x85\xef\xbd\x84-login.com").categories,
                  "lookalike_domain"));
  // Brand names with look-alike letters, mixed scripts alone.
  EXPECT_TRUE(has(analyzer_->analyze("Pay at https://p\xd0\xb0yp\xd0\xb0l.com/x").categories, "brand_impersonation"));
  EXPECT_TRUE(has(analyzer_->analyze("see https://g\xd0\xbe\xd0\xbeds-review.com").categories, "mixed_script"));
  // Our own domain written plainly is ours.
  EXPECT_FALSE(has(analyzer_->analyze("see https://lakesidemed.org/news").categories, "lookalike_domain"));
}

TEST_F(AnalyzerTest, ZeroWidthAndDefangingDoNotHideALink) {
  auto v = analyzer_->analyze("Verify your account: hxxps://lakeside\xe2\x80\x8bmed-login[.]com");
  EXPECT_TRUE(has(v.categories, "lookalike_domain"));
}

// With the shipped model: the hospital's own notices and delivered one-time
// codes are hard negatives that text alone gets wrong.
class ModelAnalyzerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto rules = load_rules(source_dir() + "/rules");
    auto org = load_organization(source_dir() + "/examples/organization.yaml");
    auto model = Classifier::load(source_dir() + "/models/smish.ftz");
    ASSERT_TRUE(rules.ok() && org.ok() && model.ok());
    analyzer_ = std::make_unique<Analyzer>(*rules, *org, std::shared_ptr<const Classifier>(std::move(*model)));
  }
  std::unique_ptr<Analyzer> analyzer_;
};

TEST_F(ModelAnalyzerTest, OwnSiteNoticesAndDeliveredCodesAreNotFlagged) {
  EXPECT_EQ(analyzer_->analyze("MyChart: you have a new test result. Log in to MyChart at https://lmc-mychart.org to view it.").verdict,
            "benign");
  EXPECT_EQ(analyzer_->analyze("Reminder from Lakeside IT: complete your annual security training by Friday at "
                               "https://lakesidemed.org/training").verdict,
            "benign");
  EXPECT_EQ(analyzer_->analyze("Your Microsoft verification code is 551903").verdict, "benign");
  // Real notices a bank, a help desk or the security team sends.
  EXPECT_EQ(analyzer_->analyze("Chase: a payment of $42.10 to Netflix was made from your account ending 4421. Not you? "
                               "Call the number on the back of your card.").verdict,
            "benign");
  EXPECT_EQ(analyzer_->analyze("IT Service Desk: your ticket INC0049213 (printer on 5 East) has been resolved. Reply to reopen.").verdict,
            "benign");
  EXPECT_EQ(analyzer_->analyze("Lakeside Medical Center will never ask for your password or codes by text. Report suspicious "
                               "messages to security@lakesidemed.org").verdict,
            "benign");
  // The same wording turned into a lure, or pointing elsewhere, is flagged.
  EXPECT_NE(analyzer_->analyze("Your verification code is 551903. Reply with the code to confirm your identity").verdict, "benign");
  EXPECT_NE(analyzer_->analyze("MyChart: you have a new test result. Log in to MyChart at https://lmc-mychart-results.com").verdict,
            "benign");
  EXPECT_NE(analyzer_->analyze("Hi it's Jordan Ellis, I'm in a board meeting. Can you buy 5 Apple gift cards? Will reimburse").verdict,
            "benign");
}

TEST(Rules, BadRuleFilesNameFileAndLine) {
  std::string dir = ::testing::TempDir() + "/rules-bad";
  std::filesystem::create_directories(dir);
  FILE* f = fopen((dir + "/x.yaml").c_str(), "w");
  fputs("lures:\n  - category: x\n    reason: y\n    phrases: notalist\n", f);
  fclose(f);
  auto r = load_rules(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("x.yaml:4:"), std::string::npos) << r.error().message;
  EXPECT_FALSE(load_rules(dir + "/missing").ok());
}

TEST(Rules, VerdictWeightsAndThresholdsAreData) {
  std::string dir = ::testing::TempDir() + "/rules-weights";
  std::filesystem::remove_all(dir);
  std::filesystem::copy(source_dir() + "/rules", dir);
  auto shipped = load_rules(dir);
  ASSERT_TRUE(shipped.ok()) << shipped.error().message;
  EXPECT_EQ(shipped->weights.lookalike_domain, 45);
  auto org = load_organization(source_dir() + "/examples/organization.yaml");
  ASSERT_TRUE(org.ok());
  std::string msg = "see hxxps://lakesidemed-portal[.]com/docs";
  EXPECT_NE(Analyzer(*shipped, *org, nullptr).analyze(msg).verdict, "benign");

  auto write = [&](const std::string& text) { std::ofstream(dir + "/verdict.yaml") << text; };
  write("verdict:\n  lookalike_domain: 0\n  any_link: 0\n");
  auto relaxed = load_rules(dir);
  ASSERT_TRUE(relaxed.ok()) << relaxed.error().message;
  EXPECT_EQ(relaxed->weights.lookalike_domain, 0);
  EXPECT_EQ(relaxed->weights.suspicious_at, 35);  // unspecified: the default
  EXPECT_EQ(Analyzer(*relaxed, *org, nullptr).analyze(msg).verdict, "benign");

  write("verdict:\n  ip_link: 250\n");
  EXPECT_NE(load_rules(dir).error().message.find("verdict.yaml:2:12: 'verdict.ip_link' must be an integer from -100 to 100"),
            std::string::npos);
  write("verdict:\n  model_weigth: 0.5\n");
  EXPECT_NE(load_rules(dir).error().message.find("unknown key 'verdict.model_weigth'"), std::string::npos);
  write("verdict:\n  malicious_at: 20\n");
  EXPECT_NE(load_rules(dir).error().message.find("suspicious_at <= malicious_smishing_at <= malicious_at"), std::string::npos);
}

TEST(Classifier, MissingModelIsAClearError) {
  auto m = Classifier::load("/nonexistent/model.ftz");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("make model"), std::string::npos);
}

TEST(Classifier, FastInferenceAgreesWithFastTextsOwn) {
  auto m = Classifier::load(source_dir() + "/models/smish.ftz");
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_TRUE((*m)->fast_inference());
  std::vector<std::string> texts = {
      "", "   ", "__label__ham", "__label__smishing click now", "Your Epic session expired. Sign in: hxxps://lakesidemed-epic[.]com/login",
      "WINNER!! call 09061701461 to claim your \xc2\xa3900 prize", "ok see you at 5", std::string(5000, 'x'),
      "caf\xc3\xa9 \xe2\x80\x8b zero\xe2\x80\x8bwidth \xff\xfe broken utf8", "a b c d e f g h i j k l m n o p"};
  auto dev = read_labeled_tsv(source_dir() + "/../shared/data/sms_dev.tsv", false);
  if (dev)
    for (const auto& d : *dev) texts.push_back(d.text);
  for (const auto& t : texts) {
    std::string tokens = model_tokens(normalize(t));
    ClassScores fast = (*m)->predict(tokens), ref = (*m)->predict_reference(tokens);
    EXPECT_NEAR(fast.ham, ref.ham, 1e-4) << t;
    EXPECT_NEAR(fast.spam, ref.spam, 1e-4) << t;
    EXPECT_NEAR(fast.smishing, ref.smishing, 1e-4) << t;
  }
  EXPECT_GE(texts.size(), 10u);
}

}  // namespace
}  // namespace wardline::smish
