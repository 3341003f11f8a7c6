// A metrics file in the text exposition format that node_exporter's textfile collector and
// `promtool check metrics` read (docs/metrics.md), ending with OpenMetrics' "# EOF" line.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mg {

enum class MetricType { kCounter, kGauge, kSummary };

// One sample: `suffix` is appended to the family name ("_sum", "_count"; "" for counters and
// gauges, whose family name already ends in "_total" for a counter).
struct MetricSample {
  std::string suffix;
  std::map<std::string, std::string> labels;  // sorted by name
  double value = 0;
};

struct MetricFamily {
  std::string name;  // REQUIRES: [a-zA-Z_:][a-zA-Z0-9_:]*; a counter's ends in "_total"
  MetricType type = MetricType::kGauge;
  std::string help;  // one line
  std::vector<MetricSample> samples;
};

// Collects families by name; Add() on an existing name adds to its samples. Not thread-safe.
class MetricSet {
 public:
  // Declares a family (idempotent; the first help and type win).
  void Declare(const std::string& name, MetricType type, const std::string& help);
  // Sets the sample (name + suffix, labels) of a declared family to `value`, replacing an
  // earlier value for the same suffix and labels. REQUIRES: Declare(name) first.
  void Set(const std::string& name, const std::map<std::string, std::string>& labels, double value,
           const std::string& suffix = "");
  // Adds `delta` to that sample (0 when absent).
  void Add(const std::string& name, const std::map<std::string, std::string>& labels, double delta,
           const std::string& suffix = "");

  // The type of a declared family, or nullopt.
  std::optional<MetricType> TypeOf(const std::string& name) const;
  // Calls fn(name, type, suffix, labels, value) for every sample, in Text() order.
  void ForEachSample(const std::function<void(const std::string&, MetricType, const std::string&,
                                              const std::map<std::string, std::string>&, double)>& fn) const;

  // Families sorted by name, samples by (suffix, labels); "# HELP" and "# TYPE" before each
  // family's samples, "# EOF" last. A declared family without samples is left out.
  std::string Text() const;

 private:
  struct Family {
    MetricType type;
    std::string help;
    std::map<std::pair<std::string, std::map<std::string, std::string>>, double> samples;
  };
  std::map<std::string, Family> families_;
};

// A label value escaped for the text format: backslash, double quote and newline as \\, \", \n.
std::string EscapeLabelValue(std::string_view value);
// A HELP text escaped: backslash and newline as \\ and \n.
std::string EscapeHelp(std::string_view help);
// A sample value: integers without a fraction ("3"), else the shortest text that reads back as
// the same double ("0.25"); "+Inf", "-Inf", "NaN" for the special values.
std::string FormatMetricValue(double value);

}  // namespace mg
