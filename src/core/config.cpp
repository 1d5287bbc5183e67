#include "core/strings.h"
#include "core/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace wardline {
namespace {

std::string where(const std::string& source, const YAML::Mark& m) {
  return source + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}


// Walks one YAML mapping: each known key has a handler; unknown keys are errors.
class Section {
 public:
  using Handler = std::function<Status(const YAML::Node&, const std::string& path)>;

  Section(std::string source, std::string path) : source_(std::move(source)), path_(std::move(path)) {}
  Section& on(const std::string& key, Handler h) {
    handlers_[key] = std::move(h);
    return *this;
  }

  Status apply(const YAML::Node& node) const {
    if (node.IsNull()) return {};
    if (!node.IsMap())
      return make_error("invalid_config", where(source_, node.Mark()) + ": '" + display() +
                                              "' must be a mapping of keys to values", path_);
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      std::string full = path_.empty() ? key : path_ + "." + key;
      auto it = handlers_.find(key);
      if (it == handlers_.end()) return unknown(key, full, kv.first.Mark());
      if (Status s = it->second(kv.second, full); !s) return s;
    }
    return {};
  }

 private:
  std::string display() const { return path_.empty() ? "(top level)" : path_; }

  Status unknown(const std::string& key, const std::string& full, const YAML::Mark& m) const {
    std::string allowed, closest;
    size_t best = 3;
    for (const auto& [k, h] : handlers_) {
      allowed += (allowed.empty() ? "" : ", ") + k;
      if (size_t d = edit_distance(key, k); d < best) best = d, closest = k;
    }
    std::string msg = where(source_, m) + ": unknown key '" + full + "'";
    if (!closest.empty()) msg += "; did you mean '" + closest + "'?";
    msg += " Allowed here: " + allowed;
    return make_error("invalid_config", msg, full);
  }

  std::string source_, path_;
  std::map<std::string, Handler> handlers_;
};

template <class T>
Status read_scalar(const YAML::Node& n, const std::string& source, const std::string& path,
                   const char* expected, T& out) {
  if (!n.IsScalar())
    return make_error("invalid_config",
                      where(source, n.Mark()) + ": '" + path + "' must be " + expected, path);
  try {
    out = n.as<T>();
  } catch (const YAML::Exception&) {
    return make_error("invalid_config", where(source, n.Mark()) + ": '" + path + "' must be " +
                                            expected + ", got '" + n.Scalar() + "'", path);
  }
  return {};
}

template <class T>
Section::Handler scalar(const std::string& source, T& out, const char* expected) {
  return [&out, source, expected](const YAML::Node& n, const std::string& p) {
    return read_scalar(n, source, p, expected, out);
  };
}

template <class T>
Section::Handler positive(const std::string& source, T& out) {
  return [&out, source](const YAML::Node& n, const std::string& p) -> Status {
    if (Status s = read_scalar(n, source, p, "a positive integer", out); !s) return s;
    if (out <= 0)
      return make_error("invalid_config", where(source, n.Mark()) + ": '" + p +
                                              "' must be a positive integer", p);
    return {};
  };
}

// A duration like 30d into `out`; with `allow_off`, "off" gives 0.
Section::Handler duration(const std::string& source, std::chrono::seconds& out, bool allow_off = false) {
  return [&out, source, allow_off](const YAML::Node& n, const std::string& p) -> Status {
    std::string text;
    if (Status s = read_scalar(n, source, p, allow_off ? "a duration like 1h, or off" : "a duration like 30d", text); !s) return s;
    if (allow_off && text == "off") {
      out = std::chrono::seconds(0);
      return {};
    }
    auto d = parse_duration(text);
    if (!d) return make_error("invalid_config", where(source, n.Mark()) + ": '" + p + "': " + d.error().message, p);
    out = *d;
    return {};
  };
}

Section::Handler choice(const std::string& source, std::string& out,
                        std::initializer_list<const char*> choices) {
  std::vector<const char*> c(choices);
  return [&out, source, c](const YAML::Node& n, const std::string& p) -> Status {
    if (Status s = read_scalar(n, source, p, "a string", out); !s) return s;
    for (const char* x : c)
      if (out == x) return {};
    std::string list;
    for (const char* x : c) list += (list.empty() ? "" : ", ") + std::string(x);
    return make_error("invalid_config", where(source, n.Mark()) + ": '" + p + "' is '" + out +
                                            "'; expected one of: " + list, p);
  };
}

