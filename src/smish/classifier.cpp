#include <fasttext/fasttext.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "smish/smish.h"

namespace wardline::smish {

// Inference on the model's own matrices: the same ids as fastText's
// Dictionary::getLine, the same average and softmax as Model::predict, but no
// stream parsing, no label strings and an inlined row sum (fastText's
// predictLine spends most of its time there). Quantized models or other
// losses take fastText's own path.
struct Classifier::Impl {
  fasttext::FastText model;
  std::shared_ptr<const fasttext::Dictionary> dict;
  std::shared_ptr<const fasttext::DenseMatrix> input, output;
  int64_t dim = 0;
  int32_t word_ngrams = 1, bucket = 0, nwords = 0;
  bool fast = false;
  int label_slot[3] = {0, 0, 0};  // output row -> 0 ham, 1 spam, 2 smishing

  void prepare() {
    fasttext::Args args = model.getArgs();
    fast = !model.isQuant() && args.loss == fasttext::loss_name::softmax && args.model == fasttext::model_name::sup;
    if (!fast) return;
    dict = model.getDictionary();
    input = model.getInputMatrix();
    output = model.getOutputMatrix();
    dim = input->size(1);
    word_ngrams = args.wordNgrams;
    bucket = args.bucket;
    nwords = dict->nwords();
    if (dict->nlabels() != 3 || output->size(0) != 3) return void(fast = false);
    for (int i = 0; i < 3; ++i) {
      std::string l = dict->getLabel(i);
      label_slot[i] = l == "__label__ham" ? 0 : l == "__label__spam" ? 1 : l == "__label__smishing" ? 2 : -1;
      if (label_slot[i] < 0) fast = false;
    }
  }

  void ids_of(const std::string& tokens, std::vector<int32_t>& ids) const {
    std::vector<int32_t> hashes;
    auto add = [&](const std::string& token) {
      if (token.rfind("__label__", 0) == 0) return;  // fastText reads these as labels
      uint32_t h = dict->hash(token);
      int32_t wid = dict->getId(token, h);
      if (wid < 0) {
        if (token != fasttext::Dictionary::EOS)
          dict->computeSubwords(fasttext::Dictionary::BOW + token + fasttext::Dictionary::EOW, ids);
      } else {
        const auto& sub = dict->getSubwords(wid);
        ids.insert(ids.end(), sub.begin(), sub.end());
      }
      hashes.push_back(static_cast<int32_t>(h));
    };
    std::string token;
    for (char c : tokens) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '\0') {
        if (!token.empty()) add(token);
        token.clear();
      } else {
        token.push_back(c);
      }
    }
    if (!token.empty()) add(token);
    add(fasttext::Dictionary::EOS);
    // Word n-grams exactly as Dictionary::addWordNgrams (int32 hashes widened with sign).
    for (size_t i = 0; i < hashes.size(); ++i) {
      uint64_t h = static_cast<uint64_t>(static_cast<int64_t>(hashes[i]));
      for (size_t j = i + 1; j < hashes.size() && j < i + static_cast<size_t>(word_ngrams); ++j) {
        h = h * 116049371 + static_cast<uint64_t>(static_cast<int64_t>(hashes[j]));
        ids.push_back(nwords + static_cast<int32_t>(h % static_cast<uint64_t>(bucket)));
      }
    }
  }

  ClassScores predict_fast(const std::string& tokens) const {
    std::vector<int32_t> ids;
    ids.reserve(256);
    ids_of(tokens, ids);
    std::vector<float> hidden(static_cast<size_t>(dim), 0.0f);
    const float* rows = input->data();
    for (int32_t id : ids) {
      const float* row = rows + static_cast<int64_t>(id) * dim;
      for (int64_t k = 0; k < dim; ++k) hidden[static_cast<size_t>(k)] += row[k];
    }
    float scale = 1.0f / static_cast<float>(ids.size());
    for (float& h : hidden) h *= scale;
    double z[3];
    for (int o = 0; o < 3; ++o) {
      const float* w = output->data() + o * dim;
      float sum = 0;
      for (int64_t k = 0; k < dim; ++k) sum += w[k] * hidden[static_cast<size_t>(k)];
      z[o] = sum;
    }
    double top = std::max({z[0], z[1], z[2]}), total = 0, p[3];
    for (int o = 0; o < 3; ++o) total += p[o] = std::exp(z[o] - top);
    double slot[3] = {0, 0, 0};
    for (int o = 0; o < 3; ++o) slot[label_slot[o]] = p[o] / total;
    return {slot[0], slot[1], slot[2]};
  }
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
  c->impl_->prepare();
  return c;
}

ClassScores Classifier::predict(const std::string& tokens) const {
  if (impl_->fast) return impl_->predict_fast(tokens);
  return predict_reference(tokens);
}

bool Classifier::fast_inference() const { return impl_->fast; }

ClassScores Classifier::predict_reference(const std::string& tokens) const {
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
  int id = index_of("id"), label = index_of("label"), text = index_of("text"), sender = index_of("sender"),
      time = index_of("time");
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
    LabeledText r{col(id), col(label), col(text), col(sender), 0};
    if (std::string t = col(time); !t.empty()) {
      if (t.size() > 12 || t.find_first_not_of("0123456789") != std::string::npos)
        return make_error("invalid_tsv", path + ":" + std::to_string(line_no) + ": 'time' must be Unix seconds, not '" + t + "'");
      r.time = std::stoll(t);
    }
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
