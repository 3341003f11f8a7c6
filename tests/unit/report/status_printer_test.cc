// StatusPrinter on a terminal: the live line is rewritten at a bounded rate, not once per task.
#include "report/status_printer.h"

#include <stdio.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <string>

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

using namespace mg;

namespace {

// What a printer wrote to a memory stream.
class Captured {
 public:
  Captured() : file_(open_memstream(&buf_, &size_)) {}
  ~Captured() {
    std::fclose(file_);
    std::free(buf_);
  }
  FILE* file() { return file_; }
  std::string text() {
    std::fflush(file_);
    return std::string(buf_, size_);
  }

 private:
  char* buf_ = nullptr;
  size_t size_ = 0;
  FILE* file_;
};

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

const std::string kRedraw = "\r\033[K[";  // a live line being written (Finish writes "\r\033[K" alone)

// The text of the last live line written, after its "[".
std::string LastLiveLine(const std::string& text) {
  size_t at = text.rfind(kRedraw);
  if (at == std::string::npos) return "";
  std::string line = text.substr(at + kRedraw.size());
  return line.substr(0, line.find('\r'));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(status_printer_test)

BOOST_AUTO_TEST_CASE(the_live_line_is_redrawn_at_a_bounded_rate) {
  TaskGraph g;
  for (int i = 0; i < 1003; ++i) {
    Task t;
    t.id = "build:app" + std::to_string(i) + "@1/linux/amd64";
    g.Add(std::move(t));
  }
  RunStates states(g.size());
  for (TaskGraph::Index i = 0; i < g.size(); ++i) states[i].status = TaskStatus::kCached;
  ManualClock clock(1'000'000);
  Captured out;
  {
    StatusPrinter printer(out.file(), /*smart=*/true, /*verbose=*/false, &clock);
    for (TaskGraph::Index i = 0; i < 999; ++i) printer.OnTaskFinished(g, i, states[i]);
    BOOST_TEST(Count(out.text(), kRedraw) == 1u);  // the first finish drew it; the clock stood still

    clock.Advance(StatusPrinter::kRedrawMillis);
    printer.OnTaskFinished(g, 999, states[999]);
    BOOST_TEST(Count(out.text(), kRedraw) == 2u);

    // A failure is printed above the live line, which comes back at once.
    states[1000].status = TaskStatus::kFailed;
    states[1000].error = "boom";
    states[1000].reason = "failed: boom";
    printer.OnTaskFinished(g, 1000, states[1000]);
    BOOST_TEST(out.text().find("build:app1000@1/linux/amd64") != std::string::npos);
    BOOST_TEST(Count(out.text(), kRedraw) == 3u);
    BOOST_TEST(LastLiveLine(out.text()).rfind("1001/1003]", 0) == 0u, LastLiveLine(out.text()));

    // A start within the interval is not drawn; the next tick draws it with the latest counts.
    printer.OnTaskStarted(g, 1002, states[1002]);
    printer.OnTaskFinished(g, 1001, states[1001]);
    BOOST_TEST(Count(out.text(), kRedraw) == 3u);
    printer.OnTick(g, states);
    BOOST_TEST(Count(out.text(), kRedraw) == 4u);
    const std::string live = LastLiveLine(out.text());
    BOOST_TEST(live.rfind("1002/1003] 1 running: build:app1002@1/linux/amd64", 0) == 0u, live);

    // The wall clock stepped back: the next finish redraws instead of waiting for it to catch up.
    clock.Set(1'000'000 - 60'000);
    printer.OnTaskFinished(g, 1002, states[1002]);
    BOOST_TEST(Count(out.text(), kRedraw) == 5u);
    BOOST_TEST(LastLiveLine(out.text()).rfind("1003/1003]", 0) == 0u, LastLiveLine(out.text()));
  }
  const std::string clear = "\r\033[K";
  BOOST_TEST(out.text().size() >= clear.size());
  BOOST_TEST(out.text().substr(out.text().size() - clear.size()) == clear);  // the printer cleared its line
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
