// The console's ceremonies, enrollment links and sessions over both stores,
// driven by a software authenticator.
#include "console/console.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/keyring.h"
#include "core/time.h"
#include "support/test_support.h"
#include "unit/console/soft_authenticator.h"

namespace wardline::console {
namespace {

using nlohmann::json;
using testing::KeyKind;
using testing::SoftAuthenticator;

::testing::AssertionResult succeeded(const CeremonyResult<SignedIn>& r) {
  if (const auto* f = std::get_if<CeremonyFailure>(&r))
    return ::testing::AssertionFailure() << f->error.code << ": " << f->error.message;
  return ::testing::AssertionSuccess();
}

// The failure of a ceremony that must fail.
CeremonyFailure failure(const CeremonyResult<SignedIn>& r) {
  if (const auto* f = std::get_if<CeremonyFailure>(&r)) return *f;
  ADD_FAILURE() << "the ceremony succeeded";
  return {};
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

class ConsoleTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = testing::open_test_store(GetParam(), dir_.path());
    ASSERT_NE(store_, nullptr);
    auto ring = Keyring::open(dir_.path() + "/keys.json");
    ASSERT_TRUE(ring.ok()) << ring.error().message;
    identity_ = std::make_unique<Identity>(*store_, *ring);
    ASSERT_TRUE(identity_->add_user({"dr.ellis", Role::analyst, "Jordan Ellis", std::nullopt}).ok());
    ASSERT_TRUE(identity_->add_user({"nurse.kim", Role::reporter, "", std::nullopt}).ok());
    console_ = std::make_unique<Console>(*store_, *identity_, settings());
  }

  static Settings settings() {
    Settings s;
    s.origin = *parse_origin("https://localhost:8443");
    s.rp_id = "localhost";
    return s;
  }

  std::string token_for(const std::string& user, Console* c = nullptr) {
    auto link = (c ? c : console_.get())->create_enroll_link(user, "admin");
    EXPECT_TRUE(link.ok()) << link.error().message;
    return link.ok() ? link->token : "";
  }

  // Both halves of a registration through `link_token`.
  CeremonyResult<SignedIn> enroll_with(SoftAuthenticator& a, const std::string& link_token, Console* c = nullptr) {
    c = c ? c : console_.get();
    auto ceremony = c->enroll_options(link_token);
    if (!ceremony) return CeremonyFailure{ceremony.error(), ""};
    return c->enroll(link_token, ceremony->id, a.make_registration(ceremony->options_json));
  }

  CeremonyResult<SignedIn> sign_in_with(SoftAuthenticator& a, Console* c = nullptr) {
    c = c ? c : console_.get();
    auto ceremony = c->sign_in_options();
    if (!ceremony) return CeremonyFailure{ceremony.error(), ""};
    return c->sign_in(ceremony->id, a.make_assertion(ceremony->options_json));
  }

  // A passkey registered for `user`; its session.
  SignedIn enrolled(SoftAuthenticator& a, const std::string& user) {
    auto r = enroll_with(a, token_for(user));
    EXPECT_TRUE(succeeded(r));
    return succeeded(r) ? std::get<SignedIn>(r) : SignedIn{};
  }

  std::string session_refusal(const std::string& cookie, Console* c = nullptr) {
    auto s = (c ? c : console_.get())->session(cookie);
    EXPECT_FALSE(s.ok()) << "the session is still live";
    if (s.ok()) return "";
    EXPECT_EQ(s.error().code, "unauthenticated");
    return s.error().message;
  }

