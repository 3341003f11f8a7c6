#include "report/metrics_text.h"

#include <charconv>
#include <cmath>

namespace mg {

void MetricSet::Declare(const std::string& name, MetricType type, const std::string& help) {
  families_.try_emplace(name, Family{type, help, {}});
}

void MetricSet::Set(const std::string& name, const std::map<std::string, std::string>& labels, double value,
                    const std::string& suffix) {
  families_.at(name).samples[{suffix, labels}] = value;
}

void MetricSet::Add(const std::string& name, const std::map<std::string, std::string>& labels, double delta,
                    const std::string& suffix) {
  families_.at(name).samples[{suffix, labels}] += delta;
}

std::optional<MetricType> MetricSet::TypeOf(const std::string& name) const {
  auto it = families_.find(name);
  if (it == families_.end()) return std::nullopt;
  return it->second.type;
}

void MetricSet::ForEachSample(const std::function<void(const std::string&, MetricType, const std::string&,
                                                       const std::map<std::string, std::string>&, double)>& fn) const {
  for (const auto& [name, family] : families_) {
    for (const auto& [key, value] : family.samples) fn(name, family.type, key.first, key.second, value);
  }
}

std::string MetricSet::Text() const {
  std::string out;
  for (const auto& [name, family] : families_) {
    if (family.samples.empty()) continue;
    const char* type = family.type == MetricType::kCounter ? "counter"
                       : family.type == MetricType::kGauge ? "gauge"
                                                           : "summary";
    out += "# HELP " + name + " " + EscapeHelp(family.help) + "\n";
    out += "# TYPE " + name + " " + type + "\n";
    for (const auto& [key, value] : family.samples) {
      out += name + key.first;
      if (!key.second.empty()) {
        out += "{";
        bool first = true;
        for (const auto& [label, v] : key.second) {
          if (!first) out += ",";
          first = false;
          out += label + "=\"" + EscapeLabelValue(v) + "\"";
        }
        out += "}";
      }
      out += " " + FormatMetricValue(value) + "\n";
    }
  }
  out += "# EOF\n";
  return out;
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 9.0e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}


}  // namespace mg
