#include <boost/test/unit_test.hpp>

#include "config/diagnostics.h"

namespace MG_TEST_FILE_NS {  // unique to this file (tests/CMakeLists.txt)

BOOST_AUTO_TEST_SUITE(diagnostics_test)

BOOST_AUTO_TEST_CASE(renders_file_line_column) {
  mg::Diagnostics d;
  d.Add(mg::SourcePos{"mirror.toml", 3, 7}, "bad");
  d.Add(mg::SourcePos{"mirror.toml", 0, 0}, "no line");
  d.Add(mg::SourcePos{"mirror.toml", 4, 0}, "no column");
  d.Add(mg::SourcePos{}, "cannot read x");
  BOOST_CHECK_EQUAL(d.size(), 4u);
  BOOST_CHECK_EQUAL(d.items()[0].ToString(), "mirror.toml:3:7: bad");
  BOOST_CHECK_EQUAL(d.items()[1].ToString(), "mirror.toml: no line");
  BOOST_CHECK_EQUAL(d.items()[2].ToString(), "mirror.toml:4: no column");
  BOOST_CHECK_EQUAL(d.items()[3].ToString(), "cannot read x");
  BOOST_CHECK_EQUAL(d.ToString(), "mirror.toml:3:7: bad\nmirror.toml: no line\nmirror.toml:4: no column\ncannot read x\n");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace MG_TEST_FILE_NS