  int64_t count(const std::string& table) { return store_->query("SELECT COUNT(*) FROM " + table)->at(0).integer(0); }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Identity> identity_;
  std::unique_ptr<Console> console_;
};

TEST_P(ConsoleTest, EnrollLinkPointsAtTheDashboardAndOnlyItsHashIsStored) {
  auto link = console_->create_enroll_link("dr.ellis", "admin");
  ASSERT_TRUE(link.ok()) << link.error().message;
  EXPECT_EQ(link->url, "https://localhost:8443/enroll#" + link->token);
  EXPECT_EQ(crypto::base64url_decode(link->token)->size(), 32u);
  EXPECT_NEAR(link->expires_at, unix_now() + 24 * 3600, 5);

  auto rows = store_->query("SELECT * FROM console_enroll_links");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  for (const auto& col : rows->at(0).cols) EXPECT_FALSE(col && contains(*col, link->token)) << *col;
  auto row = store_->query("SELECT user_name, created_by, used_at FROM console_enroll_links WHERE token_hash = ?",
                           {crypto::sha256_hex(link->token)});
  ASSERT_EQ(row->size(), 1u);
  EXPECT_EQ(row->at(0).text(0), "dr.ellis");
  EXPECT_EQ(row->at(0).text(1), "admin");
  EXPECT_TRUE(row->at(0).is_null(2));

  // A second link does not withdraw the first.
  std::string second = token_for("dr.ellis");
  EXPECT_NE(second, link->token);
  EXPECT_TRUE(console_->enroll_options(link->token).ok());
  EXPECT_TRUE(console_->enroll_options(second).ok());
}

TEST_P(ConsoleTest, EnrollLinkRefusedForUnknownOrDisabledUser) {
  auto ghost = console_->create_enroll_link("ghost", "admin");
  ASSERT_FALSE(ghost.ok());
  EXPECT_EQ(ghost.error().code, "not_found");
  EXPECT_EQ(ghost.error().message, "no user named 'ghost'");

  std::string earlier = token_for("nurse.kim");
  ASSERT_TRUE(identity_->disable_user("nurse.kim"));
  auto disabled = console_->create_enroll_link("nurse.kim", "admin");
  ASSERT_FALSE(disabled.ok());
  EXPECT_EQ(disabled.error().code, "user_disabled");
  EXPECT_TRUE(contains(disabled.error().message, "user 'nurse.kim' is disabled")) << disabled.error().message;
  EXPECT_EQ(count("console_enroll_links"), 1);
  // A link sent before the user was disabled no longer opens a ceremony.
  auto options = console_->enroll_options(earlier);
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.error().code, "user_disabled");
}

TEST_P(ConsoleTest, EnrollOptionsDescribeTheCeremony) {
  std::string token = token_for("dr.ellis");
  auto ceremony = console_->enroll_options(token);
  ASSERT_TRUE(ceremony.ok()) << ceremony.error().message;
  EXPECT_EQ(ceremony->user.name, "dr.ellis");
  json o = json::parse(ceremony->options_json);
  auto stored = store_->query("SELECT challenge, purpose FROM console_challenges WHERE id = ?", {ceremony->id});
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(o["challenge"], stored->at(0).text(0));
  EXPECT_EQ(stored->at(0).text(1), "enroll");
  EXPECT_EQ(crypto::base64url_decode(o["challenge"].get<std::string>())->size(), 32u);
  EXPECT_EQ(o["rp"], json({{"id", "localhost"}, {"name", "Wardline"}}));
  EXPECT_EQ(o["user"]["id"], crypto::base64url_encode(identity_->find_user("dr.ellis")->id));
  EXPECT_EQ(o["user"]["name"], "dr.ellis");
  EXPECT_EQ(o["user"]["displayName"], "Jordan Ellis");
  std::vector<int> algs;
  for (const auto& p : o["pubKeyCredParams"]) {
    EXPECT_EQ(p["type"], "public-key");
    algs.push_back(p["alg"].get<int>());
  }
  EXPECT_EQ(algs, (std::vector<int>{-7, -8, -257}));
  EXPECT_EQ(o["authenticatorSelection"]["userVerification"], "required");
  EXPECT_EQ(o["authenticatorSelection"]["residentKey"], "required");
  EXPECT_EQ(o["excludeCredentials"], json::array());

  SoftAuthenticator a(KeyKind::es256);
  ASSERT_TRUE(succeeded(console_->enroll(token, ceremony->id, a.make_registration(ceremony->options_json))));
  auto next = console_->enroll_options(token_for("dr.ellis"));
  ASSERT_TRUE(next.ok());
  json n = json::parse(next->options_json);
  EXPECT_NE(n["challenge"], o["challenge"]);
  EXPECT_EQ(n["excludeCredentials"], json::array({{{"type", "public-key"}, {"id", crypto::base64url_encode(a.credential_id)}}}));
}

