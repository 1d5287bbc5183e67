// The EHR audit readers on vendor-shaped samples (tests/data/ehr): every
// mapped field of FHIR AuditEvents, ATNA messages and JSON lines; cut-off
// and hostile input; the patient key; and the writers, read back.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "core/keyring.h"
#include "core/time.h"
#include "ehr/ehr.h"
#include "support/test_support.h"

namespace wardline::ehr {
namespace {

std::string sample(const std::string& name) {
  const char* dir = std::getenv("WARDLINE_SOURCE_DIR");
  std::string text = wardline::testing::read_file(std::string(dir ? dir : ".") + "/tests/data/ehr/" + name);
  EXPECT_FALSE(text.empty()) << "missing sample " << name << " (set WARDLINE_SOURCE_DIR)";
  return text;
}

const PatientKey& key() {
  static const PatientKey k("0123456789abcdef0123456789abcdef");
  return k;
}

struct Parsed {
  std::vector<AccessEvent> events;
  std::vector<ParseProblem> problems;
  ParseStats stats;
};

Parsed parse(std::string_view text, Format format, size_t max_problems = 100) {
  Parsed p;
  p.stats = parse_events(
      text, format, key(), [&](const AccessEvent& e) { p.events.push_back(e); }, &p.problems, max_problems);
  return p;
}

std::string problems_of(const Parsed& p) {
  std::string out;
  for (const auto& pr : p.problems)
    out += "record " + std::to_string(pr.record) + " line " + std::to_string(pr.line) + ": " + pr.message + "\n";
  return out;
}

// The 1-based line of the first occurrence of `needle`.
size_t line_of(std::string_view text, std::string_view needle) {
  size_t at = text.find(needle);
  EXPECT_NE(at, std::string_view::npos) << needle;
  return 1 + std::count(text.begin(), text.begin() + std::min(at, text.size()), '\n');
}

int64_t at(const char* rfc3339) { return parse_rfc3339(rfc3339).value(); }

std::string openssl_hash(std::string_view secret, std::string_view id) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(id.data()),
       id.size(), mac, &len);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < 16; ++i) out += {hex[mac[i] >> 4], hex[mac[i] & 15]};
  return out;
}

// ------------------------------------------------------------------ patient key

TEST(PatientKey, EqualsOpenSslHmacTruncatedToSixteenBytes) {
  for (std::string secret : {std::string(), std::string("k"), std::string(32, '\x9c'), std::string(64, 'a'),
                             std::string(65, 'b'), std::string(300, '\0') + "tail"}) {
    PatientKey k(secret);
    for (std::string id : {std::string(), std::string("MRN-0042"), std::string(55, '7'), std::string(56, '8'),
                           std::string(64, '9'), std::string(1000, 'x'), std::string("M\xC3\xBCller\0x", 9)}) {
      std::string h = k.hash(id);
      EXPECT_EQ(h, openssl_hash(secret, id)) << secret.size() << "/" << id.size();
      EXPECT_EQ(h.size(), 32u);
    }
  }
}

