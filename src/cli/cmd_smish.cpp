// wardline smish classify|report; wardline model train|eval
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/context.h"
#include "cli/resources.h"
#include "smish/smish.h"

namespace wardline::cli {
namespace {

struct SmishOptions {
  std::string input, org, rules, model, out;
};

// TSV with a header (id, text, optional sender) or JSON lines with those keys.
Result<std::vector<smish::LabeledText>> read_messages(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error("unreadable", "cannot read '" + path + "'");
  int first = in.peek();
  while (first == ' ' || first == '\n') {
    in.get();
    first = in.peek();
  }
  if (first != '{') return smish::read_labeled_tsv(path, false);
  std::vector<smish::LabeledText> out;
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("text") || !j["text"].is_string())
      return make_error("invalid_jsonl", path + ":" + std::to_string(n) + ": expected a JSON object with a string 'text'");
    smish::LabeledText r;
    r.id = j.contains("id") ? (j["id"].is_string() ? j["id"].get<std::string>() : j["id"].dump()) : std::to_string(n);
    r.text = j["text"];
    if (j.contains("sender") && j["sender"].is_string()) r.sender = j["sender"];
    if (j.contains("label") && j["label"].is_string()) r.label = j["label"];
    if (j.contains("time")) {
      const auto& t = j["time"];
      if (t.is_number()) r.time = t.get<int64_t>();
      else if (t.is_string() && !t.get<std::string>().empty() && t.get<std::string>().size() <= 12 &&
               t.get<std::string>().find_first_not_of("0123456789") == std::string::npos)
        r.time = std::stoll(t.get<std::string>());
      else if (!t.is_null())
        return make_error("invalid_jsonl", path + ":" + std::to_string(n) + ": 'time' must be Unix seconds");
    }
    out.push_back(std::move(r));
  }
  return out;
}

// Campaigns in a batch of messages, for retro-analysis: one {"id","campaign"}
// line per input record, in order; a summary on stderr.
int cluster(const SmishOptions& o, const CommonOptions& common) {
  auto config = effective_config(common);
  if (!config) return fail(config.error());
  auto rules = smish::load_rules(o.rules.empty() ? resource_path("rules") : o.rules);
  if (!rules) return fail(rules.error());
  auto org = smish::load_organization(o.org.empty() ? resource_path("examples/organization.yaml") : o.org);
  if (!org) return fail(org.error());
  auto messages = read_messages(o.input);
  if (!messages) return fail(messages.error());
  const CampaignConfig& c = config->smish.campaigns;
  smish::CampaignClusterer clusterer(cluster_params(c), *org, *rules);
  for (const auto& m : *messages) clusterer.add({m.text, m.sender, m.time});
  std::string out;
  std::map<size_t, size_t> sizes;
  for (size_t i = 0; i < messages->size(); ++i) {
    size_t campaign = clusterer.campaign_of(i);
    ++sizes[campaign];
    nlohmann::ordered_json j{{"id", (*messages)[i].id}, {"campaign", "c" + std::to_string(campaign)}};
    out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += '\n';
    if (out.size() > (1 << 20)) std::cout << out, out.clear();
  }
  std::cout << out << std::flush;
  size_t multi = 0, in_multi = 0, largest = 0;
  for (const auto& [id, n] : sizes) {
    if (n > 1) ++multi, in_multi += n;
    largest = std::max(largest, n);
  }
  std::cerr << "clustered " << messages->size() << " messages into " << sizes.size() << " campaigns; " << multi
            << " campaigns of 2 or more hold " << in_multi << " messages; the largest has " << largest << "\n";
  return kOk;
}

int classify(const SmishOptions& o) {
  auto analyzer = load_analyzer(o.rules, o.org, o.model);
  if (!analyzer) return fail(analyzer.error());
  auto messages = read_messages(o.input);
  if (!messages) return fail(messages.error());
  std::string out;
  for (const auto& m : *messages) {
    auto v = (*analyzer)->analyze(m.text, m.sender);
    nlohmann::ordered_json j;
    j["id"] = m.id;
    j["verdict"] = v.verdict;
    j["class"] = v.cls;
    j["score"] = v.score;
    j["categories"] = v.categories;
    j["reasons"] = v.reasons;
    j["urls"] = v.urls;
    out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += '\n';
    if (out.size() > (1 << 20)) std::cout << out, out.clear();
  }
  std::cout << out;
  return kOk;
}

int train(const SmishOptions& o, const CommonOptions& common, bool with_analyst_labels) {
  auto data = smish::read_labeled_tsv(o.input, true);
  if (!data) return fail(data.error());
  if (with_analyst_labels) {
    auto config = effective_config(common);
    if (!config) return fail(config.error());
    auto rt = open_runtime(*config, true);
    if (!rt) return fail(rt.error());
    auto labels = smish::analyst_labels(*(*rt)->store, *(*rt)->keyring);
    if (!labels) return fail(labels.error());
    size_t ham = std::count_if(labels->begin(), labels->end(), [](const auto& l) { return l.label == "ham"; });
    std::cout << "adding " << labels->size() << " analyst label(s): " << ham << " false positive(s), " << labels->size() - ham
              << " confirmed\n";
    data->insert(data->end(), labels->begin(), labels->end());
  }
  if (Status s = smish::train_model(*data, o.out); !s) return fail(s.error());
  std::cout << "trained on " << data->size() << " messages; model written to " << o.out << "\n";
  return kOk;
}