TEST_P(ConsoleTest, EnrollsAndSignsInWithEachAlgorithm) {
  for (KeyKind kind : {KeyKind::es256, KeyKind::ed25519, KeyKind::rs256}) {
    SCOPED_TRACE(testing::to_string(kind));
    SoftAuthenticator a(kind);
    auto r = enroll_with(a, token_for("dr.ellis"));
    ASSERT_TRUE(succeeded(r));
    const SignedIn& done = std::get<SignedIn>(r);
    std::string cred = crypto::base64url_encode(a.credential_id);
    auto s = console_->session(done.cookie_value);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->user.name, "dr.ellis");
    EXPECT_EQ(s->credential_id, cred);
    EXPECT_EQ(s->csrf_token, done.session.csrf_token);
    EXPECT_EQ(crypto::base64url_decode(s->csrf_token)->size(), 32u);
    EXPECT_EQ(s->session_ref, done.session.session_ref);
    EXPECT_EQ(s->session_ref.rfind("ses_", 0), 0u);
    EXPECT_EQ(s->expires_at, s->created_at + 8 * 3600);

    auto row = store_->query("SELECT public_key, algorithm, user_name FROM console_credentials WHERE credential_id = ?", {cred});
    ASSERT_EQ(row->size(), 1u);
    EXPECT_EQ(row->at(0).text(0), crypto::base64url_encode(a.spki_der()));
    EXPECT_EQ(row->at(0).integer(1), a.algorithm());
    EXPECT_EQ(row->at(0).text(2), "dr.ellis");

    auto in = sign_in_with(a);
    ASSERT_TRUE(succeeded(in));
    EXPECT_EQ(std::get<SignedIn>(in).session.user.name, "dr.ellis");
    EXPECT_NE(std::get<SignedIn>(in).cookie_value, done.cookie_value);
  }
}

TEST_P(ConsoleTest, EnrollLinkIsSingleUse) {
  std::string token = token_for("dr.ellis");
  auto first = console_->enroll_options(token), second = console_->enroll_options(token);
  ASSERT_TRUE(first.ok() && second.ok());
  SoftAuthenticator a(KeyKind::es256), b(KeyKind::ed25519);
  ASSERT_TRUE(succeeded(console_->enroll(token, first->id, a.make_registration(first->options_json))));
  auto again = failure(console_->enroll(token, second->id, b.make_registration(second->options_json)));
  EXPECT_EQ(again.error.code, "expired");
  EXPECT_TRUE(contains(again.error.message, "already been used")) << again.error.message;
  auto options = console_->enroll_options(token);
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.error().code, "expired");
  EXPECT_EQ(count("console_credentials"), 1);
}

TEST_P(ConsoleTest, ExpiredEnrollLinkIsRefused) {
  Settings s = settings();
  s.enroll_link_ttl = std::chrono::seconds(-1);
  Console short_lived(*store_, *identity_, s);
  auto options = short_lived.enroll_options(token_for("dr.ellis", &short_lived));
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.error().code, "expired");
  EXPECT_TRUE(contains(options.error().message, "has expired")) << options.error().message;

  // A link that expires between the two halves of the ceremony.
  std::string token = token_for("dr.ellis");
  auto ceremony = console_->enroll_options(token);
  ASSERT_TRUE(ceremony.ok());
  ASSERT_TRUE(store_->execute("UPDATE console_enroll_links SET expires_at = ?", {unix_now() - 1}));
  SoftAuthenticator a(KeyKind::es256);
  EXPECT_EQ(failure(console_->enroll(token, ceremony->id, a.make_registration(ceremony->options_json))).error.code, "expired");
  EXPECT_EQ(count("console_credentials"), 0);
}