TEST(PatientKey, CopiesAndThreadsAgree) {
  PatientKey a("secret one"), b("secret two");
  PatientKey c = a;
  EXPECT_EQ(c.hash("MRN-0042"), a.hash("MRN-0042"));
  EXPECT_NE(b.hash("MRN-0042"), a.hash("MRN-0042"));
  c = b;
  EXPECT_EQ(c.hash("MRN-0042"), b.hash("MRN-0042"));
  std::string expected = openssl_hash("secret one", "MRN-0042");
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      PatientKey local = a;
      for (int i = 0; i < 2000; ++i)
        if ((i % 2 ? local : a).hash("MRN-0042") != expected) ++wrong;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(PatientKey, FromKeyringIsStableAcrossReloads) {
  wardline::testing::TempDir dir;
  auto ring = Keyring::open(dir.path() + "/keys.json");
  ASSERT_TRUE(ring.ok()) << ring.error().message;
  PatientKey k = PatientKey::from_keyring(**ring);
  EXPECT_EQ(k.hash("MRN-0042"), openssl_hash((*ring)->fingerprint("ehr.patient_key", "v1"), "MRN-0042"));
  auto again = Keyring::open(dir.path() + "/keys.json");
  ASSERT_TRUE(again.ok());
  (void)(*again)->rotate();  // data keys rotate; the index key, and so patient hashes, do not
  EXPECT_EQ(PatientKey::from_keyring(**again).hash("MRN-0042"), k.hash("MRN-0042"));
}

// ------------------------------------------------------------------ formats

TEST(Formats, NamesRoundTrip) {
  for (Format f : {Format::fhir, Format::atna, Format::jsonl}) EXPECT_EQ(parse_format(name_of(f)), f);
  EXPECT_FALSE(parse_format("hl7v2").has_value());
  EXPECT_FALSE(parse_format("").has_value());
}

TEST(Formats, SniffedFromContent) {
  EXPECT_EQ(sniff_format(sample("fhir_bundle.json")), Format::fhir);
  EXPECT_EQ(sniff_format(sample("fhir_bulk.ndjson")), Format::fhir);
  EXPECT_EQ(sniff_format(sample("fhir_single.json")), Format::fhir);
  EXPECT_EQ(sniff_format(sample("atna_dicom_instances.xml")), Format::atna);
  EXPECT_EQ(sniff_format(sample("atna_patient_record.xml")), Format::atna);  // after a byte-order mark
  EXPECT_EQ(sniff_format(sample("atna_syslog.log")), Format::atna);
  EXPECT_EQ(sniff_format(sample("events.jsonl")), Format::jsonl);
  EXPECT_EQ(sniff_format("\xEF\xBB\xBF \r\n\t{\"id\": \"x\", \"resourceType\" : \"AuditEvent\"}"), Format::fhir);
  // "resourceType" nested or as a value is not a resource.
  EXPECT_EQ(sniff_format(R"({"user":"a","extra":{"resourceType":"AuditEvent"}})"), Format::jsonl);
  EXPECT_EQ(sniff_format(R"({"user":"resourceType","time":1})"), Format::jsonl);
  EXPECT_EQ(sniff_format(""), Format::jsonl);
  EXPECT_EQ(sniff_format("\x01\x02garbage"), Format::jsonl);
}

// ------------------------------------------------------------------ FHIR

TEST(Fhir, BundleEntriesMapEveryField) {
  std::string text = sample("fhir_bundle.json");
  Parsed p = parse(text, Format::fhir);
  ASSERT_EQ(p.events.size(), 5u) << problems_of(p);
  EXPECT_EQ(p.stats.records, 6u);
  EXPECT_EQ(p.stats.events, 5u);

  const AccessEvent& rover = p.events[0];
  EXPECT_EQ(rover.time, at("2026-01-05T20:03:27Z"));
  EXPECT_EQ(rover.user, "NURSE0042");
  EXPECT_EQ(rover.role, "RN");
  EXPECT_EQ(rover.source_ip, "10.20.14.37");
  EXPECT_EQ(rover.device, "ipod-4n-0173");
  EXPECT_EQ(rover.application, "rover");
  EXPECT_EQ(rover.patient, key().hash("eM3kd0Qy2sZr1B9pLx-0042"));
  EXPECT_EQ(rover.resource_type, "Observation");
  EXPECT_EQ(rover.action, "read");
  EXPECT_EQ(rover.outcome, "success");
  EXPECT_TRUE(rover.department.empty());
  EXPECT_FALSE(rover.position.has_value());

  // The requestor is not the first agent; network type 1 is the machine.
  const AccessEvent& desktop = p.events[1];
  EXPECT_EQ(desktop.user, "DRPATEL7");
  EXPECT_EQ(desktop.role, "Attending Physician");
  EXPECT_EQ(desktop.device, "EPICWS-4N-12");
  EXPECT_EQ(desktop.source_ip, "");
  EXPECT_EQ(desktop.application, "hyperspace");
  EXPECT_EQ(desktop.patient, key().hash("ePt77120"));     // absolute reference
  EXPECT_EQ(desktop.resource_type, "DocumentReference");  // versioned absolute reference

  // altId, role from the agent type, a device by identifier system, the
  // patient by identifier with entity type and role 1, source.site.
  const AccessEvent& update = p.events[2];
  EXPECT_EQ(update.time, at("2026-01-05T21:45:10Z"));
  EXPECT_EQ(update.user, "rnwhite");
  EXPECT_EQ(update.role, "AUT");
  EXPECT_EQ(update.device, "HAIKU-A1B2C3");
  EXPECT_EQ(update.application, "rover");
  EXPECT_EQ(update.patient, key().hash("MRN-0042"));
  EXPECT_EQ(update.resource_type, "MedicationAdministration");
  EXPECT_EQ(update.action, "update");

  const AccessEvent& failed = p.events[3];
  EXPECT_EQ(failed.user, "Practitioner/eTech311");  // who.reference when nothing better
  EXPECT_EQ(failed.source_ip, "2001:db8:20::47");
  EXPECT_EQ(failed.application, "canto");  // observer identifier
  EXPECT_EQ(failed.outcome, "failure");
  EXPECT_EQ(failed.resource_type, "Patient");  // only the patient is named

  const AccessEvent& create = p.events[4];
  EXPECT_EQ(create.user, "PHARM07");  // no requestor flag: the first agent that is not a device
  EXPECT_EQ(create.role, "PHARM");
  EXPECT_EQ(create.application, "willow inpatient");
  EXPECT_EQ(create.action, "create");
  EXPECT_EQ(create.resource_type, "MedicationRequest");

  // The server's OperationOutcome entry is reported, by entry and line.
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_EQ(p.problems[0].record, 5u);
  EXPECT_EQ(p.problems[0].line, line_of(text, "\"OperationOutcome\"") - 2);
  EXPECT_NE(p.problems[0].message.find("entry 5"), std::string::npos) << p.problems[0].message;
  EXPECT_NE(p.problems[0].message.find("OperationOutcome"), std::string::npos);
  EXPECT_NE(p.problems[0].message.find("truncated to the most recent"), std::string::npos);
}

TEST(Fhir, BulkExportNdjson) {
  Parsed p = parse(sample("fhir_bulk.ndjson"), Format::fhir);
  ASSERT_EQ(p.events.size(), 5u) << problems_of(p);
  EXPECT_TRUE(p.problems.empty());
  EXPECT_EQ(p.events[0].time, at("2026-01-06T07:12:00Z"));
  EXPECT_EQ(p.events[0].user, "CRNKIM");
  EXPECT_EQ(p.events[0].role, "RN");
  EXPECT_EQ(p.events[0].application, "powerchart");
  EXPECT_EQ(p.events[0].source_ip, "10.30.2.11");
  EXPECT_EQ(p.events[0].patient, key().hash("12724066"));
  EXPECT_EQ(p.events[1].resource_type, "DiagnosticReport");
  EXPECT_EQ(p.events[1].time, at("2026-01-06T07:13:41Z"));
  EXPECT_EQ(p.events[2].device, "CAREAWARE-IPH-19");
  EXPECT_EQ(p.events[2].patient, key().hash("MRN-0042"));
  EXPECT_EQ(p.events[2].action, "update");
  EXPECT_EQ(p.events[3].outcome, "failure");
  EXPECT_EQ(p.events[3].resource_type, "Patient");
  EXPECT_EQ(p.events[4].action, "execute");
  EXPECT_EQ(p.events[4].source_ip, "");
}

TEST(Fhir, SingleAuditEvent) {
  Parsed p = parse(sample("fhir_single.json"), Format::fhir);
  ASSERT_EQ(p.events.size(), 1u) << problems_of(p);
  const AccessEvent& e = p.events[0];
  EXPECT_EQ(e.time, at("2026-01-07T02:14:09Z"));
  EXPECT_EQ(e.user, "rad.chen");  // identifier before altId
  EXPECT_EQ(e.role, "159033005");
  EXPECT_EQ(e.source_ip, "10.40.7.22");
  EXPECT_EQ(e.device, "pacs-ws-07");
  EXPECT_EQ(e.application, "pacs-viewer");
  EXPECT_EQ(e.patient, key().hash("MRN-0042"));
  EXPECT_EQ(e.resource_type, "ImagingStudy");
  EXPECT_EQ(e.action, "read");
}

TEST(Fhir, DocumentsAndLinesTellApart) {
  std::string bundle = sample("fhir_bundle.json"), single = sample("fhir_single.json");
  // Pretty-printed documents one after another.
  Parsed p = parse(single + single, Format::fhir);
  EXPECT_EQ(p.events.size(), 2u);
  EXPECT_EQ(parse(bundle + "\n" + single, Format::fhir).events.size(), 6u);
  // A one-line Bundle among NDJSON lines: its entries are read too.
  std::string line =
      R"({"resourceType":"AuditEvent","recorded":"2026-01-05T10:00:00Z","agent":[{"who":{"identifier":{"value":"u1"}},"requestor":true}]})";
  std::string compact =
      R"({"resourceType":"Bundle","type":"searchset","entry":[{"resource":)" + line + "},{\"resource\":" + line + "}]}";
  p = parse(line + "\n" + compact + "\n\n" + line + "\n", Format::fhir);
  EXPECT_EQ(p.events.size(), 4u) << problems_of(p);
  // Documents are counted in lines from the start, blank lines included.
  std::string pretty = single.substr(0, single.find("\"agent\""));
  p = parse("\n\n" + single + "\n" + pretty, Format::fhir);
  EXPECT_EQ(p.events.size(), 1u);
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_EQ(p.problems[0].record, 2u);
  EXPECT_EQ(p.problems[0].line, 4 + static_cast<size_t>(std::count(single.begin(), single.end(), '\n')));
  EXPECT_NE(p.problems[0].message.find("cut off"), std::string::npos) << p.problems[0].message;
  // A broken document does not hide the one after it.
  std::string broken = single;
  broken.replace(broken.find("\"action\":"), 9, "\"action\" ");
  p = parse(broken + single, Format::fhir);
  EXPECT_EQ(p.events.size(), 1u);
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_EQ(p.problems[0].record, 1u);
  EXPECT_NE(p.problems[0].message.find("not valid JSON"), std::string::npos);
  // A broken first line does not hide the lines after it.
  p = parse("{\"resourceType\":\"AuditEvent\",\"recorded\n" + line + "\n" + line, Format::fhir);
  EXPECT_EQ(p.events.size(), 2u);
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_EQ(p.problems[0].record, 1u);
  EXPECT_EQ(p.problems[0].line, 1u);
}

TEST(Fhir, MissingDataIsExplained) {
  std::string ok_agent = R"("agent":[{"who":{"identifier":{"value":"u1"}},"requestor":true}])";
  std::string lines = R"({"resourceType":"AuditEvent",)" + ok_agent + "}\n" +
                      R"({"resourceType":"AuditEvent","recorded":"2026-01-05T10:00:00Z","agent":[]})" + "\n" +
                      R"({"resourceType":"AuditEvent","recorded":"yesterday",)" + ok_agent + "}\n" +
                      R"({"resourceType":"AuditEvent","recorded":"2026-01-05T10:00:00Z","action":"X",)" + ok_agent +
                      "}\n" + R"({"resourceType":"AuditEvent","recorded":"2026-01-05T10:00:00Z","outcome":"3",)" +
                      ok_agent + "}\n" + R"({"resourceType":"Patient","id":"p1"})" + "\n";
  Parsed p = parse(lines, Format::fhir);
  EXPECT_TRUE(p.events.empty());
  ASSERT_EQ(p.problems.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(p.problems[i].record, i + 1);
    EXPECT_EQ(p.problems[i].line, i + 1);
  }
  EXPECT_NE(p.problems[0].message.find("no 'recorded'"), std::string::npos);
  EXPECT_NE(p.problems[0].message.find("a valid AuditEvent has"), std::string::npos);
  EXPECT_NE(p.problems[1].message.find("no user"), std::string::npos);
  EXPECT_NE(p.problems[2].message.find("RFC 3339"), std::string::npos);
  EXPECT_NE(p.problems[3].message.find("'action'"), std::string::npos);
  EXPECT_NE(p.problems[4].message.find("'outcome'"), std::string::npos);
  EXPECT_NE(p.problems[5].message.find("Patient"), std::string::npos);
}

TEST(Fhir, CutOffBundleKeepsEarlierEntries) {
  std::string text = sample("fhir_bundle.json");
  Parsed p = parse(text.substr(0, text.find("MedicationAdministration")), Format::fhir);
  ASSERT_EQ(p.events.size(), 2u) << problems_of(p);
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_EQ(p.problems[0].record, 3u);
  EXPECT_EQ(p.problems[0].line, line_of(text, "AuditEvent/eAz9Qm3\"") - 1);
  EXPECT_NE(p.problems[0].message.find("entry 3 is cut off"), std::string::npos) << p.problems[0].message;

  // Cut between entries: the entries before are read, the cut is reported.
  p = parse(text.substr(0, text.find("\"fullUrl\": \"https://fhir.hosp.example/api/FHIR/R4/AuditEvent/eAz9Qm3\"")),
            Format::fhir);
  EXPECT_EQ(p.events.size(), 2u);
  EXPECT_EQ(p.stats.problems, 1u);
}

TEST(Fhir, BrokenEntryInTheMiddleIsSkipped) {
  std::string text = sample("fhir_bundle.json");
  size_t at = text.find("\"recorded\": \"2026-01-05T20:11:02Z\"");
  text.replace(at, 11, "\"recorded\" ");  // a missing colon inside entry 2
  Parsed p = parse(text, Format::fhir);
  EXPECT_EQ(p.events.size(), 4u) << problems_of(p);
  ASSERT_EQ(p.problems.size(), 2u);
  EXPECT_EQ(p.problems[0].record, 2u);
  EXPECT_NE(p.problems[0].message.find("not valid JSON"), std::string::npos);
  EXPECT_EQ(p.problems[1].record, 5u);
}

TEST(Fhir, CutOffNdjsonKeepsEarlierLines) {
  std::string text = sample("fhir_bulk.ndjson");
  size_t line4 = 0;
  for (int i = 0; i < 3; ++i) line4 = text.find('\n', line4) + 1;
  Parsed p = parse(text.substr(0, line4 + 200), Format::fhir);
  EXPECT_EQ(p.events.size(), 3u);
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_EQ(p.problems[0].record, 4u);
  EXPECT_EQ(p.problems[0].line, 4u);
}

TEST(Fhir, BundleOfOtherResources) {
  std::string text = R"({"resourceType":"Bundle","type":"searchset","entry":[
    {"fullUrl":"Patient/1","resource":{"resourceType":"Patient","id":"1","name":[{"family":"Doe"}]}},
    {"fullUrl":"Patient/2","resource":{"resourceType":"Patient","id":"2"}},
    {"search":{"mode":"match"}}]})";
  Parsed p = parse(text, Format::fhir);
  EXPECT_TRUE(p.events.empty());
  ASSERT_EQ(p.problems.size(), 3u);
  EXPECT_EQ(p.problems[0].record, 1u);
  EXPECT_EQ(p.problems[0].line, 2u);
  EXPECT_NE(p.problems[0].message.find("entry 1"), std::string::npos);
  EXPECT_NE(p.problems[0].message.find("is a 'Patient' resource"), std::string::npos);
  EXPECT_EQ(p.problems[1].line, 3u);
  EXPECT_NE(p.problems[2].message.find("no 'resource'"), std::string::npos);
  // Nothing of the patient resource leaks into the messages.
  for (const auto& pr : p.problems) EXPECT_EQ(pr.message.find("Doe"), std::string::npos);
}

