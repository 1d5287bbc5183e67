#include "core/csv.h"

#include <gtest/gtest.h>

namespace wardline {
namespace {

TEST(Csv, ReadsQuotedFieldsCrlfAndBom) {
  auto t = parse_csv("\xEF\xBB\xBFName, Phone ,Notes\r\n\"Ellis, Jordan\",+14155550120,\"said \"\"hi\"\"\nthen left\"\r\n\r\nAna,1,\n",
                     "staff.csv");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->header, (std::vector<std::string>{"name", "phone", "notes"}));
  ASSERT_EQ(t->records.size(), 2u);
  EXPECT_EQ(t->records[0].fields[0], "Ellis, Jordan");
  EXPECT_EQ(t->records[0].fields[2], "said \"hi\"\nthen left");
  EXPECT_EQ(t->records[0].line, 2u);
  EXPECT_EQ(t->records[1].line, 5u);
  EXPECT_EQ(t->records[1].fields[2], "");
  EXPECT_EQ(t->column("phone"), 1);
  EXPECT_EQ(t->column("email"), -1);
}

TEST(Csv, ErrorsNameTheLine) {
  EXPECT_EQ(parse_csv("a,b\n1,2\n3\n", "f.csv").error().message, "f.csv:3: 1 fields, but the header has 2");
  EXPECT_EQ(parse_csv("a\n\"open\n", "f.csv").error().message, "f.csv:2: a quoted field is never closed (a '\"' is missing)");
  EXPECT_NE(parse_csv("a\nx\"y\n", "f.csv").error().message.find("f.csv:2:"), std::string::npos);
  EXPECT_NE(parse_csv("a\n\"x\"y\n", "f.csv").error().message.find("text after a closing quote"), std::string::npos);
  EXPECT_NE(parse_csv("", "f.csv").error().message.find("empty file"), std::string::npos);
}

}  // namespace
}  // namespace wardline