TEST_P(ConsoleTest, ChallengeIsAnsweredOnlyOnce) {
  SoftAuthenticator a(KeyKind::es256);
  enrolled(a, "dr.ellis");
  auto ceremony = console_->sign_in_options();
  ASSERT_TRUE(ceremony.ok());
  ASSERT_TRUE(succeeded(console_->sign_in(ceremony->id, a.make_assertion(ceremony->options_json))));
  auto replay = failure(console_->sign_in(ceremony->id, a.make_assertion(ceremony->options_json)));
  EXPECT_EQ(replay.error.code, "invalid_ceremony");
  EXPECT_TRUE(contains(replay.error.message, "already answered")) << replay.error.message;
  EXPECT_EQ(failure(console_->sign_in("wac_unknown", a.make_assertion(ceremony->options_json))).error.code, "invalid_ceremony");

  // A failed answer uses the challenge up too; a sign-in challenge does not enroll.
  std::string token = token_for("nurse.kim");
  auto enroll = console_->enroll_options(token);
  ASSERT_TRUE(enroll.ok());
  SoftAuthenticator b(KeyKind::ed25519);
  b.origin = "https://evil.example";
  EXPECT_EQ(failure(console_->enroll(token, enroll->id, b.make_registration(enroll->options_json))).error.code,
            "invalid_client_data");
  b.origin = "https://localhost:8443";
  EXPECT_EQ(failure(console_->enroll(token, enroll->id, b.make_registration(enroll->options_json))).error.code,
            "invalid_ceremony");
  auto other = console_->sign_in_options();
  EXPECT_EQ(failure(console_->enroll(token, other->id, b.make_registration(enroll->options_json))).error.code,
            "invalid_ceremony");
  EXPECT_TRUE(succeeded(enroll_with(b, token)));
}

TEST_P(ConsoleTest, ExpiredCeremonyIsRefused) {
  SoftAuthenticator a(KeyKind::es256), b(KeyKind::ed25519);
  enrolled(a, "dr.ellis");
  Settings s = settings();
  s.ceremony_ttl = std::chrono::seconds(-1);
  Console slow(*store_, *identity_, s);
  auto in = failure(sign_in_with(a, &slow));
  EXPECT_EQ(in.error.code, "invalid_ceremony");
  EXPECT_TRUE(contains(in.error.message, "took too long")) << in.error.message;
  auto reg = failure(enroll_with(b, token_for("nurse.kim"), &slow));
  EXPECT_EQ(reg.error.code, "invalid_ceremony");
  EXPECT_TRUE(contains(reg.error.message, "took too long")) << reg.error.message;
}

struct Tamper {
  std::string name;
  std::function<void(SoftAuthenticator&)> apply;
  std::string code, message;
};

std::vector<Tamper> tampers(const std::string& expected_type) {
  return {
      {"origin", [](auto& a) { a.origin = "https://evil.example"; }, "invalid_client_data",
       "comes from origin 'https://evil.example', not 'https://localhost:8443'"},
      {"rp_id", [](auto& a) { a.rp_id = "evil.example"; }, "invalid_authenticator_data", "RP ID hash does not match 'localhost'"},
      {"uv", [](auto& a) { a.flags = 0x01; }, "invalid_authenticator_data", "UV flag clear"},
      {"up", [](auto& a) { a.flags = 0x04; }, "invalid_authenticator_data", "UP flag clear"},
      {"type", [](auto& a) { a.type = "webauthn.other"; }, "invalid_client_data", "expected '" + expected_type + "'"},
      {"cross_origin", [](auto& a) { a.cross_origin = true; }, "invalid_client_data", "cross-origin frame"},
      {"challenge", [](auto& a) { a.challenge = crypto::base64url_encode(crypto::random_bytes(32)); }, "invalid_client_data",
       "answers a different challenge"},
  };
}

TEST_P(ConsoleTest, TamperedRegistrationFailsAndLeavesTheLinkUsable) {
  std::string token = token_for("dr.ellis");
  for (const Tamper& t : tampers("webauthn.create")) {
    SCOPED_TRACE(t.name);
    SoftAuthenticator a(KeyKind::es256);
    t.apply(a);
    auto f = failure(enroll_with(a, token));
    EXPECT_EQ(f.error.code, t.code);
    EXPECT_TRUE(contains(f.error.message, t.message)) << f.error.message;
    EXPECT_EQ(f.user_name, "dr.ellis");
  }
  SoftAuthenticator a(KeyKind::es256);
  auto ceremony = console_->enroll_options(token);
  json cred = a.make_registration(ceremony->options_json);
  cred["rawId"] = crypto::base64url_encode("another id");
  auto f = failure(console_->enroll(token, ceremony->id, cred));
  EXPECT_EQ(f.error.code, "invalid_credential");
  EXPECT_EQ(f.error.message, "rawId differs from the attested credential id");
  ceremony = console_->enroll_options(token);
  cred = a.make_registration(ceremony->options_json);
  cred["response"].erase("attestationObject");
  EXPECT_EQ(failure(console_->enroll(token, ceremony->id, cred)).error.field, "response.attestationObject");
  EXPECT_EQ(count("console_credentials"), 0);
  EXPECT_EQ(count("console_sessions"), 0);
  EXPECT_TRUE(succeeded(enroll_with(a, token)));
}