// ------------------------------------------------------------------ ATNA

TEST(Atna, DicomInstancesAccessed) {
  Parsed p = parse(sample("atna_dicom_instances.xml"), Format::atna);
  ASSERT_EQ(p.events.size(), 1u) << problems_of(p);
  const AccessEvent& e = p.events[0];
  EXPECT_EQ(e.time, at("2026-01-05T21:22:47Z"));
  EXPECT_EQ(e.user, "rad.chen");
  EXPECT_EQ(e.role, "Radiologist");
  EXPECT_EQ(e.source_ip, "10.40.7.22");
  EXPECT_EQ(e.device, "pacs-ws-07.rad.hosp.example");  // the non-requesting source's machine name
  EXPECT_EQ(e.application, "pacs-viewer");
  EXPECT_EQ(e.patient, key().hash("MRN-0042"));  // the id of the CX value
  EXPECT_EQ(e.resource_type, "Study Instance UID");
  EXPECT_EQ(e.action, "read");
  EXPECT_EQ(e.outcome, "success");
}

TEST(Atna, EhrPatientRecordRead) {
  Parsed p = parse(sample("atna_patient_record.xml"), Format::atna);
  ASSERT_EQ(p.events.size(), 1u) << problems_of(p);
  const AccessEvent& e = p.events[0];
  EXPECT_EQ(e.time, at("2026-01-06T03:41:09Z"));
  EXPECT_EQ(e.user, "NURSE0042");  // the requestor, not the first participant
  EXPECT_EQ(e.role, "Registered Nurse");
  EXPECT_EQ(e.device, "EPICWS-4N-12");
  EXPECT_EQ(e.source_ip, "");
  EXPECT_EQ(e.application, "hyperspace");
  EXPECT_EQ(e.patient, key().hash("MRN-0042"));
  EXPECT_EQ(e.resource_type, "Patient Record");  // no other object: the EventID's text
}

