#include "api/json_body.h"

#include <gtest/gtest.h>

namespace wardline::api {
namespace {

TEST(JsonBody, AcceptsObjectsOnly) {
  EXPECT_TRUE(parse_json_object(R"({"a":1})").ok());
  auto arr = parse_json_object("[]");
  ASSERT_FALSE(arr.ok());
  EXPECT_NE(arr.error().message.find("must be a JSON object, got array"), std::string::npos);
  EXPECT_FALSE(parse_json_object("").ok());
}

TEST(JsonBody, SyntaxErrorsNameTheByte) {
  auto r = parse_json_object(R"({"a": tru})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_json");
  EXPECT_NE(r.error().message.find("at byte"), std::string::npos) << r.error().message;
}

TEST(JsonBody, TypedFieldsNameTheField) {
  auto obj = *parse_json_object(R"({"s":"x","n":1,"long":"abcdef"})");
  EXPECT_EQ(*required_string(obj, "s"), "x");
  EXPECT_EQ(required_string(obj, "n").error().field, "n");
  EXPECT_EQ(required_string(obj, "missing").error().code, "missing_field");
  EXPECT_FALSE(optional_string(obj, "missing")->has_value());
  EXPECT_EQ(optional_string(obj, "long", 3).error().field, "long");
}

}  // namespace
}  // namespace wardline::api