TEST_P(ConsoleTest, TamperedAssertionFails) {
  SoftAuthenticator a(KeyKind::es256);
  enrolled(a, "dr.ellis");
  for (const Tamper& t : tampers("webauthn.get")) {
    SCOPED_TRACE(t.name);
    SoftAuthenticator copy = a;  // same key and credential
    t.apply(copy);
    auto f = failure(sign_in_with(copy));
    EXPECT_EQ(f.error.code, t.code);
    EXPECT_TRUE(contains(f.error.message, t.message)) << f.error.message;
    EXPECT_EQ(f.user_name, "dr.ellis");
  }
  EXPECT_EQ(count("console_sessions"), 1);
  EXPECT_TRUE(succeeded(sign_in_with(a)));
}

TEST_P(ConsoleTest, SignInUpdatesTheCounter) {
  SoftAuthenticator a(KeyKind::ed25519);
  a.sign_count = 7;
  SignedIn first = enrolled(a, "dr.ellis");
  std::string cred = crypto::base64url_encode(a.credential_id);
  auto counter = [&] {
    return store_->query("SELECT sign_count FROM console_credentials WHERE credential_id = ?", {cred})->at(0).integer(0);
  };
  EXPECT_EQ(counter(), 7);
  a.sign_count = 41;
  auto r = sign_in_with(a);
  ASSERT_TRUE(succeeded(r));
  EXPECT_EQ(counter(), 42);
  const SignedIn& in = std::get<SignedIn>(r);
  EXPECT_EQ(in.session.credential_id, cred);
  EXPECT_NE(in.session.csrf_token, first.session.csrf_token);
  auto s = console_->session(in.cookie_value);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->user.name, "dr.ellis");
}

TEST_P(ConsoleTest, CounterThatDoesNotIncreaseIsRefused) {
  SoftAuthenticator a(KeyKind::es256);
  enrolled(a, "dr.ellis");
  ASSERT_TRUE(succeeded(sign_in_with(a)));  // counter 1
  a.counter_step = 0;
  auto same = failure(sign_in_with(a));
  EXPECT_EQ(same.error.code, "invalid_signature");
  EXPECT_TRUE(contains(same.error.message, "went from 1 to 1: the authenticator may have been cloned")) << same.error.message;
  EXPECT_EQ(same.user_name, "dr.ellis");
  a.sign_count = 0;
  EXPECT_TRUE(contains(failure(sign_in_with(a)).error.message, "went from 1 to 0")) << "a counter going back to zero";

  // Authenticators without a counter always report 0: accepted.
  SoftAuthenticator uncounted(KeyKind::ed25519);
  uncounted.counter_step = 0;
  enrolled(uncounted, "nurse.kim");
  EXPECT_TRUE(succeeded(sign_in_with(uncounted)));
  EXPECT_TRUE(succeeded(sign_in_with(uncounted)));
}

TEST_P(ConsoleTest, UnknownCredentialIsRefused) {
  SoftAuthenticator a(KeyKind::es256), stranger(KeyKind::es256);
  enrolled(a, "dr.ellis");
  stranger.user_handle = a.user_handle;
  auto f = failure(sign_in_with(stranger));
  EXPECT_EQ(f.error.code, "unauthenticated");
  EXPECT_TRUE(contains(f.error.message, "not registered with Wardline")) << f.error.message;
  EXPECT_EQ(f.user_name, "");
}

TEST_P(ConsoleTest, UserHandleOfAnotherUserIsRefused) {
  SoftAuthenticator ellis(KeyKind::es256), kim(KeyKind::es256);
  enrolled(ellis, "dr.ellis");
  enrolled(kim, "nurse.kim");
  ellis.user_handle = kim.user_handle;
  auto f = failure(sign_in_with(ellis));
  EXPECT_EQ(f.error.code, "invalid_credential");
  EXPECT_EQ(f.error.message, "the passkey's user handle belongs to another user");
  EXPECT_EQ(f.user_name, "dr.ellis");
}