TEST(Atna, Rfc3881Names) {
  Parsed p = parse(sample("atna_rfc3881.xml"), Format::atna);
  ASSERT_EQ(p.events.size(), 1u) << problems_of(p);
  const AccessEvent& e = p.events[0];
  EXPECT_EQ(e.time, at("2026-01-06T09:15:00Z"));  // no zone: UTC
  EXPECT_EQ(e.user, "jmeyer");
  EXPECT_EQ(e.role, "Physician");
  EXPECT_EQ(e.source_ip, "10.50.3.8");
  EXPECT_EQ(e.application, "meditech");
  EXPECT_EQ(e.patient, key().hash("000445566"));
  EXPECT_EQ(e.resource_type, "Allergy Record");
  EXPECT_EQ(e.action, "delete");
  EXPECT_EQ(e.outcome, "failure");
}

TEST(Atna, SyslogWrappedLines) {
  std::string text = sample("atna_syslog.log");
  Parsed p = parse(text, Format::atna);
  ASSERT_EQ(p.events.size(), 4u) << problems_of(p);
  EXPECT_EQ(p.events[0].user, "rad.chen");
  EXPECT_EQ(p.events[0].time, at("2026-01-06T10:00:00Z"));
  EXPECT_EQ(p.events[0].resource_type, "Study Instance UID");
  EXPECT_EQ(p.events[1].user, "DRPATEL7");  // structured data with an escaped bracket
  EXPECT_EQ(p.events[1].device, "EPICWS-4N-12");
  EXPECT_EQ(p.events[1].action, "update");
  EXPECT_EQ(p.events[1].resource_type, "Patient Record");
  EXPECT_EQ(p.events[2].user, "NURSE0042");  // RFC 3164 header, prefixed element names
  EXPECT_EQ(p.events[2].application, "rover");
  EXPECT_EQ(p.events[2].action, "create");
  EXPECT_EQ(p.events[2].role, "RN");
  EXPECT_EQ(p.events[3].action, "execute");
  EXPECT_EQ(p.events[3].outcome, "failure");
  EXPECT_EQ(p.events[3].patient, key().hash("MRN-0101"));
}

TEST(Atna, ConcatenatedMessages) {
  std::string text =
      sample("atna_dicom_instances.xml") + sample("atna_patient_record.xml") + sample("atna_rfc3881.xml");
  Parsed p = parse(text, Format::atna);
  ASSERT_EQ(p.events.size(), 3u) << problems_of(p);
  EXPECT_EQ(p.events[0].user, "rad.chen");
  EXPECT_EQ(p.events[1].user, "NURSE0042");
  EXPECT_EQ(p.events[2].user, "jmeyer");
  // Back to back on one line, no declarations.
  std::string one =
      R"(<AuditMessage><EventIdentification EventDateTime="2026-01-05T10:00:00Z"/><ActiveParticipant UserID="u"/></AuditMessage>)";
  p = parse(one + one + "  " + one, Format::atna);
  EXPECT_EQ(p.events.size(), 3u) << problems_of(p);
  EXPECT_EQ(p.events[0].action, "read");  // the default
  // Empty messages, one with a '>' in an attribute, are records without data.
  p = parse(R"(<AuditMessage a="x>y"/><AuditMessage/>)" + one, Format::atna);
  EXPECT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.stats.records, 3u);
  EXPECT_EQ(p.stats.problems, 2u);
}