Status parse_sink(const YAML::Node& n, const std::string& source, const std::string& path,
                  size_t index, SinkConfig& sink) {
  Section s(source, path);
  s.on("name", scalar(source, sink.name, "a string"))
      .on("type", choice(source, sink.type, {"jsonl", "syslog"}))
      .on("queue_size", positive(source, sink.queue_size))
      .on("path", scalar(source, sink.path, "a file path"))
      .on("max_bytes", positive(source, sink.max_bytes))
      .on("max_files", positive(source, sink.max_files))
      .on("transport", choice(source, sink.transport, {"udp", "tcp", "tls"}))
      .on("host", scalar(source, sink.host, "a host name or address"))
      .on("port", positive(source, sink.port))
      .on("format", choice(source, sink.format, {"rfc5424", "cef"}))
      .on("ca_file", scalar(source, sink.ca_file, "a file path"))
      .on("app_name", scalar(source, sink.app_name, "a string"));
  if (Status st = s.apply(n); !st) return st;
  auto missing = [&](const char* key) {
    return make_error("invalid_config", where(source, n.Mark()) + ": sink '" + path +
                                            "' needs '" + key + "'", path + "." + key);
  };
  if (sink.type.empty()) return missing("type");
  if (sink.name.empty()) sink.name = sink.type + "-" + std::to_string(index);
  if (sink.type == "jsonl" && sink.path.empty()) return missing("path");
  if (sink.port > 65535)
    return make_error("invalid_config", where(source, n.Mark()) + ": '" + path +
                                            ".port' must be 1-65535", path + ".port");
  return {};
}

Status parse_connector(const YAML::Node& n, const std::string& source, const std::string& path, MdmConnectorConfig& m) {
  Section s(source, path);
  int backoff_ms = static_cast<int>(m.backoff.count());
  s.on("name", scalar(source, m.name, "a string"))
      .on("type", choice(source, m.type, {"intune", "jamf", "webhook"}))
      .on("base_url", scalar(source, m.base_url, "an https:// URL"))
      .on("token_url", scalar(source, m.token_url, "an https:// URL"))
      .on("tenant", scalar(source, m.tenant, "a tenant id or domain"))
      .on("client_id", scalar(source, m.client_id, "a string"))
      .on("client_secret_file", scalar(source, m.client_secret_file, "a file path"))
      .on("secret_file", scalar(source, m.secret_file, "a file path"))
      .on("ca_file", scalar(source, m.ca_file, "a file path"))
      .on("timeout_seconds", positive(source, m.timeout_seconds))
      .on("max_attempts", positive(source, m.max_attempts))
      .on("backoff_ms", positive(source, backoff_ms));
  if (Status st = s.apply(n); !st) return st;
  m.backoff = std::chrono::milliseconds(backoff_ms);
  auto bad = [&](const std::string& what) {
    return make_error("invalid_config", where(source, n.Mark()) + ": connector '" + path + "' " + what, path);
  };
  if (m.type.empty()) return bad("needs 'type' (intune, jamf or webhook)");
  if (m.name.empty()) m.name = m.type;
  if (m.type == "intune" && m.base_url.empty()) m.base_url = "https://graph.microsoft.com/v1.0";
  if (m.type == "intune" && m.token_url.empty() && m.tenant.empty())
    return bad("needs 'tenant' (or 'token_url') to get a Microsoft Graph token");
  if (m.type != "webhook" && (m.client_id.empty() || m.client_secret_file.empty()))
    return bad("needs 'client_id' and 'client_secret_file' (an OAuth2 API client of the MDM)");
  if (m.type == "webhook" && m.secret_file.empty()) return bad("needs 'secret_file' (the key requests are signed with)");
  if (m.base_url.empty()) return bad("needs 'base_url'");
  if (m.base_url.rfind("https://", 0) != 0) return bad("must use an https:// base_url");
  if (!m.token_url.empty() && m.token_url.rfind("https://", 0) != 0) return bad("must use an https:// token_url");
  return {};
}

}  // namespace