TEST_P(ConsoleTest, MissingUserHandleOrWrongTypeIsRefused) {
  SoftAuthenticator a(KeyKind::es256);
  enrolled(a, "dr.ellis");
  auto saved = a.user_handle;
  a.user_handle.reset();
  auto f = failure(sign_in_with(a));
  EXPECT_EQ(f.error.code, "invalid_credential");
  EXPECT_TRUE(contains(f.error.message, "response.userHandle")) << f.error.message;
  a.user_handle = saved;
  auto ceremony = console_->sign_in_options();
  ASSERT_TRUE(ceremony.ok());
  json assertion = a.make_assertion(ceremony->options_json);
  assertion["type"] = "password";
  f = failure(console_->sign_in(ceremony->id, assertion));
  EXPECT_EQ(f.error.code, "invalid_credential");
  EXPECT_TRUE(contains(f.error.message, "public-key")) << f.error.message;
}

TEST_P(ConsoleTest, SignInWithAttestedDataOrOversizedFieldsIsRefused) {
  SoftAuthenticator a(KeyKind::es256);
  enrolled(a, "dr.ellis");
  a.flags |= 0x40;  // AT: a sign-in must not carry a credential
  auto f = failure(sign_in_with(a));
  EXPECT_EQ(f.error.code, "invalid_authenticator_data");
  EXPECT_TRUE(contains(f.error.message, "attested credential data")) << f.error.message;
  a.flags &= ~0x40;
  auto ceremony = console_->sign_in_options();
  ASSERT_TRUE(ceremony.ok());
  json assertion = a.make_assertion(ceremony->options_json);
  assertion["response"]["clientDataJSON"] = crypto::base64url_encode(std::string(100000, 'x'));
  f = failure(console_->sign_in(ceremony->id, assertion));
  EXPECT_EQ(f.error.code, "invalid_credential");
  EXPECT_EQ(f.error.message, "'response.clientDataJSON' is longer than 4096 bytes");
  ceremony = console_->sign_in_options();
  assertion = a.make_assertion(ceremony->options_json);
  assertion["type"] = 7;  // not even text
  EXPECT_EQ(failure(console_->sign_in(ceremony->id, assertion)).error.code, "invalid_credential");
}

TEST_P(ConsoleTest, RemovingAPasskeyEndsItsSessionsAndItsSignIns) {
  SoftAuthenticator phone(KeyKind::es256), key(KeyKind::ed25519);
  SignedIn on_phone = enrolled(phone, "dr.ellis");
  SignedIn on_key = enrolled(key, "dr.ellis");
  std::string user_id = identity_->find_user("dr.ellis")->id;
  auto keys = console_->passkeys(user_id);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  std::string phone_id = crypto::base64url_encode(phone.credential_id);
  EXPECT_EQ(console_->find_passkey(user_id, phone_id.substr(0, 4)).error().field, "credential");  // too short
  EXPECT_EQ(console_->find_passkey(user_id, "zzzzzzzzzz").error().code, "not_found");
  auto removed = console_->remove_passkey(user_id, phone_id.substr(0, 10));
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(removed->credential_id, phone_id);
  session_refusal(on_phone.cookie_value);
  EXPECT_TRUE(console_->session(on_key.cookie_value).ok());
  EXPECT_EQ(failure(sign_in_with(phone)).error.code, "unauthenticated");
  EXPECT_TRUE(succeeded(sign_in_with(key)));
  EXPECT_EQ(console_->passkeys(user_id)->size(), 1u);
}

TEST_P(ConsoleTest, AnswerToTheWrongCeremonyKindLeavesTheChallengeUsable) {
  SoftAuthenticator a(KeyKind::es256), b(KeyKind::ed25519);
  enrolled(a, "dr.ellis");
  std::string link = token_for("nurse.kim");
  auto enroll = console_->enroll_options(link);
  ASSERT_TRUE(enroll.ok());
  // The enrollment ceremony's id sent as a sign-in: refused, and the
  // enrollment can still be finished with it.
  EXPECT_EQ(failure(console_->sign_in(enroll->id, a.make_assertion(enroll->options_json))).error.code, "invalid_ceremony");
  EXPECT_TRUE(succeeded(console_->enroll(link, enroll->id, b.make_registration(enroll->options_json))));
}