TEST(Atna, MissingDataIsExplained) {
  std::string text =
      "<AuditMessage><ActiveParticipant UserID=\"u\"/></AuditMessage>\n"
      "<AuditMessage><EventIdentification EventDateTime=\"2026-01-05T10:00:00Z\"/>"
      "<ActiveParticipant UserID=\"app\" UserIsRequestor=\"false\"/></AuditMessage>\n"
      "<AuditMessage><EventIdentification EventDateTime=\"soon\"/><ActiveParticipant UserID=\"u\"/></AuditMessage>\n"
      "<Audit><x/></Audit>\n"
      "plain text\n"
      "<AuditMessage><EventIdentification EventDateTime=\"2026-01-05T10:00:00Z\" EventActionCode=\"Q\"/>"
      "<ActiveParticipant UserID=\"u\"/></AuditMessage>\n";
  Parsed p = parse(text, Format::atna);
  EXPECT_TRUE(p.events.empty());
  ASSERT_EQ(p.problems.size(), 6u) << problems_of(p);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(p.problems[i].record, i + 1);
    EXPECT_EQ(p.problems[i].line, i + 1);
  }
  EXPECT_NE(p.problems[0].message.find("EventDateTime"), std::string::npos);
  EXPECT_NE(p.problems[0].message.find("a valid AuditMessage has"), std::string::npos);
  EXPECT_NE(p.problems[1].message.find("no requesting user"), std::string::npos);
  EXPECT_NE(p.problems[2].message.find("'soon'"), std::string::npos);
  EXPECT_NE(p.problems[3].message.find("root element is 'Audit'"), std::string::npos);
  EXPECT_NE(p.problems[4].message.find("not an audit message"), std::string::npos);
  EXPECT_NE(p.problems[5].message.find("EventActionCode"), std::string::npos);
}

TEST(Atna, CutOffMessagesKeepTheOthers) {
  std::string text = sample("atna_syslog.log");
  size_t line2 = text.find('\n') + 1, line3 = text.find('\n', line2) + 1;
  // The last message cut off.
  Parsed p = parse(text.substr(0, line3 + 300), Format::atna);
  EXPECT_EQ(p.events.size(), 2u);
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_EQ(p.problems[0].record, 3u);
  EXPECT_EQ(p.problems[0].line, 3u);
  // One message cut off in the middle of the input.
  std::string middle = text.substr(0, line2 + 250) + "\n" + text.substr(line3);
  p = parse(middle, Format::atna);
  ASSERT_EQ(p.events.size(), 3u) << problems_of(p);
  EXPECT_EQ(p.events[1].user, "NURSE0042");
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_EQ(p.problems[0].record, 2u);
  EXPECT_EQ(p.problems[0].line, 2u);
  // Concatenated, cut inside the first one.
  std::string dicom = sample("atna_dicom_instances.xml");
  p = parse(dicom.substr(0, dicom.find("<AuditSource")) + sample("atna_rfc3881.xml"), Format::atna);
  ASSERT_EQ(p.events.size(), 1u) << problems_of(p);
  EXPECT_EQ(p.events[0].user, "jmeyer");
  EXPECT_EQ(p.problems.size(), 1u);
}

TEST(Atna, RefusesDocumentTypesAndEntities) {
  std::string laughs =
      R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">)"
      R"(<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">)"
      R"(<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>)"
      R"(<AuditMessage><EventIdentification EventDateTime="2026-01-05T10:00:00Z"/><ActiveParticipant UserID="&lol3;"/></AuditMessage>)";
  std::string xxe =
      R"(<?xml version="1.0"?><!DOCTYPE AuditMessage [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>)"
      R"(<AuditMessage><EventIdentification EventDateTime="2026-01-05T10:00:00Z"/><ActiveParticipant UserID="&xxe;"/></AuditMessage>)";
  std::string external = R"(<!DOCTYPE AuditMessage SYSTEM "http://attacker.example/a.dtd"><AuditMessage/>)";
  std::string good = sample("atna_syslog.log");
  Parsed p = parse(laughs + "\n" + xxe + "\n" + external + "\n" + good, Format::atna);
  EXPECT_EQ(p.events.size(), 4u) << problems_of(p);
  ASSERT_EQ(p.problems.size(), 3u) << problems_of(p);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(p.problems[i].message, "document type declarations are not allowed in audit messages");
    EXPECT_EQ(p.problems[i].line, i + 1);
  }
  // An undeclared entity is an error, never a lookup.
  p = parse(
      R"(<AuditMessage><EventIdentification EventDateTime="2026-01-05T10:00:00Z"/><ActiveParticipant UserID="&xxe;"/></AuditMessage>)",
      Format::atna);
  EXPECT_TRUE(p.events.empty());
  EXPECT_EQ(p.problems.size(), 1u);
}

