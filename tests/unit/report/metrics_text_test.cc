// The metrics text: escaping, value formatting, and an order that does not depend on the order
// samples were set in.
#include "report/metrics_text.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;

BOOST_AUTO_TEST_SUITE(metrics_text_test)

BOOST_AUTO_TEST_CASE(label_values_escape_backslash_quote_and_newline) {
  BOOST_TEST(EscapeLabelValue("plain") == "plain");
  BOOST_TEST(EscapeLabelValue(R"(a\b)") == R"(a\\b)");
  BOOST_TEST(EscapeLabelValue(R"(say "hi")") == R"(say \"hi\")");
  BOOST_TEST(EscapeLabelValue("two\nlines") == R"(two\nlines)");
  BOOST_TEST(EscapeHelp("a \\ b\nc \"q\"") == "a \\\\ b\\nc \"q\"");
}

BOOST_AUTO_TEST_CASE(values_are_short_and_exact) {
  BOOST_TEST(FormatMetricValue(0) == "0");
  BOOST_TEST(FormatMetricValue(3) == "3");
  BOOST_TEST(FormatMetricValue(-2) == "-2");
  BOOST_TEST(FormatMetricValue(0.25) == "0.25");
  BOOST_TEST(FormatMetricValue(1733412345.678) == "1733412345.678");
  BOOST_TEST(FormatMetricValue(1e300) == "1e+300");
  BOOST_TEST(FormatMetricValue(std::numeric_limits<double>::infinity()) == "+Inf");
  BOOST_TEST(FormatMetricValue(std::nan("")) == "NaN");
}

BOOST_AUTO_TEST_CASE(text_is_sorted_whatever_the_insertion_order) {
  auto fill = [](bool reversed) {
    MetricSet m;
    std::vector<std::function<void()>> steps;
    m.Declare("mg_b_total", MetricType::kCounter, "B things.");
    m.Declare("mg_a", MetricType::kGauge, "A \"gauge\".");
    m.Declare("mg_d_seconds", MetricType::kSummary, "Durations.");
    m.Declare("mg_unused", MetricType::kGauge, "Never set.");
    steps.push_back([&] { m.Add("mg_b_total", {{"type", "probe"}, {"status", "ran"}}, 2); });
    steps.push_back([&] { m.Add("mg_b_total", {{"type", "build"}, {"status", "failed"}}, 1); });
    steps.push_back([&] { m.Add("mg_b_total", {{"type", "build"}, {"status", "failed"}}, 1); });
    steps.push_back([&] { m.Set("mg_a", {{"app", "quote\"d\nname"}}, 1.5); });
    steps.push_back([&] { m.Set("mg_a", {{"app", "alpha"}}, 7); });
    steps.push_back([&] { m.Add("mg_d_seconds", {{"type", "build"}}, 1, "_count"); });
    steps.push_back([&] { m.Add("mg_d_seconds", {{"type", "build"}}, 2.5, "_sum"); });
    if (reversed) std::reverse(steps.begin(), steps.end());
    for (auto& s : steps) s();
    return m.Text();
  };
  const std::string text = fill(false);
  BOOST_TEST(text == fill(true));
  BOOST_TEST(text ==
             "# HELP mg_a A \"gauge\".\n"
             "# TYPE mg_a gauge\n"
             "mg_a{app=\"alpha\"} 7\n"
             "mg_a{app=\"quote\\\"d\\nname\"} 1.5\n"
             "# HELP mg_b_total B things.\n"
             "# TYPE mg_b_total counter\n"
             "mg_b_total{status=\"failed\",type=\"build\"} 2\n"
             "mg_b_total{status=\"ran\",type=\"probe\"} 2\n"
             "# HELP mg_d_seconds Durations.\n"
             "# TYPE mg_d_seconds summary\n"
             "mg_d_seconds_count{type=\"build\"} 1\n"
             "mg_d_seconds_sum{type=\"build\"} 2.5\n"
             "# EOF\n");
}

BOOST_AUTO_TEST_CASE(set_replaces_and_add_accumulates) {
  MetricSet m;
  m.Declare("g", MetricType::kGauge, "G.");
  m.Set("g", {}, 1);
  m.Set("g", {}, 4);
  m.Declare("c_total", MetricType::kCounter, "C.");
  m.Add("c_total", {}, 1);
  m.Add("c_total", {}, 4);
  BOOST_TEST(m.Text() == "# HELP c_total C.\n# TYPE c_total counter\nc_total 5\n# HELP g G.\n# TYPE g gauge\ng 4\n# EOF\n");
  BOOST_TEST((*m.TypeOf("c_total") == MetricType::kCounter));
  BOOST_TEST(!m.TypeOf("nothing").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