TEST_P(ConsoleTest, SessionsOfADisabledUserStayEndedWhenEnabledAgain) {
  SoftAuthenticator a(KeyKind::es256);
  SignedIn done = enrolled(a, "dr.ellis");
  ASSERT_TRUE(identity_->disable_user("dr.ellis"));
  session_refusal(done.cookie_value);
  ASSERT_TRUE(identity_->enable_user("dr.ellis"));
  EXPECT_TRUE(contains(session_refusal(done.cookie_value), "has ended"));
}

TEST_P(ConsoleTest, SignatureFromAnotherKeyIsRefused) {
  SoftAuthenticator a(KeyKind::es256);
  enrolled(a, "dr.ellis");
  for (KeyKind kind : {KeyKind::es256, KeyKind::ed25519}) {
    SoftAuthenticator impostor(kind);
    impostor.credential_id = a.credential_id;
    impostor.user_handle = a.user_handle;
    impostor.sign_count = 100;
    auto f = failure(sign_in_with(impostor));
    EXPECT_EQ(f.error.code, "invalid_signature");
    EXPECT_EQ(f.error.message, "the passkey's signature does not verify");
    EXPECT_EQ(f.user_name, "dr.ellis");
  }
}

TEST_P(ConsoleTest, DisabledUserCannotSignInAndLosesSessions) {
  SoftAuthenticator a(KeyKind::es256);
  SignedIn done = enrolled(a, "dr.ellis");
  std::string pending = token_for("dr.ellis");
  ASSERT_TRUE(console_->session(done.cookie_value).ok());
  ASSERT_TRUE(identity_->disable_user("dr.ellis"));
  EXPECT_TRUE(contains(session_refusal(done.cookie_value), "user 'dr.ellis' is disabled"));
  auto f = failure(sign_in_with(a));
  EXPECT_EQ(f.error.code, "user_disabled");
  EXPECT_EQ(f.user_name, "dr.ellis");
  SoftAuthenticator b(KeyKind::ed25519);
  EXPECT_EQ(failure(enroll_with(b, pending)).error.code, "user_disabled");
}

TEST_P(ConsoleTest, SignOutEndsOneSession) {
  SoftAuthenticator a(KeyKind::es256);
  SignedIn first = enrolled(a, "dr.ellis");
  auto second = sign_in_with(a);
  ASSERT_TRUE(succeeded(second));
  ASSERT_TRUE(console_->sign_out(first.cookie_value));
  EXPECT_TRUE(contains(session_refusal(first.cookie_value), "the session has ended"));
  EXPECT_TRUE(console_->session(std::get<SignedIn>(second).cookie_value).ok());
  EXPECT_EQ(session_refusal(""), "not signed in; sign in again");
}

TEST_P(ConsoleTest, SignOutEverywhereEndsAllTheUsersSessions) {
  SoftAuthenticator a(KeyKind::es256), k(KeyKind::ed25519);
  SignedIn first = enrolled(a, "dr.ellis");
  auto second = sign_in_with(a);
  ASSERT_TRUE(succeeded(second));
  SignedIn kims = enrolled(k, "nurse.kim");
  auto n = console_->sign_out_everywhere(identity_->find_user("dr.ellis")->id);
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 2);
  session_refusal(first.cookie_value);
  session_refusal(std::get<SignedIn>(second).cookie_value);
  EXPECT_TRUE(console_->session(kims.cookie_value).ok());
  EXPECT_EQ(*console_->sign_out_everywhere(identity_->find_user("dr.ellis")->id), 0);
}