TEST(Atna, BoundsDepthAndSizes) {
  std::string deep = "<AuditMessage>";
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  Parsed p = parse(deep, Format::atna);
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_NE(p.problems[0].message.find("nested deeper"), std::string::npos);

  std::string huge =
      "<AuditMessage><EventIdentification EventDateTime=\"2026-01-05T10:00:00Z\"/><ActiveParticipant UserID=\"" +
      std::string(1 << 20, 'A') + "\"/></AuditMessage>";
  p = parse(huge + "\n" + sample("atna_rfc3881.xml"), Format::atna);
  EXPECT_EQ(p.events.size(), 1u);
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_NE(p.problems[0].message.find("'UserID' is 1048576 bytes long"), std::string::npos) << p.problems[0].message;

  std::string enormous = "<AuditMessage><x y=\"" + std::string(5 << 20, 'B') + "\"/></AuditMessage>";
  p = parse(enormous, Format::atna);
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_NE(p.problems[0].message.find("longer than 4 MiB"), std::string::npos) << p.problems[0].message;

  // Many messages without end tags: each is reported, and reading stays linear.
  std::string unclosed;
  for (int i = 0; i < 20000; ++i)
    unclosed += "<AuditMessage><EventIdentification EventDateTime=\"2026-01-05T10:00:00Z\">";
  p = parse(unclosed, Format::atna, 5);
  EXPECT_EQ(p.stats.records, 20000u);
  EXPECT_EQ(p.stats.problems, 20000u);

  // Valid XML, but a user id no audit record has.
  std::string long_user =
      "<AuditMessage><EventIdentification EventDateTime=\"2026-01-05T10:00:00Z\"/><ActiveParticipant UserID=\"" +
      std::string(600, 'u') + "\"/></AuditMessage>";
  p = parse(long_user, Format::atna);
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_NE(p.problems[0].message.find("user is 600 bytes"), std::string::npos) << p.problems[0].message;
}

// ------------------------------------------------------------------ JSON lines

TEST(JsonLines, EveryField) {
  Parsed p = parse(sample("events.jsonl"), Format::jsonl);
  ASSERT_EQ(p.events.size(), 4u) << problems_of(p);
  EXPECT_EQ(p.stats.records, 4u);  // the blank line is no record
  const AccessEvent& a = p.events[0];
  EXPECT_EQ(a.time, at("2026-01-06T13:02:11Z"));
  EXPECT_EQ(a.user, "NURSE0042");
  EXPECT_EQ(a.role, "RN");
  EXPECT_EQ(a.department, "4 North");
  EXPECT_EQ(a.application, "haiku");
  EXPECT_EQ(a.device, "iphone-7f3a");
  EXPECT_EQ(a.source_ip, "10.20.14.37");
  EXPECT_EQ(a.patient, key().hash("MRN-0042"));
  EXPECT_EQ(a.resource_type, "Observation");
  EXPECT_EQ(a.action, "read");
  EXPECT_EQ(a.outcome, "success");
  ASSERT_TRUE(a.position.has_value());
  EXPECT_DOUBLE_EQ(a.position->first, 41.8807);
  EXPECT_DOUBLE_EQ(a.position->second, -87.6233);

  EXPECT_EQ(p.events[1].time, at("2026-01-06T13:03:00Z"));  // Unix seconds
  EXPECT_EQ(p.events[1].action, "update");
  EXPECT_EQ(p.events[1].outcome, "success");
  EXPECT_FALSE(p.events[1].position.has_value());

  EXPECT_EQ(p.events[2].time, at("2026-01-06T13:30:00Z"));
  EXPECT_EQ(p.events[2].patient, "0123456789abcdef0123456789abcdef");  // an already keyed hash
  EXPECT_EQ(p.events[2].department, "Labor & Delivery");
  EXPECT_EQ(p.events[2].action, "create");  // a letter
  EXPECT_EQ(p.events[2].outcome, "failure");

  EXPECT_EQ(p.events[3].application, "cloverleaf");
  EXPECT_EQ(p.events[3].patient, "");
  EXPECT_EQ(p.events[3].resource_type, "");
  EXPECT_EQ(p.events[3].action, "execute");
}

TEST(JsonLines, BadLinesAreExplained) {
  std::string text =
      "{\"user\":\"u\"}\n"
      "\n"
      "{\"time\":\"2026-01-05T10:00:00Z\"}\n"
      "{\"time\":\"2026-01-05T10:00:00Z\",\"user\":\"u\",\"latitude\":41.0}\n"
      "{\"time\":\"2026-01-05T10:00:00Z\",\"user\":\"u\",\"latitude\":91,\"longitude\":0}\n"
      "{\"time\":\"2026-01-05T10:00:00Z\",\"user\":\"u\",\"patient_hash\":\"MRN-0042\"}\n"
      "{\"time\":\"2026-01-05T10:00:00Z\",\"user\":7}\n"
      "{\"time\":\"2026-01-05T10:00:00Z\",\"user\":\"u\",\"action\":\"browse\"}\n"
      "{\"time\":\"2026-01-05T10:00:00Z\",\"user\":\"u\",\"outcome\":\"maybe\"}\n"
      "[1,2]\n"
      "{\"time\":true,\"user\":\"u\"}\n"
      "{\"time\":1767571200,\"user\":\"ok\",\"patient\":420042}\n"
      "{\"time\":\"5245-01-05T21:45:10Z\",\"user\":\"u\"}\n"
      "{\"time\":1e300,\"user\":\"u\"}\n";
  Parsed p = parse(text, Format::jsonl);
  ASSERT_EQ(p.events.size(), 1u) << problems_of(p);
  EXPECT_EQ(p.events[0].patient, key().hash("420042"));
  ASSERT_EQ(p.problems.size(), 12u) << problems_of(p);
  EXPECT_EQ(p.problems[0].line, 1u);
  EXPECT_EQ(p.problems[1].record, 2u);
  EXPECT_EQ(p.problems[1].line, 3u);
  EXPECT_NE(p.problems[0].message.find("no 'time'"), std::string::npos);
  EXPECT_NE(p.problems[1].message.find("no 'user'"), std::string::npos);
  EXPECT_NE(p.problems[2].message.find("only one of"), std::string::npos);
  EXPECT_NE(p.problems[3].message.find("-90..90"), std::string::npos);
  EXPECT_NE(p.problems[4].message.find("patient_hash"), std::string::npos);
  EXPECT_EQ(p.problems[4].message.find("MRN-0042"), std::string::npos);  // the clear id is not repeated
  EXPECT_NE(p.problems[5].message.find("'user' is not a string"), std::string::npos);
  EXPECT_NE(p.problems[6].message.find("'action'"), std::string::npos);
  EXPECT_NE(p.problems[7].message.find("'outcome'"), std::string::npos);
  EXPECT_NE(p.problems[8].message.find("not a JSON object"), std::string::npos);
  EXPECT_NE(p.problems[9].message.find("'time'"), std::string::npos);
  EXPECT_NE(p.problems[10].message.find("not between 1970 and 2199"), std::string::npos) << p.problems[10].message;
  EXPECT_NE(p.problems[11].message.find("from 1970 to 2199"), std::string::npos) << p.problems[11].message;
}