void print_metrics(const std::string& title, const std::vector<std::string>& labels,
                   const std::map<std::pair<std::string, std::string>, int>& confusion) {
  std::cout << title << "\n";
  std::cout << "  class        precision  recall  f1      support\n";
  for (const auto& l : labels) {
    int tp = confusion.count({l, l}) ? confusion.at({l, l}) : 0, predicted = 0, actual = 0;
    for (const auto& [k, n] : confusion) {
      if (k.second == l) predicted += n;
      if (k.first == l) actual += n;
    }
    double p = predicted ? double(tp) / predicted : 0, r = actual ? double(tp) / actual : 0;
    double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
    std::printf("  %-12s %9.3f  %6.3f  %6.3f  %7d\n", l.c_str(), p, r, f1, actual);
  }
  std::cout << "  confusion (rows: true, columns: predicted):\n  " << std::string(12, ' ');
  for (const auto& l : labels) std::printf("%10s", l.c_str());
  std::cout << "\n";
  for (const auto& t : labels) {
    std::printf("  %-12s", t.c_str());
    for (const auto& p : labels) std::printf("%10d", confusion.count({t, p}) ? confusion.at({t, p}) : 0);
    std::cout << "\n";
  }
}

int eval(const SmishOptions& o) {
  auto analyzer = load_analyzer(o.rules, o.org, o.model);
  if (!analyzer) return fail(analyzer.error());
  auto data = smish::read_labeled_tsv(o.input, true);
  if (!data) return fail(data.error());
  // The classifier alone, for comparison with the whole pipeline.
  auto classifier = smish::Classifier::load(o.model.empty() ? resource_path("models/smish.ftz") : o.model);
  if (!classifier) return fail(classifier.error());
  std::map<std::pair<std::string, std::string>, int> classes, binary, alone;
  for (const auto& m : *data) {
    auto v = (*analyzer)->analyze(m.text, m.sender);
    ++classes[{m.label, v.cls}];
    ++binary[{m.label == "ham" ? "ham" : "malicious", v.verdict == "benign" ? "ham" : "malicious"}];
    auto p = (*classifier)->predict(smish::model_tokens(smish::normalize(m.text)));
    ++alone[{m.label, p.smishing >= p.spam && p.smishing >= p.ham ? "smishing" : p.spam >= p.ham ? "spam" : "ham"}];
  }
  print_metrics("class (" + std::to_string(data->size()) + " messages)", {"ham", "spam", "smishing"}, classes);
  print_metrics("malicious (verdict malicious or suspicious) vs ham", {"ham", "malicious"}, binary);
  print_metrics("for comparison, the classifier alone (no rules, no organisation profile)", {"ham", "spam", "smishing"}, alone);
  return kOk;
}

struct ReportOptions {
  CommonOptions common;
  std::string reporter, channel = "sms", sender, received_at, body, file;
};

// Files a report on a user's behalf (e.g. a message they e-mailed to the
// security team), through the same analysis, dedupe and audit as the API.
int report(const ReportOptions& o) {
  std::string body = o.body;
  if (body.empty()) {
    std::ifstream file(o.file.empty() ? "/dev/stdin" : o.file, std::ios::binary);
    if (!file) return fail(make_error("unreadable", "cannot read '" + o.file + "'"));
    body.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  }
  auto config = effective_config(o.common);
  if (!config) return fail(config.error());
  auto rt = open_runtime(*config, true);
  if (!rt) return fail(rt.error());
  auto user = (*rt)->identity->find_user(o.reporter);
  if (!user)
    return fail(make_error("not_found", "no user '" + o.reporter + "': reports are filed for a Wardline user "
                                        "(add one with 'wardline user add NAME --role reporter')"));
  if (user->disabled) return fail(make_error("user_disabled", "user '" + o.reporter + "' is disabled"));
  auto analyzer = load_analyzer(config->smish.rules_dir, config->smish.organization, config->smish.model);
  if (!analyzer) return fail(analyzer.error());
  smish::ReportBook book(*(*rt)->store, (*rt)->keyring, *analyzer, config->smish.reports_per_hour);
  smish::NewReport in;
  in.reporter = o.reporter;
  in.channel = o.channel;
  in.sender = o.sender;
  in.body = body;
  in.received_at = o.received_at;
  auto r = book.submit(in);
  if (!r) return fail(r.error());
  if (!r->duplicate) {
    Status a = record_local(**rt, "smish.report", r->id,
                            {{"reporter", r->reporter}, {"channel", r->channel}, {"verdict", r->verdict.verdict},
                             {"class", r->verdict.cls}, {"score", std::to_string(r->verdict.score)}},
                            [&] { return book.remove(r->id); });
    if (!a) return fail(a.error());
  }
  const smish::Verdict& v = r->verdict;
  if (o.common.json) {
    nlohmann::ordered_json j{{"id", r->id}, {"reporter", r->reporter}, {"channel", r->channel}, {"verdict", v.verdict},
                             {"class", v.cls}, {"score", v.score}, {"categories", v.categories}, {"reasons", v.reasons},
                             {"urls", v.urls}, {"duplicate", r->duplicate}};
    if (!v.simulation.empty()) j["simulation"] = v.simulation;
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kOk;
  }
  std::cout << (r->duplicate ? "already reported by " + r->reporter + " as " : "filed ") << r->id << " (" << r->channel << ")\n";
  std::cout << "verdict: " << v.verdict << " (" << v.cls << ", score " << v.score << ")\n";
  if (!v.simulation.empty()) std::cout << "simulation: " << v.simulation << "\n";
  for (const auto& reason : v.reasons) std::cout << "  - " << reason << "\n";
  for (const auto& url : v.urls) std::cout << "link: " << url << "\n";
  return kOk;
}

}  // namespace