Result<std::chrono::seconds> parse_duration(const std::string& text) {
  static const std::map<char, long> units = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}, {'y', 31536000}};
  if (text.size() < 2 || !units.count(text.back()) ||
      !std::all_of(text.begin(), text.end() - 1, [](char c) { return c >= '0' && c <= '9'; }) ||
      text.size() > 10)
    return make_error("invalid_duration", "'" + text +
                                              "' is not a duration; use a number and a unit s, m, h, d, w or y (365 days), e.g. 30d");
  long n = std::stol(text.substr(0, text.size() - 1));
  if (n <= 0) return make_error("invalid_duration", "duration '" + text + "' must be positive");
  return std::chrono::seconds(n * units.at(text.back()));
}

Result<HostPort> parse_host_port(const std::string& text) {
  auto bad = [&] {
    return make_error("invalid_listen", "'" + text +
                                            "' is not HOST:PORT (e.g. 127.0.0.1:8443 or [::1]:8443)");
  };
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return bad();
  std::string host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  }
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit)) return bad();
  int p = std::stoi(port);
  if (p < 0 || p > 65535) return bad();
  return HostPort{host, p};
}

Result<WebOrigin> parse_origin(const std::string& text) {
  auto bad = [&](const std::string& why) {
    return make_error("invalid_origin", "'" + text + "' is not a web origin: " + why +
                                            " (e.g. https://wardline.example.org or https://localhost:8443)");
  };
  WebOrigin o;
  size_t sep = text.find("://");
  if (sep == std::string::npos) return bad("no scheme");
  o.scheme = text.substr(0, sep);
  std::string rest = text.substr(sep + 3);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find_first_of("/?#@") != std::string::npos) return bad("a path, query or user name is not part of an origin");
  size_t colon = rest.rfind(':');
  std::string port_text;
  if (colon != std::string::npos) {
    port_text = rest.substr(colon + 1);
    rest.resize(colon);
  }
  o.host = rest;
  if (o.host.empty() || o.host.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") != std::string::npos)
    return bad("the host must be a lowercase DNS name");
  if (o.scheme != "https" && !(o.scheme == "http" && o.host == "localhost"))
    return bad("use https:// (plain http:// only for localhost)");
  int default_port = o.scheme == "https" ? 443 : 80;
  o.port = default_port;
  if (colon != std::string::npos) {
    if (port_text.empty() || port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(), ::isdigit) ||
        std::stoi(port_text) < 1 || std::stoi(port_text) > 65535)
      return bad("bad port");
    o.port = std::stoi(port_text);
  }
  o.text = o.scheme + "://" + o.host + (o.port == default_port ? "" : ":" + std::to_string(o.port));
  return o;
}

WebOrigin console_origin(const Config& c, int bound_port) {
  if (!c.console.origin.empty())
    if (auto o = parse_origin(c.console.origin)) return *o;
  auto hp = parse_host_port(c.listen);
  int port = bound_port > 0 ? bound_port : hp ? hp->port : 8443;
  std::string scheme = c.tls.enabled ? "https" : "http";
  return *parse_origin(scheme + "://localhost:" + std::to_string(port));
}

