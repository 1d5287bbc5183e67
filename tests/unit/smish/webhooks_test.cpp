// Webhook signatures against the providers' own published vectors
// (../shared/external/webhooks), and the payload parsers.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "smish/smish.h"

namespace wardline::smish {
namespace {

using nlohmann::json;

std::string vectors_dir() {
  const char* d = std::getenv("WARDLINE_EXTERNAL_DIR");
  return std::string(d ? d : "../shared/external") + "/webhooks";
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

#define REQUIRE_VECTORS()                                                                               \
  if (!std::filesystem::exists(vectors_dir() + "/twilio_signature_vectors.json"))                       \
  GTEST_SKIP() << "webhook vectors not found in " << vectors_dir()                                      \
               << " (set WARDLINE_EXTERNAL_DIR to the shared external folder to run this conformance test)"

TEST(TwilioSignature, MatchesTwilioPublishedVectors) {
  REQUIRE_VECTORS();
  json doc = json::parse(slurp(vectors_dir() + "/twilio_signature_vectors.json"));
  std::string token = doc["auth_token"];
  FormParams base;
  for (auto& [k, v] : doc["vectors"][0]["params"].items()) base.emplace_back(k, v.get<std::string>());
  int checked = 0;
  for (const auto& v : doc["vectors"]) {
    FormParams params;
    std::string body;
    if (v.contains("body")) {
      body = v["body"];
    } else if (v.contains("params_multi")) {
      for (const auto& p : v["params_multi"]) params.emplace_back(p[0], p[1]);
    } else if (v["params"].is_string()) {
      params = base;
    } else {
      for (auto& [k, val] : v["params"].items()) params.emplace_back(k, val.get<std::string>());
    }
    if (v.contains("string_to_sign"))
      EXPECT_EQ(twilio_signature(token, v["url"].get<std::string>(), params), twilio_signature(token, v["string_to_sign"].get<std::string>(), {}));
    EXPECT_EQ(twilio_signature_valid(token, v["url"].get<std::string>(), params, body, v["expected_signature"].get<std::string>()),
              v["expect_valid"].get<bool>())
        << v["name"];
    ++checked;
  }
  EXPECT_GE(checked, 8);
}

TEST(TwilioSignature, RejectsMissingWrongKeyAndTamperedParameters) {
  FormParams p{{"MessageSid", "SM1"}, {"From", "+14155550101"}, {"Body", "click hxxp://x[.]co"}};
  std::string url = "https://wardline.example.org/api/v1/intake/twilio";
  std::string sig = twilio_signature("token-a", url, p);
  EXPECT_TRUE(twilio_signature_valid("token-a", url, p, "", sig));
  EXPECT_FALSE(twilio_signature_valid("token-a", url, p, "", ""));
  EXPECT_FALSE(twilio_signature_valid("token-b", url, p, "", sig));
  EXPECT_FALSE(twilio_signature_valid("", url, p, "", sig));
  FormParams tampered = p;
  tampered[2].second = "click http://else.co";
  EXPECT_FALSE(twilio_signature_valid("token-a", url, tampered, "", sig));
  EXPECT_FALSE(twilio_signature_valid("token-a", url + "?x=1", p, "", sig));
  // A JSON body's hash is part of the signed URL: another body fails.
  std::string json_url = url + "?bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
  std::string json_sig = twilio_signature("token-a", json_url, {});
  EXPECT_TRUE(twilio_signature_valid("token-a", json_url, {}, "{\"property\": \"value\", \"boolean\": true}", json_sig));
  EXPECT_FALSE(twilio_signature_valid("token-a", json_url, {}, "{\"property\": \"other\", \"boolean\": true}", json_sig));
}

TEST(HubSignature, MatchesMetaAndPywaVectors) {
  REQUIRE_VECTORS();
  json doc = json::parse(slurp(vectors_dir() + "/whatsapp_signature_vectors.json"));
  int checked = 0;
  for (const auto& v : doc["vectors"]) {
    std::string body = v.contains("body_utf8") ? v["body_utf8"].get<std::string>() : slurp(vectors_dir() + "/" + v["body_file"].get<std::string>());
    EXPECT_EQ(hub_signature_valid(v["app_secret"].get<std::string>(), body, v["expected_header"].get<std::string>()),
              v["expect_valid"].get<bool>())
        << v["name"];
    ++checked;
  }
  EXPECT_EQ(checked, 5);
}

TEST(HubSignature, RejectsMalformedHeaders) {
  std::string good = "sha256=0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d9888221";
  EXPECT_TRUE(hub_signature_valid("TEST_APP_SECRET", "test", good));
  EXPECT_TRUE(hub_signature_valid("TEST_APP_SECRET", "test", "sha256=0C61947B610D4F45E65F3D680E26027121EC2413E77598BCB6CFC6E0D9888221"));
  EXPECT_FALSE(hub_signature_valid("TEST_APP_SECRET", "test", good.substr(7)));  // no "sha256=" prefix
  EXPECT_FALSE(hub_signature_valid("TEST_APP_SECRET", "test", "sha1=0c61947b"));
  EXPECT_FALSE(hub_signature_valid("TEST_APP_SECRET", "test", "sha256="));
  EXPECT_FALSE(hub_signature_valid("TEST_APP_SECRET", "test ", good));
  EXPECT_FALSE(hub_signature_valid("", "test", good));
}

TEST(WhatsAppPayload, ReadsTheInboundTextSample) {
  REQUIRE_VECTORS();
  auto d = whatsapp_messages(slurp(vectors_dir() + "/whatsapp_inbound_text_message.json"));
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_EQ(d->messages.size(), 1u);
  const auto& m = d->messages[0];
  EXPECT_EQ(m.provider, "whatsapp");
  EXPECT_EQ(m.from, "972987654321");
  EXPECT_EQ(m.message_id, "wamid.xyzxyz");
  EXPECT_EQ(m.timestamp, 1697043223);
  EXPECT_EQ(m.body, "Body Text");
  EXPECT_EQ(m.profile_name, "Test Name");
  auto real = whatsapp_messages(slurp(vectors_dir() + "/whatsapp_signed_body_pywa.json"));
  ASSERT_TRUE(real.ok()) << real.error().message;
  ASSERT_EQ(real->messages.size(), 1u);
  EXPECT_EQ(real->messages[0].body, "Hey there! I am using PyWa.");
  EXPECT_EQ(real->messages[0].from, "972544401243");
}

TEST(WhatsAppPayload, SkipsStatusesAndRejectsOtherDocuments) {
  auto statuses = whatsapp_messages(R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages",
      "value":{"statuses":[{"id":"wamid.1","status":"delivered"}]}}]}]})");
  ASSERT_TRUE(statuses.ok());
  EXPECT_TRUE(statuses->messages.empty());
  EXPECT_EQ(statuses->skipped, 1);
  auto image = whatsapp_messages(R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages",
      "value":{"messages":[{"id":"wamid.2","from":"14155550101","type":"image","image":{"caption":"see hxxp://x[.]co"}},
                           {"id":"wamid.3","from":"14155550101","type":"sticker","sticker":{}}]}}]}]})");
  ASSERT_TRUE(image.ok());
  ASSERT_EQ(image->messages.size(), 1u);
  EXPECT_EQ(image->messages[0].body, "see hxxp://x[.]co");
  EXPECT_EQ(image->skipped, 1);
  EXPECT_EQ(whatsapp_messages("{not json").error().code, "invalid_webhook");
  EXPECT_EQ(whatsapp_messages(R"({"object":"page","entry":[]})").error().field, "object");
  EXPECT_EQ(whatsapp_messages(R"({"object":"whatsapp_business_account","entry":{}})").error().field, "entry");
  // Wrong types anywhere are skipped, never thrown.
  auto odd = whatsapp_messages(R"({"object":"whatsapp_business_account","entry":[1,{"changes":[{"field":"messages",
      "value":{"messages":[{"id":7,"from":[],"type":"text","text":"x"}],"contacts":"no"}}]}]})");
  ASSERT_TRUE(odd.ok());
  EXPECT_TRUE(odd->messages.empty());
}

TEST(FormBody, DecodesTwilioStyleForms) {
  auto f = parse_form("MessageSid=SM123&From=%2B14155550101&Body=Your+account+is+locked%3A+hxxp%3A%2F%2Fx%5B.%5Dco&Empty=&Flag");
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->size(), 5u);
  EXPECT_EQ((*f)[1].second, "+14155550101");
  EXPECT_EQ((*f)[2].second, "Your account is locked: hxxp://x[.]co");
  EXPECT_EQ((*f)[3], std::make_pair(std::string("Empty"), std::string()));
  EXPECT_EQ((*f)[4].first, "Flag");
  auto bad = parse_form("Body=100%");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("byte 8"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(parse_form("Body=%zz").ok());
  auto m = twilio_message(*f);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->message_id, "SM123");
  EXPECT_EQ(twilio_message({{"From", "+1"}}).error().field, "MessageSid");
}

}  // namespace
}  // namespace wardline::smish