void add_smish_commands(CLI::App& app, int& rc) {
  auto o = std::make_shared<SmishOptions>();
  auto* smish_group = app.add_subcommand("smish", "Smishing analysis of reported messages");
  smish_group->require_subcommand(1);
  auto* cls = smish_group->add_subcommand("classify", "Classify messages from a TSV (id, text[, sender]) or JSON-lines file");
  cls->add_option("--input", o->input, "input file")->required();
  cls->add_option("--org", o->org, "organisation profile YAML (default: the demo profile)");
  cls->add_option("--rules", o->rules, "rules directory (default: rules/)");
  cls->add_option("--model", o->model, "classifier model (default: models/smish.ftz)");
  cls->callback([o, &rc] { rc = classify(*o); });

  auto cl_common = std::make_shared<CommonOptions>();
  auto* clu = smish_group->add_subcommand("cluster", "Group messages from a TSV (id, text[, sender, time]) or JSON-lines file into campaigns");
  clu->add_option("--input", o->input, "input file")->required();
  clu->add_option("--org", o->org, "organisation profile YAML (default: the demo profile)");
  clu->add_option("--rules", o->rules, "rules directory (default: rules/)");
  add_common_options(*clu, *cl_common);
  clu->callback([o, cl_common, &rc] { rc = cluster(*o, *cl_common); });

  auto ro = std::make_shared<ReportOptions>();
  auto* rep = smish_group->add_subcommand("report", "File a suspicious message on a user's behalf (analysed, stored encrypted, audited)");
  rep->add_option("--reporter", ro->reporter, "the Wardline user who received the message")->required();
  rep->add_option("--channel", ro->channel, "sms, imessage, whatsapp, rcs or other (default sms)");
  rep->add_option("--sender", ro->sender, "number or sender ID shown on the phone");
  rep->add_option("--received-at", ro->received_at, "when it arrived (RFC 3339; default now)");
  auto* body_opt = rep->add_option("--body", ro->body, "the message text");
  rep->add_option("--file", ro->file, "read the message text from a file (default: standard input)")->excludes(body_opt);
  add_common_options(*rep, ro->common, true);
  rep->callback([ro, &rc] { rc = report(*ro); });

  auto* model = app.add_subcommand("model", "Train and evaluate the message classifier");
  model->require_subcommand(1);
  auto* tr = model->add_subcommand("train", "Train a fastText model from a labelled TSV (label, text)");
  tr->add_option("--data", o->input, "training TSV")->required();
  tr->add_option("--out", o->out, "model file to write (.ftz)")->required();
  auto tr_common = std::make_shared<CommonOptions>();
  auto with_labels = std::make_shared<bool>(false);
  tr->add_flag("--with-analyst-labels", *with_labels,
               "also learn from analysts' labels: reports labelled false_positive (ham) or smishing, and reports in "
               "campaigns marked false_positive or confirmed (a report's own label wins)");
  add_common_options(*tr, *tr_common);
  tr->callback([o, tr_common, with_labels, &rc] { rc = train(*o, *tr_common, *with_labels); });
  auto* ev = model->add_subcommand("eval", "Per-class precision, recall, F1 and confusion matrix on a labelled TSV");
  ev->add_option("--data", o->input, "labelled TSV")->required();
  ev->add_option("--model", o->model, "model (default: models/smish.ftz)");
  ev->add_option("--org", o->org, "organisation profile YAML (default: the demo profile)");
  ev->add_option("--rules", o->rules, "rules directory (default: rules/)");
  ev->callback([o, &rc] { rc = eval(*o); });
}

}  // namespace wardline::cli