TEST_P(ConsoleTest, SessionsEndWhenIdleOrTooOld) {
  Settings idle = settings();
  idle.idle_timeout = std::chrono::seconds(0);
  Console idle_console(*store_, *identity_, idle);
  SoftAuthenticator a(KeyKind::es256), b(KeyKind::es256);
  auto r = enroll_with(a, token_for("dr.ellis"), &idle_console);
  ASSERT_TRUE(succeeded(r));
  std::string cookie = std::get<SignedIn>(r).cookie_value;
  EXPECT_TRUE(contains(session_refusal(cookie, &idle_console), "idle")) << "idle timeout";
  EXPECT_TRUE(contains(session_refusal(cookie), "has ended")) << "an idle session is deleted";

  Settings old = settings();
  old.absolute_timeout = std::chrono::seconds(0);
  Console old_console(*store_, *identity_, old);
  auto o = enroll_with(b, token_for("nurse.kim"), &old_console);
  ASSERT_TRUE(succeeded(o));
  EXPECT_EQ(std::get<SignedIn>(o).session.expires_at, std::get<SignedIn>(o).session.created_at);
  EXPECT_TRUE(contains(session_refusal(std::get<SignedIn>(o).cookie_value, &old_console), "maximum lifetime"));
}

TEST_P(ConsoleTest, UndoEnrollmentRemovesPasskeyAndSessionAndReopensTheLink) {
  SoftAuthenticator a(KeyKind::rs256);
  std::string token = token_for("dr.ellis");
  auto r = enroll_with(a, token);
  ASSERT_TRUE(succeeded(r));
  Status undone = console_->undo_enrollment(token, std::get<SignedIn>(r));
  ASSERT_TRUE(undone.ok()) << undone.error().message;
  session_refusal(std::get<SignedIn>(r).cookie_value);
  EXPECT_EQ(count("console_credentials"), 0);
  EXPECT_EQ(count("console_sessions"), 0);
  EXPECT_EQ(failure(sign_in_with(a)).error.code, "unauthenticated");
  EXPECT_TRUE(succeeded(enroll_with(a, token)));
}

TEST_P(ConsoleTest, RevokedEnrollLinkIsUnknown) {
  std::string token = token_for("dr.ellis"), kept = token_for("dr.ellis");
  ASSERT_TRUE(console_->revoke_enroll_link(token));
  auto options = console_->enroll_options(token);
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.error().code, "not_found");
  EXPECT_TRUE(console_->enroll_options(kept).ok());
  // A used link stays on record as used.
  SoftAuthenticator a(KeyKind::es256);
  ASSERT_TRUE(succeeded(enroll_with(a, kept)));
  ASSERT_TRUE(console_->revoke_enroll_link(kept));
  EXPECT_EQ(console_->enroll_options(kept).error().code, "expired");
}

TEST_P(ConsoleTest, SamePasskeyTwiceIsAConflictAndKeepsTheLink) {
  SoftAuthenticator a(KeyKind::es256);
  enrolled(a, "dr.ellis");
  std::string token = token_for("dr.ellis");
  auto f = failure(enroll_with(a, token));
  EXPECT_EQ(f.error.code, "conflict");
  EXPECT_EQ(f.user_name, "dr.ellis");
  EXPECT_TRUE(console_->enroll_options(token).ok()) << "the failed registration rolled back the link's use";
}

TEST_P(ConsoleTest, SessionCookieIsStoredOnlyAsItsHash) {
  SoftAuthenticator a(KeyKind::es256);
  SignedIn done = enrolled(a, "dr.ellis");
  auto rows = store_->query("SELECT * FROM console_sessions");
  ASSERT_EQ(rows->size(), 1u);
  for (const auto& col : rows->at(0).cols) EXPECT_FALSE(col && contains(*col, done.cookie_value)) << *col;
  EXPECT_EQ(store_->query("SELECT 1 FROM console_sessions WHERE id_hash = ?", {crypto::sha256_hex(done.cookie_value)})->size(), 1u);
}

TEST_P(ConsoleTest, CsrfTokenIsNotStoredInClear) {
  SoftAuthenticator a(KeyKind::es256);
  SignedIn done = enrolled(a, "dr.ellis");
  ASSERT_FALSE(done.session.csrf_token.empty());
  auto rows = store_->query("SELECT * FROM console_sessions");
  ASSERT_EQ(rows->size(), 1u);
  for (const auto& col : rows->at(0).cols) EXPECT_FALSE(col && contains(*col, done.session.csrf_token)) << *col;
  auto s = console_->session(done.cookie_value);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->csrf_token, done.session.csrf_token);
}

INSTANTIATE_TEST_SUITE_P(BothStores, ConsoleTest, ::testing::ValuesIn(testing::kStoreKinds));

}  // namespace
}  // namespace wardline::console