TEST(JsonLines, EchoedValuesAreShortAndWholeCharacters) {
  std::string action;
  for (int i = 0; i < 500; ++i) action += "\xC3\xA9";  // é
  Parsed p = parse("{\"time\":1767571200,\"user\":\"u\",\"action\":\"x" + action + "\"}", Format::jsonl);
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_LT(p.problems[0].message.size(), 200u);
  EXPECT_NO_THROW((void)nlohmann::json(p.problems[0].message).dump()) << "not valid UTF-8";
}

TEST(JsonLines, CutOffKeepsEarlierLines) {
  std::string text = sample("events.jsonl");
  size_t line4 = 0;
  for (int i = 0; i < 3; ++i) line4 = text.find('\n', line4) + 1;
  Parsed p = parse(text.substr(0, line4 + 40), Format::jsonl);
  EXPECT_EQ(p.events.size(), 2u);
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_EQ(p.problems[0].record, 3u);
  EXPECT_EQ(p.problems[0].line, 4u);
}

TEST(JsonLines, ProblemsAreCappedButCounted) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "{\"user\":\"u\"}\n";
  Parsed p = parse(text, Format::jsonl, 10);
  EXPECT_EQ(p.problems.size(), 10u);
  EXPECT_EQ(p.stats.problems, 500u);
  EXPECT_EQ(p.stats.records, 500u);
  // And without a vector at all.
  ParseStats s = parse_events(text, Format::jsonl, key(), [](const AccessEvent&) {});
  EXPECT_EQ(s.problems, 500u);
}

// ------------------------------------------------------------------ every format

TEST(Hostile, NothingCrashesAndNothingIsInvented) {
  std::mt19937 rng(20260105);
  std::string garbage(1 << 16, '\0');
  for (char& c : garbage) c = static_cast<char>(rng());
  std::string deep_json =
      "{\"resourceType\":\"AuditEvent\",\"x\":" + std::string(200000, '[') + std::string(200000, ']') + "}";
  std::string open_json = std::string(1 << 20, '[');
  std::string open_object = std::string(1 << 20, '{');
  std::string quotes = "{\"" + std::string(100000, '\\');
  for (Format f : {Format::fhir, Format::atna, Format::jsonl}) {
    for (const std::string& input : {garbage, deep_json, open_json, open_object, quotes, std::string("\0\0\0", 3)}) {
      Parsed p = parse(input, f);
      EXPECT_TRUE(p.events.empty()) << name_of(f);
      EXPECT_GE(p.stats.problems, 1u) << name_of(f);
      EXPECT_EQ(p.stats.records, p.stats.events + p.stats.problems) << name_of(f);
    }
    for (std::string_view empty : {"", " \n\r\n\t", "\xEF\xBB\xBF", "\xEF\xBB\xBF\n\n"}) {
      Parsed p = parse(empty, f);
      EXPECT_EQ(p.stats.records, 0u) << name_of(f);
      EXPECT_TRUE(p.problems.empty()) << name_of(f);
    }
  }
  // Each sample in each wrong format: problems, no crash.
  for (const char* name :
       {"fhir_bundle.json", "fhir_bulk.ndjson", "atna_syslog.log", "events.jsonl", "atna_rfc3881.xml"})
    for (Format f : {Format::fhir, Format::atna, Format::jsonl})
      if (sniff_format(sample(name)) != f) {
        EXPECT_TRUE(parse(sample(name), f).events.empty()) << name << " as " << name_of(f);
      }
}

TEST(Hostile, EveryPrefixOfEverySample) {
  for (const char* name :
       {"fhir_bundle.json", "fhir_single.json", "atna_syslog.log", "atna_dicom_instances.xml", "events.jsonl"}) {
    std::string text = sample(name);
    Format f = sniff_format(text);
    size_t full = parse(text, f).events.size();
    for (size_t cut = 0; cut < text.size(); cut += 7) {
      Parsed p = parse(std::string_view(text).substr(0, cut), f);
      EXPECT_LE(p.events.size(), full) << name << " cut at " << cut;
      EXPECT_EQ(p.stats.records, p.stats.events + p.stats.problems) << name << " cut at " << cut;
    }
  }
}

std::vector<std::string> every_text(const AccessEvent& e) {
  return {e.user,      e.role,    e.department,    e.application, e.device,
          e.source_ip, e.patient, e.resource_type, e.action,      e.outcome};
}

TEST(Privacy, ClearPatientIdsNeverLeaveTheParser) {
  const std::vector<std::string> clear = {"MRN-0042", "eM3kd0Qy2sZr1B9pLx", "ePt77120", "12724066",      "000445566",
                                          "MRN-0077", "MRN-0101",           "DOE^JANE", "M\xC3\xBCller", "ePt00019"};
  size_t with_patient = 0;
  for (const char* name : {"fhir_bundle.json", "fhir_bulk.ndjson", "fhir_single.json", "atna_dicom_instances.xml",
                           "atna_patient_record.xml", "atna_rfc3881.xml", "atna_syslog.log", "events.jsonl"}) {
    std::string text = sample(name);
    Parsed p = parse(text, sniff_format(text));
    EXPECT_FALSE(p.events.empty()) << name;
    for (const AccessEvent& e : p.events) {
      if (!e.patient.empty()) {
        ++with_patient;
        EXPECT_EQ(e.patient.size(), 32u);
        EXPECT_EQ(e.patient.find_first_not_of("0123456789abcdef"), std::string::npos);
      }
      for (const std::string& field : every_text(e))
        for (const std::string& id : clear) EXPECT_EQ(field.find(id), std::string::npos) << name << ": " << id;
    }
  }
  EXPECT_GE(with_patient, 20u);
}