Result<Config> parse_config(const std::string& yaml_text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return make_error("invalid_config", source + ":" + std::to_string(e.mark.line + 1) + ":" +
                                            std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
  }
  Config c;
  std::string listen_text;
  Section tls(source, "tls"), http(source, "http"), auth(source, "auth"), log(source, "log"),
      siem(source, "siem"), audit(source, "audit"), smish(source, "smish"), twilio(source, "smish.twilio"),
      whatsapp(source, "smish.whatsapp"), campaigns(source, "smish.campaigns"), notify(source, "smish.campaigns.notify"),
      intel(source, "intel"), posture(source, "posture"), access(source, "access"), response(source, "response"),
      ehr(source, "ehr"), console(source, "console");
  response.on("two_person_full_wipe", scalar(source, c.response.two_person_full_wipe, "true or false"))
      .on("approval_ttl", duration(source, c.response.approval_ttl))
      .on("runbooks_dir", scalar(source, c.response.runbooks_dir, "a directory path"))
      .on("drill_interval", duration(source, c.response.drill_interval))
      .on("test_devices", [&](const YAML::Node& n, const std::string& p) -> Status {
        if (!n.IsSequence()) return make_error("invalid_config", where(source, n.Mark()) + ": '" + p + "' must be a list of device ids", p);
        for (size_t i = 0; i < n.size(); ++i) {
          std::string id;
          if (Status s = read_scalar(n[i], source, p + "[" + std::to_string(i) + "]", "a device id", id); !s) return s;
          c.response.test_devices.push_back(id);
        }
        return {};
      })
      .on("connectors", [&](const YAML::Node& n, const std::string& p) -> Status {
        if (!n.IsSequence()) return make_error("invalid_config", where(source, n.Mark()) + ": '" + p + "' must be a list of MDM connectors", p);
        for (size_t i = 0; i < n.size(); ++i) {
          MdmConnectorConfig m;
          if (Status s = parse_connector(n[i], source, p + "[" + std::to_string(i) + "]", m); !s) return s;
          for (const auto& other : c.response.connectors)
            if (other.name == m.name)
              return make_error("invalid_config", where(source, n[i].Mark()) + ": two connectors are named '" + m.name + "'", p);
          c.response.connectors.push_back(std::move(m));
        }
        return {};
      });
  console.on("origin", [&](const YAML::Node& n, const std::string& p) -> Status {
        if (Status s = read_scalar(n, source, p, "an https:// URL", c.console.origin); !s) return s;
        if (auto o = parse_origin(c.console.origin); !o)
          return make_error("invalid_config", where(source, n.Mark()) + ": '" + p + "': " + o.error().message, p);
        return {};
      })
      .on("idle_timeout", duration(source, c.console.idle_timeout))
      .on("absolute_timeout", duration(source, c.console.absolute_timeout))
      .on("enroll_link_ttl", duration(source, c.console.enroll_link_ttl));
  ehr.on("settings", scalar(source, c.ehr.settings, "a file path"))
      .on("geoip", scalar(source, c.ehr.geoip, "a file path"));
  access.on("policy", scalar(source, c.access.policy, "a file path"))
      .on("directory", scalar(source, c.access.directory, "a file path"));
  posture.on("policy", scalar(source, c.posture.policy, "a file path"))
      .on("reevaluate_interval", duration(source, c.posture.reevaluate_interval, true));
  notify.on("url", scalar(source, c.smish.campaigns.notify.url, "an https:// URL"))
      .on("token_file", scalar(source, c.smish.campaigns.notify.token_file, "a file path"))
      .on("message", scalar(source, c.smish.campaigns.notify.message, "a message template"));
  smish.on("rules_dir", scalar(source, c.smish.rules_dir, "a directory path"))
      .on("model", scalar(source, c.smish.model, "a file path"))
      .on("organization", scalar(source, c.smish.organization, "a file path"))
      .on("reports_per_hour", positive(source, c.smish.reports_per_hour))
      .on("twilio", [&](const YAML::Node& n, const std::string&) { return twilio.apply(n); })
      .on("whatsapp", [&](const YAML::Node& n, const std::string&) { return whatsapp.apply(n); })
      .on("campaigns", [&](const YAML::Node& n, const std::string&) { return campaigns.apply(n); });
  campaigns.on("minhash_hashes", positive(source, c.smish.campaigns.minhash_hashes))
      .on("lsh_bands", positive(source, c.smish.campaigns.lsh_bands))
      .on("shingle_words", positive(source, c.smish.campaigns.shingle_words))
      .on("alert_at", positive(source, c.smish.campaigns.alert_at))
      .on("notify", [&](const YAML::Node& n, const std::string&) { return notify.apply(n); })
      .on("min_similarity", [&](const YAML::Node& n, const std::string& p) -> Status {
        double& v = c.smish.campaigns.min_similarity;
        if (Status s = read_scalar(n, source, p, "a number from 0 to 1", v); !s) return s;
        if (v < 0 || v > 1) return make_error("invalid_config", where(source, n.Mark()) + ": '" + p + "' must be from 0 to 1", p);
        return {};
      })
      .on("sender_window", duration(source, c.smish.campaigns.sender_window));
  intel.on("pull_interval", duration(source, c.intel.pull_interval, true))
      .on("syslog_listen", [&](const YAML::Node& n, const std::string& p) -> Status {
        if (Status s = read_scalar(n, source, p, "HOST:PORT", c.intel.syslog_listen); !s) return s;
        if (auto hp = parse_host_port(c.intel.syslog_listen); !hp)
          return make_error("invalid_config", where(source, n.Mark()) + ": '" + p + "': " + hp.error().message, p);
        return {};
      })
      .on("syslog_format", choice(source, c.intel.syslog_format, {"zeek", "squid", "eve", "cef", "ecs"}))
      .on("min_confidence", [&](const YAML::Node& n, const std::string& p) -> Status {
        if (Status s = read_scalar(n, source, p, "a confidence from 0 to 100", c.intel.min_confidence); !s) return s;
        if (c.intel.min_confidence < 0 || c.intel.min_confidence > 100)
          return make_error("invalid_config", where(source, n.Mark()) + ": '" + p + "' must be from 0 to 100", p);
        return {};
      })
      .on("retro_hunt_days", [&](const YAML::Node& n, const std::string& p) -> Status {
        if (Status s = read_scalar(n, source, p, "a number of days (0: off)", c.intel.retro_hunt_days); !s) return s;
        if (c.intel.retro_hunt_days < 0 || c.intel.retro_hunt_days > 3650)
          return make_error("invalid_config", where(source, n.Mark()) + ": '" + p + "' must be from 0 to 3650", p);
        return {};
      })
      .on("warning_lists", [&](const YAML::Node& n, const std::string& p) -> Status {
        if (!n.IsSequence()) return make_error("invalid_config", where(source, n.Mark()) + ": '" + p + "' must be a list of file paths", p);
        for (size_t i = 0; i < n.size(); ++i) {
          std::string file;
          if (Status s = read_scalar(n[i], source, p + "[" + std::to_string(i) + "]", "a file path", file); !s) return s;
          c.intel.warning_lists.push_back(file);
        }
        return {};
      });
  twilio.on("auth_token_file", scalar(source, c.smish.twilio.auth_token_file, "a file path"))
      .on("webhook_url", [&](const YAML::Node& n, const std::string& p) -> Status {
        if (Status s = read_scalar(n, source, p, "a URL", c.smish.twilio.webhook_url); !s) return s;
        const std::string& u = c.smish.twilio.webhook_url;
        if (u.rfind("https://", 0) == 0 || u.rfind("http://", 0) == 0) return {};
        return make_error("invalid_config", where(source, n.Mark()) + ": '" + p +
                                                "' must be the full URL set in the Twilio console, e.g. "
                                                "https://wardline.example.org/api/v1/intake/twilio", p);
      });
  whatsapp.on("app_secret_file", scalar(source, c.smish.whatsapp.app_secret_file, "a file path"))
      .on("verify_token_file", scalar(source, c.smish.whatsapp.verify_token_file, "a file path"));
  audit.on("sth_every_entries", positive(source, c.audit.sth_every_entries))
      .on("sth_every_seconds", positive(source, c.audit.sth_every_seconds))
      .on("retention", [&](const YAML::Node& n, const std::string& p) -> Status {
        std::string text;
        if (Status s = read_scalar(n, source, p, "a duration like 6y", text); !s) return s;
        auto d = parse_duration(text);
        if (!d) return make_error("invalid_config", where(source, n.Mark()) + ": '" + p + "': " + d.error().message, p);
        c.audit.retention = *d;
        return {};
      });
  tls.on("cert_file", scalar(source, c.tls.cert_file, "a file path"))
      .on("key_file", scalar(source, c.tls.key_file, "a file path"))
      .on("min_version", choice(source, c.tls.min_version, {"1.2", "1.3"}));
  http.on("max_body_bytes", positive(source, c.http.max_body_bytes))
      .on("read_timeout_seconds", positive(source, c.http.read_timeout_seconds))
      .on("write_timeout_seconds", positive(source, c.http.write_timeout_seconds))
      .on("threads", positive(source, c.http.threads));
  auth.on("token_default_ttl", duration(source, c.token_default_ttl));
  log.on("level", choice(source, c.log_level, {"trace", "debug", "info", "warn", "error"}));
  siem.on("sinks", [&](const YAML::Node& n, const std::string& p) -> Status {
    if (!n.IsSequence())
      return make_error("invalid_config", where(source, n.Mark()) + ": '" + p + "' must be a list of sinks", p);
    for (size_t i = 0; i < n.size(); ++i) {
      SinkConfig sink;
      if (Status s = parse_sink(n[i], source, p + "[" + std::to_string(i) + "]", i, sink); !s) return s;
      c.sinks.push_back(std::move(sink));
    }
    return {};
  });

  Section top(source, "");
  top.on("listen", [&](const YAML::Node& n, const std::string& p) -> Status {
       if (Status s = read_scalar(n, source, p, "HOST:PORT", c.listen); !s) return s;
       if (auto hp = parse_host_port(c.listen); !hp)
         return make_error("invalid_config", where(source, n.Mark()) + ": " + hp.error().message, p);
       return {};
     })
      .on("data_dir", scalar(source, c.data_dir, "a directory path"))
      .on("store", [&](const YAML::Node& n, const std::string& p) -> Status {
        if (Status s = read_scalar(n, source, p, "a store URL", c.store); !s) return s;
        if (c.store == "sqlite" || c.store.rfind("sqlite:", 0) == 0 ||
            c.store.rfind("postgres://", 0) == 0 || c.store.rfind("postgresql://", 0) == 0)
          return {};
        return make_error("invalid_config", where(source, n.Mark()) + ": 'store' is '" + c.store +
                                                "'; use sqlite, sqlite:PATH or postgres://USER@HOST:PORT/DB", p);
      })
      .on("store_pool_size", positive(source, c.store_pool_size))
      .on("tls", [&](const YAML::Node& n, const std::string&) { return tls.apply(n); })
      .on("http", [&](const YAML::Node& n, const std::string&) { return http.apply(n); })
      .on("auth", [&](const YAML::Node& n, const std::string&) { return auth.apply(n); })
      .on("log", [&](const YAML::Node& n, const std::string&) { return log.apply(n); })
      .on("siem", [&](const YAML::Node& n, const std::string&) { return siem.apply(n); })
      .on("audit", [&](const YAML::Node& n, const std::string&) { return audit.apply(n); })
      .on("smish", [&](const YAML::Node& n, const std::string&) { return smish.apply(n); })
      .on("intel", [&](const YAML::Node& n, const std::string&) { return intel.apply(n); })
      .on("posture", [&](const YAML::Node& n, const std::string&) { return posture.apply(n); })
      .on("access", [&](const YAML::Node& n, const std::string&) { return access.apply(n); })
      .on("response", [&](const YAML::Node& n, const std::string&) { return response.apply(n); })
      .on("ehr", [&](const YAML::Node& n, const std::string&) { return ehr.apply(n); })
      .on("console", [&](const YAML::Node& n, const std::string&) { return console.apply(n); });
  try {
    if (Status s = top.apply(root); !s) return s.error();
  } catch (const YAML::Exception& e) {
    return make_error("invalid_config", source + ": " + e.what());
  }
  if (c.smish.campaigns.minhash_hashes % c.smish.campaigns.lsh_bands != 0 || c.smish.campaigns.minhash_hashes > 1024)
    return make_error("invalid_config", source + ": 'smish.campaigns.minhash_hashes' must be a multiple of 'lsh_bands' (at most 1024)",
                      "smish.campaigns");
  if (const auto& u = c.smish.campaigns.notify.url; !u.empty() && u.rfind("https://", 0) != 0 && u.rfind("http://127.0.0.1", 0) != 0 &&
                                                      u.rfind("http://localhost", 0) != 0)
    return make_error("invalid_config", source + ": 'smish.campaigns.notify.url' must be https:// (plain http only to localhost)",
                      "smish.campaigns.notify.url");
  if (c.smish.whatsapp.app_secret_file.empty() != c.smish.whatsapp.verify_token_file.empty())
    return make_error("invalid_config", source + ": 'smish.whatsapp.app_secret_file' and 'verify_token_file' must be set together",
                      "smish.whatsapp");
  if (c.tls.cert_file.empty() != c.tls.key_file.empty())
    return make_error("invalid_config", source + ": 'tls.cert_file' and 'tls.key_file' must be set together", "tls");
  return c;
}

Result<Config> load_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error("config_unreadable", "cannot read config file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

}  // namespace wardline
