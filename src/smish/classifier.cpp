#include <fasttext/fasttext.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "smish/smish.h"

namespace wardline::smish {

struct Classifier::Impl {
  fasttext::FastText model;
};

Classifier::Classifier() : impl_(std::make_unique<Impl>()) {}
Classifier::~Classifier() = default;

Result<std::unique_ptr<Classifier>> Classifier::load(const std::string& path) {
  if (!std::filesystem::exists(path))
    return make_error("model_missing", "classifier model '" + path + "' not found; build it with 'make model'");
  auto c = std::unique_ptr<Classifier>(new Classifier());
  try {
    c->impl_->model.loadModel(path);
  } catch (const std::exception& e) {
    return make_error("invalid_model", "cannot load classifier model '" + path + "': " + e.what());
  }
  return c;
}

ClassScores Classifier::predict(const std::string& tokens) const {
  std::istringstream in(tokens + "\n");
  std::vector<std::pair<fasttext::real, std::string>> preds;
  impl_->model.predictLine(in, preds, 3, 0.0);
  ClassScores s{0, 0, 0};
  for (const auto& [p, label] : preds) {
    if (label == "__label__ham") s.ham = p;
    else if (label == "__label__spam") s.spam = p;
    else if (label == "__label__smishing") s.smishing = p;
  }
  if (preds.empty()) s.ham = 1;
  return s;
}

Result<std::vector<LabeledText>> read_labeled_tsv(const std::string& path, bool need_label) {
  std::ifstream in(path);
  if (!in) return make_error("unreadable", "cannot read '" + path + "'");
  std::string line;
  if (!std::getline(in, line)) return make_error("invalid_tsv", path + ": empty file; expected a header line");
  std::vector<std::string> header;
  {
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) header.push_back(col);
  }
  auto index_of = [&](const char* name) {
    auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : static_cast<int>(it - header.begin());
  };
  int id = index_of("id"), label = index_of("label"), text = index_of("text"), sender = index_of("sender");
  if (text < 0 || (need_label && label < 0))
    return make_error("invalid_tsv", path + ":1: the header must name the columns " + std::string(need_label ? "'label' and 'text'" : "'text'"));
  std::vector<LabeledText> out;
  size_t line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cols;
    size_t start = 0;
    for (;;) {
      size_t tab = line.find('\t', start);
      cols.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    auto col = [&](int i) { return i >= 0 && static_cast<size_t>(i) < cols.size() ? cols[static_cast<size_t>(i)] : std::string(); };
    LabeledText r{col(id), col(label), col(text), col(sender)};
    if (need_label && r.label != "ham" && r.label != "spam" && r.label != "smishing")
      return make_error("invalid_tsv", path + ":" + std::to_string(line_no) + ": label '" + r.label + "' is not ham, spam or smishing");
    if (r.id.empty()) r.id = std::to_string(line_no - 1);
    out.push_back(std::move(r));
  }
  return out;
}

Status train_model(const std::vector<LabeledText>& data, const std::string& out_path) {
  if (data.empty()) return make_error("invalid_tsv", "no training examples");
  std::string tmp = out_path + ".train.txt";
  {
    std::ofstream f(tmp);
    for (const auto& r : data) f << "__label__" << r.label << " " << model_tokens(normalize(r.text)) << "\n";
    if (!f) return make_error("unwritable", "cannot write '" + tmp + "'");
  }
  fasttext::Args args;
  args.input = tmp;
  args.model = fasttext::model_name::sup;
  args.loss = fasttext::loss_name::softmax;
  args.dim = 30;
  args.epoch = 40;
  args.lr = 0.5;
  args.wordNgrams = 2;
  args.minn = 3;
  args.maxn = 5;
  args.bucket = 50000;
  args.minCount = 1;
  args.thread = 1;  // one thread and a fixed seed: the same data gives the same model
  args.seed = 20261128;
  args.verbose = 0;
  fasttext::FastText ft;
  try {
    ft.train(args);
    ft.saveModel(out_path);
  } catch (const std::exception& e) {
    std::remove(tmp.c_str());
    return make_error("train_failed", std::string("fastText training failed: ") + e.what());
  }
  std::remove(tmp.c_str());
  return {};
}

}  // namespace wardline::smish