TEST(Privacy, SamePatientSameHashInEveryFormat) {
  std::string want = key().hash("MRN-0042");
  size_t seen = 0;
  std::set<std::string> formats;
  for (const char* name : {"fhir_bundle.json", "fhir_bulk.ndjson", "fhir_single.json", "atna_dicom_instances.xml",
                           "atna_patient_record.xml", "atna_syslog.log", "events.jsonl"}) {
    std::string text = sample(name);
    for (const AccessEvent& e : parse(text, sniff_format(text)).events)
      if (e.patient == want) {
        ++seen;
        formats.insert(std::string(name_of(sniff_format(text))));
      }
  }
  EXPECT_EQ(seen, 8u);
  EXPECT_EQ(formats.size(), 3u);
}

// ------------------------------------------------------------------ writers

std::vector<std::pair<AccessEvent, std::string>> round_trip_events() {
  std::vector<std::pair<AccessEvent, std::string>> out;
  AccessEvent a;
  a.time = at("2026-01-05T14:03:27Z");
  a.user = "NURSE0042";
  a.role = "RN";
  a.department = "4 North";
  a.application = "haiku";
  a.device = "iphone-7f3a";
  a.source_ip = "10.20.14.37";
  a.resource_type = "Observation";
  a.action = "read";
  a.position = std::pair{41.8807, -87.6233};
  out.push_back({a, "MRN-0042"});

  AccessEvent b;  // a failed update, a device and no address, the patient alone
  b.time = at("2026-01-06T02:00:00Z");
  b.user = "DRPATEL7";
  b.application = "hyperspace";
  b.device = "EPICWS-4N-12";
  b.resource_type = "Patient";
  b.action = "update";
  b.outcome = "failure";
  out.push_back({b, "MRN 77/B?x=1"});

  AccessEvent c;  // markup, quotes, whitespace and non-ASCII in every text field
  c.time = 0;
  c.user = "o'brien \"<admin>\" & co\n\ttab";
  c.role = "Médecin <chef>";
  c.application = "pacs-viewer";
  c.source_ip = "2001:db8::1";
  c.resource_type = "DocumentReference";
  c.action = "delete";
  out.push_back({c, "<MRN>&\"0042\""});

  AccessEvent d;  // no patient, an execute
  d.time = at("2026-01-07T23:59:59Z");
  d.user = "svc_interface";
  d.application = "cloverleaf";
  d.resource_type = "Bundle";
  d.action = "execute";
  out.push_back({d, ""});
  return out;
}

void expect_same(const AccessEvent& want, const std::string& patient_id, const AccessEvent& got, bool everything,
                 const std::string& where) {
  EXPECT_EQ(got.time, want.time) << where;
  EXPECT_EQ(got.user, want.user) << where;
  EXPECT_EQ(got.role, want.role) << where;
  EXPECT_EQ(got.application, want.application) << where;
  EXPECT_EQ(got.device, want.device) << where;
  EXPECT_EQ(got.source_ip, want.source_ip) << where;
  EXPECT_EQ(got.patient, patient_id.empty() ? "" : key().hash(patient_id)) << where;
  EXPECT_EQ(got.resource_type, want.resource_type) << where;
  EXPECT_EQ(got.action, want.action) << where;
  EXPECT_EQ(got.outcome, want.outcome) << where;
  if (everything) {
    EXPECT_EQ(got.department, want.department) << where;
    EXPECT_EQ(got.position, want.position) << where;
  }
}

TEST(Writers, EachFormatReadsBackTheSameEvent) {
  for (auto& [event, patient_id] : round_trip_events()) {
    struct Writer {
      Format format;
      std::string (*write)(const AccessEvent&, std::string_view);
    };
    for (Writer w :
         {Writer{Format::fhir, to_fhir_json}, Writer{Format::atna, to_atna_xml}, Writer{Format::jsonl, to_jsonl}}) {
      std::string line = w.write(event, patient_id);
      std::string where = std::string(name_of(w.format)) + ": " + line;
      EXPECT_EQ(line.find('\n'), std::string::npos) << where;
      EXPECT_EQ(sniff_format(line), w.format) << where;
      Parsed p = parse(line, w.format);
      ASSERT_EQ(p.events.size(), 1u) << where << "\n" << problems_of(p);
      expect_same(event, patient_id, p.events[0], w.format == Format::jsonl, where);
    }
  }
}

TEST(Writers, ManyLinesReadBackInOrder) {
  std::string fhir, atna, jsonl;
  auto events = round_trip_events();
  for (auto& [event, patient_id] : events) {
    fhir += to_fhir_json(event, patient_id) + "\n";
    atna += to_atna_xml(event, patient_id) + "\n";
    jsonl += to_jsonl(event, patient_id) + "\n";
  }
  for (auto [format, text] : {std::pair{Format::fhir, &fhir}, {Format::atna, &atna}, {Format::jsonl, &jsonl}}) {
    Parsed p = parse(*text, format);
    ASSERT_EQ(p.events.size(), events.size()) << problems_of(p);
    for (size_t i = 0; i < events.size(); ++i)
      expect_same(events[i].first, events[i].second, p.events[i], format == Format::jsonl,
                  std::string(name_of(format)));
  }
}

TEST(Writers, HashedEventsExportAsHashes) {
  Parsed p = parse(sample("events.jsonl"), Format::jsonl);
  ASSERT_FALSE(p.events.empty());
  std::string line = to_jsonl(p.events[0], "");
  EXPECT_EQ(line.find("MRN-0042"), std::string::npos);
  Parsed again = parse(line, Format::jsonl);
  ASSERT_EQ(again.events.size(), 1u);
  EXPECT_EQ(again.events[0].patient, p.events[0].patient);
}

TEST(Writers, InvalidTextStaysWellFormed) {
  AccessEvent e;
  e.time = at("2026-01-05T10:00:00Z");
  e.user = std::string("bad\xff\xfe utf8 \x01 ctl", 16);
  e.application = "app";
  for (auto write : {to_fhir_json, to_atna_xml, to_jsonl}) {
    std::string line = write(e, "MRN\xC0\x80");
    Format f = sniff_format(line);
    Parsed p = parse(line, f);
    ASSERT_EQ(p.events.size(), 1u) << line << "\n" << problems_of(p);
    EXPECT_EQ(p.events[0].user.substr(0, 3), "bad");
    EXPECT_EQ(p.events[0].patient.size(), 32u);
  }
}

}  // namespace
}  // namespace wardline::ehr
