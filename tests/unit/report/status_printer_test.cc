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

}  // namespace

BOOST_AUTO_TEST_SUITE(status_printer_test)

BOOST_AUTO_TEST_CASE(the_live_line_is_redrawn_at_a_bounded_rate) {
  TaskGraph g;
  for (int i = 0; i < 1001; ++i) {
    Task t;
    t.id = "build:app" + std::to_string(i) + "@1/linux/amd64";
    g.Add(std::move(t));
  }
  RunStates states(g.size());
  ManualClock clock(1'000'000);
  Captured out;
  {
    StatusPrinter printer(out.file(), /*smart=*/true, /*verbose=*/false, &clock);
    for (TaskGraph::Index i = 0; i < 1000; ++i) states[i].status = TaskStatus::kCached;
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
    const std::string text = out.text();
    BOOST_TEST(text.find("build:app1000@1/linux/amd64") != std::string::npos);
    BOOST_TEST(Count(text, kRedraw) == 3u);

    printer.OnTick(g, states);  // a tick always redraws: the last figures are shown
    BOOST_TEST(Count(out.text(), kRedraw) == 4u);
    BOOST_TEST(out.text().rfind("[1001/1001]") != std::string::npos);
  }
  const std::string clear = "\r\033[K";
  BOOST_TEST(out.text().size() >= clear.size());
  BOOST_TEST(out.text().substr(out.text().size() - clear.size()) == clear);  // the printer cleared its line
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
