#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "smish/smish.h"
#include "support/test_support.h"

namespace wardline::smish {
namespace {

std::string source_dir() {
  const char* d = std::getenv("WARDLINE_SOURCE_DIR");
  return d ? d : ".";
}

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(Phone, NormalisesToE164) {
  EXPECT_EQ(to_e164("(415) 555-0101", "US"), "+14155550101");
  EXPECT_EQ(to_e164("+1 415 555 0101", "GB"), "+14155550101");
  EXPECT_EQ(to_e164("972544401243", "US"), "+972544401243");  // WhatsApp ids carry no '+'
  EXPECT_EQ(to_e164("020 7946 0958", "GB"), "+442079460958");
  EXPECT_EQ(to_e164("LMC-IT", "US"), std::nullopt);
  EXPECT_EQ(to_e164("12", "US"), std::nullopt);
  EXPECT_EQ(to_e164(std::string(100, '5'), "US"), std::nullopt);
}

TEST(RegistrableDomain, FollowsThePublicSuffixList) {
  EXPECT_EQ(registrable_domain("login.lakesidemed-epic.com"), "lakesidemed-epic.com");
  EXPECT_EQ(registrable_domain("secure.nhs-payroll.co.uk"), "nhs-payroll.co.uk");
  EXPECT_EQ(registrable_domain("a.b.example.com.au"), "example.com.au");
  EXPECT_EQ(registrable_domain("evil.github.io"), "evil.github.io");  // private suffix: each site its own
  EXPECT_EQ(registrable_domain("co.uk"), "co.uk");
}

TEST(Organization, DemoProfileLoadsDirectoryAndSimulations) {
  auto org = load_organization(source_dir() + "/examples/organization.yaml");
  ASSERT_TRUE(org.ok()) << org.error().message;
  EXPECT_EQ(org->country, "US");
  ASSERT_GE(org->staff.size(), 10u);
  const StaffMember* dana = org->staff_by_phone("+14155550101");
  ASSERT_NE(dana, nullptr);
  EXPECT_EQ(dana->name, "Dana Whitaker");
  EXPECT_EQ(dana->department, "Emergency Department");
  EXPECT_EQ(org->staff_by_phone("+14155550199"), nullptr);
  EXPECT_EQ(org->staff_by_phone(""), nullptr);
  ASSERT_EQ(org->simulations.size(), 1u);
}

TEST(Organization, SimulationsNeedEveryLinkToMatchNotJustTheSender) {
  auto org = load_organization(source_dir() + "/examples/organization.yaml");
  ASSERT_TRUE(org.ok());
  EXPECT_NE(org->simulation_of("+1 415 555 0199", {}), nullptr);
  EXPECT_NE(org->simulation_of("", {"https://hr.lmc-awareness-training.com/benefits"}), nullptr);
  EXPECT_NE(org->simulation_of("", {"https://lakesidemed.org/phish-drill/q4?u=7"}), nullptr);
  // The simulation's sender with a real attacker's link is no simulation.
  EXPECT_EQ(org->simulation_of("+14155550199", {"https://lakesidemed-epic.com/login"}), nullptr);
  EXPECT_EQ(org->simulation_of("", {"https://lmc-awareness-training.com/x", "https://evil.example/y"}), nullptr);
  EXPECT_EQ(org->simulation_of("+14155550198", {}), nullptr);
}

TEST(Organization, BadFilesAreRejectedWithFileLineAndReason) {
  testing::TempDir dir;
  std::string yaml = dir.path() + "/org.yaml";
  write(yaml, "organization:\n  name: X\n  directory: staff.csv\n");
  write(dir.path() + "/staff.csv", "name,phone,department,role\nAna,(415) 555-0101,ED,RN\nBo,not a phone,ED,RN\n");
  auto bad_phone = load_organization(yaml);
  ASSERT_FALSE(bad_phone.ok());
  EXPECT_NE(bad_phone.error().message.find("staff.csv:3: 'not a phone' is not a phone number"), std::string::npos)
      << bad_phone.error().message;
  write(dir.path() + "/staff.csv", "name,phone,department,role\nAna,(415) 555-0101,ED,RN\nBo,415-555-0101,ED,RN\n");
  auto shared = load_organization(yaml);
  ASSERT_FALSE(shared.ok());
  EXPECT_NE(shared.error().message.find("share the phone number +14155550101"), std::string::npos);
  write(dir.path() + "/staff.csv", "name,department,role\nAna,ED,RN\n");
  EXPECT_NE(load_organization(yaml).error().message.find("no 'phone' column"), std::string::npos);
  write(yaml, "organization:\n  name: X\n  contry: US\n");
  EXPECT_NE(load_organization(yaml).error().message.find("org.yaml:3:3: unknown key 'organization.contry'"), std::string::npos);
  write(yaml, "organization:\n  name: X\nsimulations:\n  - name: empty\n");
  EXPECT_NE(load_organization(yaml).error().message.find("needs at least one of senders"), std::string::npos);
}

TEST(ReporterReply, ThanksByFirstNameAndSaysWhatToDo) {
  Report r;
  r.verdict.verdict = "malicious";
  r.verdict.categories = {"urgency", "lookalike_domain"};
  StaffMember dana{"E1", "Dana Whitaker", "+14155550101", "ED", "RN", ""};
  std::string text = reporter_reply(r, dana);
  EXPECT_EQ(text.rfind("Thanks, Dana. This is a fake copy of one of our sites.", 0), 0u) << text;
  EXPECT_NE(text.find("Do not tap"), std::string::npos);
  r.verdict.simulation = "Q4 drill";
  EXPECT_NE(reporter_reply(r, std::nullopt).find("authorised phishing exercise (Q4 drill)"), std::string::npos);
  r.duplicate = true;
  EXPECT_NE(reporter_reply(r, std::nullopt).find("already"), std::string::npos);
  Report benign;
  benign.verdict.verdict = "benign";
  EXPECT_LE(reporter_reply(benign, dana).size(), 160u);
}

}  // namespace
}  // namespace wardline::smish
